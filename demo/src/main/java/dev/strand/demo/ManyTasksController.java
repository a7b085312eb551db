package dev.strand.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;

import dev.strand.AsyncOptions;
import dev.strand.AsyncResult;
import dev.strand.HandleAsync;
import dev.strand.HandleChunk;
import dev.strand.Outcome;
import dev.strand.TaskName;
import dev.strand.View;

/**
 * Twenty tasks at once, each with its own progress bar and Cancel button, and live counts of the tasks and
 * views of the whole application, read from Strand's Micrometer gauges by a long-running "stats" task.
 */
@Controller
@RequestMapping("/many")
class ManyTasksController {

	static final int WORKERS = 20;

	private static final String PREFIX = "worker-";

	private final MeterRegistry meters;

	ManyTasksController(MeterRegistry meters) {
		this.meters = meters;
	}

	@GetMapping
	String page(View view) {
		view.assign("workers", List.of())
			.assign("tally", Tally.EMPTY)
			.assign("stats", stats())
			// Runs while the tab is open: it is cancelled when the tab goes away.
			.startAsync("stats", AsyncOptions.timeout(Duration.ofDays(1)), (task) -> {
				while (true) {
					task.push(stats());
					Thread.sleep(1000);
				}
			});
		return "many";
	}

	@PostMapping("/start")
	void start(View view) {
		List<String> names = new ArrayList<>();
		for (int i = 1; i <= WORKERS; i++) {
			String name = PREFIX + i;
			names.add(name);
			int steps = ThreadLocalRandom.current().nextInt(15, 31);
			long pause = ThreadLocalRandom.current().nextLong(250, 400);
			// The assign named like the task follows it: loading, progress, then ok or failed.
			view.assign(name, AsyncResult.idle()).startAsync(name, (task) -> {
				for (int step = 1; step <= steps; step++) {
					Thread.sleep(pause);
					task.progress(step, steps);
				}
				return steps;
			});
		}
		view.assign("workers", List.copyOf(names)).assign("tally", Tally.EMPTY);
	}

	@PostMapping("/cancel")
	void cancel(View view, @ModelAttribute CancelForm form) {
		List<String> workers = view.get("workers");
		if (workers != null && workers.contains(form.task())) {
			view.cancelAsync(form.task());
		}
	}

	@PostMapping("/cancel-all")
	void cancelAll(View view) {
		List<String> workers = view.get("workers");
		if (workers != null) {
			workers.forEach(view::cancelAsync);
		}
	}

	@HandleAsync("worker-*")
	void workerDone(Outcome<Integer> outcome, @TaskName String name, View view) {
		view.update("tally", (Tally tally) -> tally.add(outcome.kind()));
	}

	@HandleChunk("stats")
	void stats(Stats stats, View view) {
		view.assign("stats", stats);
	}

	@HandleAsync("stats")
	void statsDone(Outcome<Void> outcome, View view) {
		// Only when the tab closes (or after a day): nothing left to show.
	}

	private Stats stats() {
		return new Stats(gauge("strand.tasks.active"), gauge("strand.views.active"));
	}

	private int gauge(String name) {
		Gauge gauge = this.meters.find(name).gauge();
		return (gauge != null) ? (int) gauge.value() : 0;
	}

	/**
	 * The cancel form.
	 *
	 * @param task the worker to cancel
	 */
	record CancelForm(@Nullable String task) {
	}

	/**
	 * The application's counts, from the gauges.
	 *
	 * @param tasks tasks running, in every tab
	 * @param views open views (tabs)
	 */
	record Stats(int tasks, int views) {
	}

	/**
	 * How this tab's workers ended.
	 *
	 * @param ok how many completed
	 * @param cancelled how many were cancelled
	 * @param failed how many failed or crashed
	 */
	record Tally(int ok, int cancelled, int failed) {

		static final Tally EMPTY = new Tally(0, 0, 0);

		Tally add(Outcome.Kind kind) {
			return switch (kind) {
				case OK -> new Tally(this.ok + 1, this.cancelled, this.failed);
				case CANCELLED -> new Tally(this.ok, this.cancelled + 1, this.failed);
				case FAILED, EXIT -> new Tally(this.ok, this.cancelled, this.failed + 1);
			};
		}

		public int ended() {
			return this.ok + this.cancelled + this.failed;
		}

	}

}
