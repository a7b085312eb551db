package dev.strand.demo;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.strand.test.AutoConfigureStrandTestClient;
import dev.strand.test.StrandTestClient;
import dev.strand.test.TestTab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A tab's stream comes and goes without a browser: a reconnect within the grace period misses nothing, a grace
 * period that runs out cancels the tab's task, and another session cannot reach the tab.
 */
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureStrandTestClient
class ReconnectAndGraceTests {

	@Autowired
	StrandTestClient strand;

	@Autowired
	MeterRegistry meters;

	@Test
	void whenTheStreamDropsMidTaskThenTheReconnectReplaysWhatWasMissedOnce() {
		TestTab tab = this.strand.open("/streaming").connect();
		tab.post("/streaming/start");
		await().atMost(Duration.ofSeconds(10)).until(() -> tab.chunks("job").size() >= 2);
		tab.disconnect();
		// the task runs on while the tab is away
		await().atMost(Duration.ofSeconds(10)).until(() -> tab.<List<String>>assign("messages").size() >= 4);
		tab.reconnect().awaitTask("job");
		assertThat(tab.chunks("job")).containsExactly("Async work chunk 1", "Async work chunk 2", "Async work chunk 3",
				"Async work chunk 4", "Async work chunk 5");
		assertThat(tab.flash("info")).isEqualTo("Completed!");
	}

	@Test
	void whenTheGracePeriodRunsOutThenTheViewClosesAndItsTaskIsCancelled() {
		TestTab tab = this.strand.open("/streaming").connect();
		tab.post("/streaming/start");
		double cancelled = cancelled("job");
		tab.disconnect().expire();
		assertThat(tab.isClosed()).isTrue();
		assertThat(cancelled("job") - cancelled).isEqualTo(1);
	}

	@Test
	void whenAnotherSessionPresentsTheViewIdThenTheStreamAndPageEventsAreNotFound() {
		TestTab tab = this.strand.open("/streaming").connect();
		TestTab other = this.strand.open("/streaming"); // a session of its own
		other.pageEvent("/streaming/start").headers((headers) -> headers.set("Strand-View", tab.viewId())).exchange()
			.expectStatus().isNotFound();
		other.session().get("/strand/stream?view=" + tab.viewId()).exchange().expectStatus().isNotFound();
		other.session().get("/strand/stream/status?view=" + tab.viewId()).exchange().expectStatus().isNotFound();
		tab.session().get("/strand/stream/status?view=" + tab.viewId()).exchange().expectStatus().isOk();
		assertThat(tab.runningTasks()).isEmpty();
		tab.post("/streaming/start");
		assertThat(tab.runningTasks()).containsExactly("job");
	}

	private double cancelled(String task) {
		return Search.in(this.meters).name("strand.tasks").tag("task", task).tag("outcome", "cancelled").timers()
			.stream().mapToLong((timer) -> timer.count()).sum();
	}

}
