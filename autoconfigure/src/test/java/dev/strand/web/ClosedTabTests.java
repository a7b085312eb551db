package dev.strand.web;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.awaitility.Awaitility.await;

/** What a page learns once its tab has closed, and what nobody else learns. */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "strand.views.disconnect-grace=100ms")
@AutoConfigureWebTestClient
class ClosedTabTests {

	@Autowired
	WebTestClient client;

	@Test
	void whenATabOfTheSessionHasClosedThenItsOwnSessionIsToldItIsGoneAndNobodyElse() {
		Pages.Page page = Pages.open(this.client, "/import");
		Pages.Page other = Pages.open(this.client, "/import");
		page.stream(page.lastEventId()).take(1).blockLast(Duration.ofSeconds(10)); // connected once, then gone
		await().atMost(Duration.ofSeconds(10)).until(() -> this.client.get().uri("/strand/stream/status?view=" + page.view())
			.cookie("SESSION", page.session()).exchange().returnResult(Void.class).getStatus().value() == 410);
		page.post("/import/title?title=x").expectStatus().isEqualTo(HttpStatus.GONE);
		this.client.get().uri("/strand/stream?view=" + page.view()).cookie("SESSION", page.session()).exchange()
			.expectStatus().isEqualTo(HttpStatus.GONE);
		this.client.get().uri("/strand/stream/status?view=" + page.view()).cookie("SESSION", other.session()).exchange()
			.expectStatus().isNotFound();
	}

}
