package dev.strand.web;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** An application under {@code spring.webflux.base-path}: the page points strand.js and its stream under it. */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.webflux.base-path=/app")
class BasePathTests {

	@LocalServerPort
	int port;

	WebTestClient client;

	@BeforeEach
	void bindToTheServerItself() {
		// Boot's own WebTestClient would add the base path to every URI; this one says exactly what the browser asks
		this.client = WebTestClient.bindToServer().baseUrl("http://localhost:" + this.port).build();
	}

	@Test
	void whenTheAppHasABasePathThenStrandHeadPointsTheScriptAndTheStreamUnderIt() {
		Pages.Page page = Pages.open(this.client, "/app/import");
		assertThat(page.html()).contains("<script type=\"module\" src=\"/app/strand/strand.js\"></script>")
			.contains("<meta name=\"strand-stream\" content=\"/app/strand/stream\">");
		this.client.get().uri("/app/strand/strand.js").exchange().expectStatus().isOk();
		ServerSentEvent<String> outcome = this.client.get().uri("/app/strand/stream?view=" + page.view())
			.cookie("SESSION", page.session()).accept(MediaType.TEXT_EVENT_STREAM).exchange()
			.expectStatus().isOk()
			.returnResult(new org.springframework.core.ParameterizedTypeReference<ServerSentEvent<String>>() { })
			.getResponseBody()
			.filter((event) -> "outcome".equals(event.event()))
			.blockFirst(Duration.ofSeconds(10));
		assertThat(outcome.data()).contains("\"task\":\"org\"");
	}

	@Test
	void whenAPageIsSentElsewhereThenItsPathIsUnderTheBasePath() {
		Pages.Page page = Pages.open(this.client, "/app/import");
		var stream = page.stream(page.lastEventId());
		page.post("/app/import/go").expectStatus().isOk().expectHeader().valueEquals("Strand-Redirect", "/app/import?from=go");
		page.post("/app/import/navigate").expectStatus().isNoContent();
		ServerSentEvent<String> navigate = stream.filter((e) -> "navigate".equals(e.event())).blockFirst(Duration.ofSeconds(10));
		assertThat(navigate.data()).isEqualTo("{\"url\":\"/app/import?from=navigate\"}");
	}

}
