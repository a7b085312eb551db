package dev.strand.testclient;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.strand.test.AutoConfigureStrandTestClient;
import dev.strand.test.StrandTestClient;
import dev.strand.test.TestTab;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(classes = EdgeApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureStrandTestClient
class ExpiredCookieTests {

	@Autowired
	StrandTestClient strand;

	/** A browser deletes a cookie whose Expires is in the past, as it does one with Max-Age=0. */
	@Test
	void whenAResponseExpiresACookieThenTheSessionNoLongerSendsIt() {
		TestTab tab = this.strand.open("/edge").connect();
		tab.post("/edge/cookie");
		assertThat(tab.session().cookies()).containsEntry("remember", "yes");
		tab.post("/edge/forget");
		assertThat(tab.session().cookies()).doesNotContainKey("remember");
	}

}
