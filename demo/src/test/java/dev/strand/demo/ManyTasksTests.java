package dev.strand.demo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.strand.Outcome;
import dev.strand.test.AutoConfigureStrandTestClient;
import dev.strand.test.ReceivedEvent;
import dev.strand.test.StrandTestClient;
import dev.strand.test.TestTab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The many-tasks page without a browser: twenty rows, one row's task cancelled and the others completing, rows
 * added and removed, and the counts the page's long-running stats task reads from Strand's gauges.
 */
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureStrandTestClient
class ManyTasksTests {

	@Autowired
	StrandTestClient strand;

	@Test
	void whenOneOfTwentyWorkersIsCancelledThenOnlyItEndsCancelledAndTheOthersComplete() {
		TestTab tab = this.strand.open("/many").connect();
		assertThat(tab.count("#workers li.worker")).isEqualTo(ManyTasksController.WORKERS);
		assertThat(tab.count("#workers .state.idle")).isEqualTo(ManyTasksController.WORKERS);
		tab.post("/many/start");
		assertThat(tab.count("#workers .state.running")).isEqualTo(ManyTasksController.WORKERS);
		tab.post("/many/cancel", Map.of("task", "worker-7")).awaitTask("worker-7");
		assertThat(tab.text("#controls-worker-7 .state")).isEqualTo("Cancelled");
		// not awaitTasks(): the page's stats task runs for as long as the tab is open; a worker takes up to 12 s
		tab.awaitTask("worker-*", Duration.ofSeconds(30));
		assertThat(tab.runningTasks()).containsExactly("stats");
		assertThat(tab.<ManyTasksController.Tally>assign("tally")).isEqualTo(new ManyTasksController.Tally(19, 1, 0));
		assertThat(tab.count("#workers .state.ok")).isEqualTo(ManyTasksController.WORKERS - 1);
		assertThat(tab.attribute("#controls-worker-7 .state", "class")).isEqualTo("state cancelled");
		assertThat(tab.texts("#workers .state.ok")).allMatch((state) -> state.matches("Done \\(\\d+ steps\\)"));
		assertThat(tab.attribute("#bar-worker-1", "value")).isEqualTo(tab.attribute("#bar-worker-1", "max"));
		assertThat(tab.attribute("#bar-worker-7", "value")).isNotEqualTo(tab.attribute("#bar-worker-7", "max"));
		// a finished row starts again from nothing
		tab.post("/many/start-one", Map.of("task", "worker-1"));
		assertThat(tab.text("#controls-worker-1 .state")).startsWith("Running");
		assertThat(tab.attribute("#controls-worker-1 button[aria-label='Start worker-1']", "disabled")).isNotNull();
		assertThat(tab.count("#workers .state.running")).isOne();
	}

	@Test
	void whenWorkersRunThenTheCountsShowTheGaugesAndCancelAllStopsThem() {
		TestTab tab = this.strand.open("/many").connect();
		assertThat(tab.text("#stat-views")).isNotEqualTo("0");
		tab.post("/many/start");
		// twenty workers and this page's own stats task, pushed by the stats task once a second
		await().atMost(Duration.ofSeconds(30)).until(() -> Integer.parseInt(tab.text("#stat-tasks")) >= 21);
		assertThat(tab.text("#stats")).contains("20running on this page");
		tab.post("/many/cancel-all").awaitTask("worker-*");
		assertThat(tab.count("#workers .state.cancelled")).isEqualTo(ManyTasksController.WORKERS);
		await().atMost(Duration.ofSeconds(30)).until(() -> tab.text("#stat-tasks").equals("1"));
		assertThat(tab.text("#stats")).contains("0running on this page");
	}

	@Test
	void whenARowIsAddedOrRemovedThenOnlyThatRowIsSentAndARemovedRowsTaskIsCancelled() {
		TestTab tab = this.strand.open("/many").connect();
		long before = tab.lastEventId();
		tab.post("/many/add");
		assertThat(patchesAfter(tab, before)).filteredOn((patch) -> patch.data().contains("\"target\":\"workers\""))
			.singleElement()
			.satisfies((patch) -> assertThat(patch.data()).startsWith("{\"target\":\"workers\",\"op\":\"append\",\"html\":\"<li id=\\\"row-worker-21\\\"")
				.doesNotContain("row-worker-20"));
		assertThat(tab.count("#workers li.worker")).isEqualTo(ManyTasksController.WORKERS + 1);
		assertThat(tab.text("#controls-worker-21 .state")).isEqualTo("Waiting");

		tab.post("/many/start-one", Map.of("task", "worker-21"));
		assertThat(tab.runningTasks()).contains("worker-21");
		before = tab.lastEventId();
		tab.post("/many/remove", Map.of("task", "worker-21")).awaitTask("worker-21");
		assertThat(patchesAfter(tab, before)).filteredOn((patch) -> patch.data().contains("row-worker-"))
			.singleElement()
			.satisfies((patch) -> assertThat(patch.data()).isEqualTo("{\"target\":\"row-worker-21\",\"op\":\"remove\",\"html\":\"\"}"));
		assertThat(tab.outcome("worker-21").kind()).isEqualTo(Outcome.Kind.CANCELLED);
		assertThat(tab.count("#workers li.worker")).isEqualTo(ManyTasksController.WORKERS);
		assertThat(tab.html()).doesNotContain("worker-21");
		assertThat(tab.<ManyTasksController.Tally>assign("tally")).isEqualTo(new ManyTasksController.Tally(0, 1, 0));
		assertThat(tab.text("#stat-running")).isEqualTo("0");
		assertThat(tab.<Object>assign("worker-21")).isNull();
	}

	@Test
	void whenEveryRowIsRemovedThenThePlaceholderShowsAndANewRowCanRun() {
		TestTab tab = this.strand.open("/many").connect();
		assertThat(tab.text("#workers-empty")).isEmpty();
		for (int i = 1; i <= ManyTasksController.WORKERS; i++) {
			tab.post("/many/remove", Map.of("task", "worker-" + i));
		}
		assertThat(tab.count("#workers li")).isZero();
		assertThat(tab.text("#workers-empty")).isEqualTo("No rows. Press “Add a row”.");
		tab.post("/many/add").post("/many/start-one", Map.of("task", "worker-21"));
		assertThat(tab.count("#workers li.worker")).isOne();
		assertThat(tab.text("#workers-empty")).isEmpty();
		tab.awaitTask("worker-21", Duration.ofSeconds(30));
		assertThat(tab.text("#controls-worker-21 .state")).matches("Done \\(\\d+ steps\\)");
	}

	/** The patches that arrived after an event. */
	static List<ReceivedEvent> patchesAfter(TestTab tab, long after) {
		return tab.events().stream().filter((event) -> event.id() > after && event.name().equals("patch")).toList();
	}

}
