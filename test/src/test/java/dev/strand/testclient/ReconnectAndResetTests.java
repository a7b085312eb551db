package dev.strand.testclient;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.strand.Outcome;
import dev.strand.test.AutoConfigureStrandTestClient;
import dev.strand.test.StrandTestClient;
import dev.strand.test.TestTab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A reconnect that the view answers with a reset, the events missed being no longer kept. */
@SpringBootTest(classes = EdgeApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "strand.stream.replay-buffer=8", "strand.stream.max-pending=4" })
@AutoConfigureStrandTestClient
class ReconnectAndResetTests {

	@Autowired
	StrandTestClient strand;

	/** awaitTask: "Returns at once if it has already ended." */
	@Test
	void whenATaskEndedWhileAwayAndTheReconnectGetsAResetThenAwaitTaskReturns() {
		TestTab tab = this.strand.open("/edge").connect();
		tab.disconnect();
		tab.post("/edge/start");
		await().atMost(Duration.ofSeconds(10)).until(() -> tab.runningTasks().isEmpty());
		for (int n = 1; n <= 12; n++) {
			tab.post("/edge/title", Map.of("title", "Title " + n)); // more events than the view keeps
		}
		tab.reconnect();
		await().atMost(Duration.ofSeconds(10)).until(() -> tab.events().stream().anyMatch((e) -> e.name().equals("reset")));
		assertThat(tab.text("#status")).isEqualTo("done");
		assertThat(tab.text("#title")).isEqualTo("Title 12");
		tab.awaitTask("job");
		assertThat(tab.<String>asyncResult("job").result()).isEqualTo("done");
	}

	/** README: "tab.reconnect() ... with Last-Event-ID: what the tab missed arrives, once". */
	@Test
	void whenATabReconnectsThenWhatItMissedIsOnThePageWhenReconnectReturns() {
		TestTab tab = this.strand.open("/edge").connect();
		for (int round = 1; round <= 20; round++) {
			tab.disconnect();
			tab.post("/edge/title", Map.of("title", "Title " + round));
			tab.reconnect();
			assertThat(tab.text("#title")).as("round " + round).isEqualTo("Title " + round);
		}
		assertThat(Outcome.Kind.OK).isNotNull();
	}

}
