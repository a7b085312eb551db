package dev.strand.testclient;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.strand.test.AutoConfigureStrandTestClient;
import dev.strand.test.StrandTestClient;
import dev.strand.test.TestTab;

import static org.assertj.core.api.Assertions.assertThat;

/** Pages and patches larger than WebTestClient's default 256KB codec buffer. */
@SpringBootTest(classes = EdgeApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureStrandTestClient
class LargePageTests {

	@Autowired
	StrandTestClient strand;

	@Test
	void whenAPatchIsLargerThan256KBThenItIsApplied() {
		TestTab tab = this.strand.open("/edge").connect();
		tab.post("/edge/big");
		assertThat(tab.text("#title")).hasSize(300_000);
	}

	@Test
	void whenAPageIsLargerThan256KBThenItOpens() {
		TestTab tab = this.strand.open("/edge/bigpage");
		assertThat(tab.text("#title")).hasSize(300_000);
	}

}
