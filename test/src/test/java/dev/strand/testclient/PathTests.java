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
class PathTests {

	@Autowired
	StrandTestClient strand;

	@Test
	void whenAPathHasAnEncodedQueryThenThePageGetsItDecodedOnce() {
		TestTab tab = this.strand.open("/edge/echo?q=a%26b");
		assertThat(tab.text("#title")).isEqualTo("a&b");
	}

	@Test
	void whenAPathHasBracesThenItIsOpened() {
		TestTab tab = this.strand.open("/edge/echo?q={x}");
		assertThat(tab.text("#title")).isEqualTo("{x}");
	}

}
