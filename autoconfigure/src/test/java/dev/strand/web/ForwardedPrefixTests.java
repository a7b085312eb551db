package dev.strand.web;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** An application behind a proxy that serves it under a path prefix and says so in {@code X-Forwarded-Prefix}. */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "server.forward-headers-strategy=framework")
@AutoConfigureWebTestClient
class ForwardedPrefixTests {

	@Autowired
	WebTestClient client;

	@Test
	void whenAProxyServesTheAppUnderAPrefixThenStrandHeadPointsTheScriptAndTheStreamUnderIt() {
		String html = this.client.get().uri("/import").header("X-Forwarded-Prefix", "/proxy").exchange()
			.expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
		assertThat(html).contains("<script type=\"module\" src=\"/proxy/strand/strand.js\"></script>")
			.contains("<meta name=\"strand-stream\" content=\"/proxy/strand/stream\">");
	}

}
