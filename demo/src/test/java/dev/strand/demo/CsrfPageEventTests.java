package dev.strand.demo;

import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.strand.test.AutoConfigureStrandTestClient;
import dev.strand.test.StrandTestClient;
import dev.strand.test.TestTab;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With Spring Security's CSRF protection on, a page event is accepted with the page's token and refused without
 * it, or with a tampered one, as a 403 and never a server error. The test client sends the token that
 * {@code <strand:head/>} rendered, as strand.js does; {@link CsrfTests} shows strand.js doing it in a browser.
 */
@SpringBootTest(classes = CsrfTests.SecuredApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = CsrfTests.SECURITY_ON)
@AutoConfigureStrandTestClient
class CsrfPageEventTests {

	@Autowired
	StrandTestClient strand;

	@Test
	void whenAPageEventCarriesThePagesTokenThenItIsAccepted() {
		TestTab tab = this.strand.open("/csrf").connect();
		tab.post("/csrf/increment").post("/csrf/increment");
		assertThat(tab.text("#count")).isEqualTo("2");
	}

	@Test
	void whenAPageEventLacksTheTokenThenItIsForbidden() {
		TestTab tab = this.strand.open("/csrf").connect();
		tab.pageEvent("/csrf/increment").headers((headers) -> headers.remove("X-CSRF-TOKEN")).exchange()
			.expectStatus().isForbidden().expectBody().returnResult();
		assertThat(tab.<Integer>assign("count")).isZero();
		tab.post("/csrf/increment");
		assertThat(tab.text("#count")).isEqualTo("1");
	}

	@Test
	void whenAPageEventCarriesATamperedTokenThenItIsForbiddenNotAServerError() {
		TestTab tab = this.strand.open("/csrf").connect();
		String token = tab.attribute("meta[name=strand-csrf]", "content");
		char last = token.charAt(token.length() - 1);
		byte[] raw = Base64.getUrlDecoder().decode(token);
		raw[raw.length - 1] ^= (byte) 0x80; // still the right length, but it no longer decodes to UTF-8
		String flipped = Base64.getUrlEncoder().encodeToString(raw);
		for (String tampered : List.of(flipped, "%%%", "not base64!", token + "==",
				token.substring(0, token.length() - 1) + ((last == 'A') ? 'B' : 'A'), token.substring(2), "a", "x".repeat(4096),
				token + token)) {
			tab.pageEvent("/csrf/increment").headers((headers) -> headers.set("X-CSRF-TOKEN", tampered)).exchange()
				.expectStatus().isForbidden().expectBody().returnResult();
		}
		assertThat(tab.<Integer>assign("count")).isZero();
	}

}
