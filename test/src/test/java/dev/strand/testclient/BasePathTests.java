package dev.strand.testclient;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.strand.test.AutoConfigureStrandTestClient;
import dev.strand.test.StrandTestClient;
import dev.strand.test.TestTab;

import static org.assertj.core.api.Assertions.assertThat;

/** An application under spring.webflux.base-path. */
@SpringBootTest(classes = EdgeApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.webflux.base-path=/app")
@AutoConfigureStrandTestClient
class BasePathTests {

	@Autowired
	StrandTestClient strand;

	@Test
	void whenTheApplicationHasABasePathThenATabConnectsAndPosts() {
		TestTab tab = this.strand.open("/edge");
		System.out.println("STREAM META: " + tab.html("meta[name=strand-stream]"));
		tab.connect();
		tab.post("/edge/title", Map.of("title", "Based"));
		assertThat(tab.text("#title")).isEqualTo("Based");
	}

}
