package dev.strand.demo;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.strand.Outcome;
import dev.strand.Progress;
import dev.strand.test.AutoConfigureStrandTestClient;
import dev.strand.test.ReceivedOutcome;
import dev.strand.test.StrandTestClient;
import dev.strand.test.TestTab;

import static org.assertj.core.api.Assertions.assertThat;

/** The streaming task's four outcomes, without a browser. */
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureStrandTestClient
class StreamingOutcomesTests {

	@Autowired
	StrandTestClient strand;

	@Test
	void whenTheTaskReturnsThenFiveChunksArriveAndCompletedIsFlashed() {
		TestTab tab = this.strand.open("/streaming").connect();
		tab.post("/streaming/start", Map.of("ending", "ok"));
		assertThat(tab.text("#controls .status")).startsWith("Running");
		tab.awaitTask("job");
		assertThat(tab.texts("#chunks .strand-chunk")).containsExactly("Async work chunk 1", "Async work chunk 2",
				"Async work chunk 3", "Async work chunk 4", "Async work chunk 5");
		assertThat(tab.progress("job")).isEqualTo(new Progress(5, 5));
		assertThat(tab.outcome("job").kind()).isEqualTo(Outcome.Kind.OK);
		assertThat(tab.text("#flash .strand-flash-info .strand-flash-text")).isEqualTo("Completed!");
		assertThat(tab.text("#controls .status")).isEqualTo("Completed: returned \"done\"");
	}

	@Test
	void whenTheTaskReturnsAnErrorThenItsReasonIsFlashed() {
		TestTab tab = this.strand.open("/streaming").connect();
		tab.post("/streaming/start", Map.of("ending", "fail")).awaitTask("job");
		assertThat(tab.chunks("job")).hasSize(3);
		assertThat(tab.outcome("job").kind()).isEqualTo(Outcome.Kind.FAILED);
		assertThat(tab.flash("error")).isEqualTo("Failed: quota exceeded after chunk 3");
		assertThat(tab.asyncResult("job").failed().reason()).isEqualTo("quota exceeded after chunk 3");
		assertThat(tab.text("#controls .status")).isEqualTo("Returned an error.");
	}

	@Test
	void whenTheTaskThrowsThenTaskFailedIsFlashedWithAReferenceButNotTheException() {
		TestTab tab = this.strand.open("/streaming").connect();
		tab.post("/streaming/start", Map.of("ending", "crash")).awaitTask("job");
		ReceivedOutcome crashed = tab.outcome("job");
		assertThat(crashed.kind()).isEqualTo(Outcome.Kind.EXIT);
		assertThat(tab.flash("error")).isEqualTo("Task failed (crashed; ref " + crashed.ref() + ")");
		assertThat(tab.text("#flash")).doesNotContain("IllegalStateException").doesNotContain("the import crashed");
		assertThat(tab.text("#controls .status")).isEqualTo("Crashed (" + crashed.ref() + ").");
	}

	@Test
	void whenTheTaskIsCancelledThenCancelledIsFlashedAndNoMoreChunksArrive() {
		TestTab tab = this.strand.open("/streaming").connect();
		tab.post("/streaming/start").post("/streaming/cancel").awaitTask("job");
		assertThat(tab.outcome("job").reason()).isEqualTo("requested");
		assertThat(tab.flash("info")).isEqualTo("Cancelled");
		assertThat(tab.text("#controls .status")).isEqualTo("Cancelled.");
		assertThat(tab.runningTasks()).isEmpty();
		assertThat(tab.chunks("job")).isEmpty();
	}

}
