package dev.strand.demo;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.strand.test.AutoConfigureStrandTestClient;
import dev.strand.test.StrandTestClient;
import dev.strand.test.TestTab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The many-tasks page without a browser: twenty workers, one cancelled, the others completing, and the counts the
 * page's long-running stats task reads from Strand's gauges.
 */
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureStrandTestClient
class ManyTasksTests {

	@Autowired
	StrandTestClient strand;

	@Test
	void whenOneOfTwentyWorkersIsCancelledThenOnlyItEndsCancelledAndTheOthersComplete() {
		TestTab tab = this.strand.open("/many").connect();
		tab.post("/many/start");
		assertThat(tab.count("#workers li.worker.running")).isEqualTo(ManyTasksController.WORKERS);
		tab.post("/many/cancel", Map.of("task", "worker-7")).awaitTask("worker-7");
		assertThat(tab.text("#workers li[data-task=worker-7] .worker-state")).isEqualTo("Cancelled");
		// not awaitTasks(): the page's stats task runs for as long as the tab is open; a worker takes up to 12 s
		tab.awaitTask("worker-*", Duration.ofSeconds(30));
		assertThat(tab.runningTasks()).containsExactly("stats");
		assertThat(tab.<ManyTasksController.Tally>assign("tally")).isEqualTo(new ManyTasksController.Tally(19, 1, 0));
		assertThat(tab.count("#workers li.worker.ok")).isEqualTo(ManyTasksController.WORKERS - 1);
		assertThat(tab.attribute("#workers li[data-task=worker-7]", "class")).isEqualTo("worker cancelled");
		assertThat(tab.texts("#workers li.worker.ok .worker-state")).allMatch((state) -> state.matches("Done \\(\\d+ steps\\)"));
		assertThat(tab.attribute("#workers li[data-task=worker-1] progress", "value"))
			.isEqualTo(tab.attribute("#workers li[data-task=worker-1] progress", "max"));
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
		assertThat(tab.count("#workers li.worker.cancelled")).isEqualTo(ManyTasksController.WORKERS);
		await().atMost(Duration.ofSeconds(30)).until(() -> tab.text("#stat-tasks").equals("1"));
		assertThat(tab.text("#stats")).contains("0running on this page");
	}

}
