package dev.strand.web;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without a server: a WebTestClient bound to the application context (as in {@code @WebFluxTest} or a
 * {@code MOCK} web environment) hands Strand mock requests, which have no native request behind them.
 */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.MOCK)
@AutoConfigureWebTestClient
class MockServerTests {

	@Autowired
	WebTestClient client;

	@Test
	void whenThereIsNoServerThenAPageOpensItsViewAndItsStreamAndPageEventsAreServed() {
		Pages.Page page = Pages.open(this.client, "/import");
		assertThat(page.html()).contains("<p>Loading…</p>");
		var stream = page.stream(page.lastEventId());
		assertThat(page.events(stream, 2)).extracting((event) -> event.event()).containsExactly("outcome", "patch");
		page.post("/import/clear").expectStatus().isNoContent();
	}

}
