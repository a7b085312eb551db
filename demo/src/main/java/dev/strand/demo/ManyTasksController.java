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
 * Rows of tasks: twenty to start with, more added and removed, each row with its own task, progress bar, status,
 * Start, Cancel and Remove; and live counts of the tasks and views of the whole application, read from Strand's
 * Micrometer gauges by a long-running "stats" task. The page has no script of its own: each row's
 * {@code strand:} elements follow the {@code AsyncResult} assigned under the row's task name, and the list, whose
 * rows are keyed by id, is sent as the rows added and removed.
 */
@Controller
@RequestMapping("/many")
class ManyTasksController {

	/** How many rows the page starts with. */
	static final int WORKERS = 20;

	/** How many rows the page may have: each row may run a task, and a view runs at most 64. */
	static final int MAX_ROWS = 40;

	private static final String PREFIX = "worker-";

	private final MeterRegistry meters;

	ManyTasksController(MeterRegistry meters) {
		this.meters = meters;
	}

	@GetMapping
	String page(View view) {
		List<String> workers = new ArrayList<>();
		for (int i = 1; i <= WORKERS; i++) {
			workers.add(PREFIX + i);
			// The assign named like the row's task follows it: loading, progress, then ok or failed.
			view.assign(PREFIX + i, AsyncResult.idle());
		}
		view.assign("workers", List.copyOf(workers))
			.assign("next", WORKERS + 1)
			.assign("maxRows", MAX_ROWS)
			.assign("running", 0)
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

	/** Start every row whose task is not running. */
	@PostMapping("/start")
	void startAll(View view) {
		workers(view).forEach((name) -> start(view, name));
		countRunning(view);
	}

	@PostMapping("/start-one")
	void startOne(View view, @ModelAttribute RowForm form) {
		String name = form.task();
		if (name != null && workers(view).contains(name)) {
			start(view, name);
			countRunning(view);
		}
	}

	@PostMapping("/cancel")
	void cancel(View view, @ModelAttribute RowForm form) {
		String name = form.task();
		if (name != null && workers(view).contains(name)) {
			view.cancelAsync(name);
			countRunning(view);
		}
	}

	@PostMapping("/cancel-all")
	void cancelAll(View view) {
		workers(view).forEach(view::cancelAsync);
		countRunning(view);
	}

	/** A new row at the end of the list, with a name no row has had. */
	@PostMapping("/add")
	void add(View view) {
		if (workers(view).size() >= MAX_ROWS) {
			view.flash("error", "This page holds at most " + MAX_ROWS + " rows.");
			return;
		}
		int next = view.<Integer>get("next");
		String name = PREFIX + next;
		view.assign(name, AsyncResult.idle())
			.assign("next", next + 1)
			.update("workers", (List<String> workers) -> {
				List<String> more = new ArrayList<>(workers);
				more.add(name);
				return List.copyOf(more);
			});
	}

	/** The row leaves the list, and its task, if it runs, is cancelled. */
	@PostMapping("/remove")
	void remove(View view, @ModelAttribute RowForm form) {
		String name = form.task();
		if (name == null || !workers(view).contains(name)) {
			return;
		}
		view.cancelAsync(name);
		view.assign(name, null)
			.update("workers", (List<String> workers) -> workers.stream().filter((row) -> !row.equals(name)).toList());
		countRunning(view);
	}

	@HandleAsync("worker-*")
	void workerDone(Outcome<Integer> outcome, @TaskName String name, View view) {
		view.update("tally", (Tally tally) -> tally.add(outcome.kind()));
		countRunning(view);
	}

	// send = false: the page shows the stats only through #stats, so the chunk itself need not go to it
	@HandleChunk(value = "stats", send = false)
	void stats(Stats stats, View view) {
		view.assign("stats", stats);
	}

	@HandleAsync("stats")
	void statsDone(Outcome<Void> outcome, View view) {
		// Only when the tab closes (or after a day): nothing left to show.
	}

	private static void start(View view, String name) {
		AsyncResult<?> worker = view.get(name);
		if (worker != null && worker.loading()) {
			return; // it runs already; starting it again would drop its result
		}
		int steps = ThreadLocalRandom.current().nextInt(15, 31);
		long pause = ThreadLocalRandom.current().nextLong(250, 400);
		// reset: a row that ran before starts from nothing, not from its previous result
		view.startAsync(name, AsyncOptions.reset(), (task) -> {
			for (int step = 1; step <= steps; step++) {
				Thread.sleep(pause);
				task.progress(step, steps);
			}
			return steps;
		});
	}

	/** How many of this page's rows run a task, for the counts. */
	private static void countRunning(View view) {
		long running = workers(view).stream()
			.filter((name) -> view.get(name) instanceof AsyncResult<?> worker && worker.loading())
			.count();
		view.assign("running", (int) running);
	}

	private static List<String> workers(View view) {
		List<String> workers = view.get("workers");
		return (workers != null) ? workers : List.of();
	}

	private Stats stats() {
		return new Stats(gauge("strand.tasks.active"), gauge("strand.views.active"));
	}

	private int gauge(String name) {
		Gauge gauge = this.meters.find(name).gauge();
		return (gauge != null) ? (int) gauge.value() : 0;
	}

	/**
	 * A row's form: its Start, Cancel and Remove buttons.
	 *
	 * @param task the row's task
	 */
	record RowForm(@Nullable String task) {
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
	 * How this tab's row tasks ended, since the page opened.
	 *
	 * @param ok how many completed
	 * @param cancelled how many were cancelled (a removed row's running task too)
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

	}

}
