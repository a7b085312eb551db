package dev.strand.demo;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;

import dev.strand.AsyncResult;
import dev.strand.HandleAsync;
import dev.strand.HandleChunk;
import dev.strand.Outcome;
import dev.strand.View;

/**
 * A streaming task, after the fly.io article on LiveView's {@code start_async}: five chunks one second apart,
 * a progress bar, a Start button that becomes Cancel, and a flash for each of the four outcomes.
 */
@Controller
@RequestMapping("/streaming")
class StreamingController {

	static final int CHUNKS = 5;

	@GetMapping
	String page(View view) {
		view.assign("messages", List.of())
			.assign("job", AsyncResult.idle())
			.assign("run", 0);
		return "streaming";
	}

	@PostMapping("/start")
	void start(View view, @ModelAttribute StartForm form) {
		Ending ending = Ending.of(form.ending());
		view.assign("messages", List.of())
			.update("run", (Integer run) -> run + 1)
			.startAsync("job", (task) -> {
				for (int n = 1; n <= CHUNKS; n++) {
					Thread.sleep(1000);
					if (n == ending.afterChunk + 1) {
						switch (ending) {
							case FAIL -> throw task.fail("quota exceeded after chunk " + ending.afterChunk);
							case CRASH -> throw new IllegalStateException("the import crashed after chunk " + ending.afterChunk);
							default -> {
							}
						}
					}
					task.push("Async work chunk " + n);
					task.progress(n, CHUNKS);
				}
				return "done";
			});
	}

	@PostMapping("/cancel")
	void cancel(View view) {
		view.cancelAsync("job");
	}

	@HandleChunk("job")
	void chunk(String chunk, View view) {
		view.update("messages", (List<String> messages) -> {
			List<String> copy = new ArrayList<>(messages);
			copy.add(chunk);
			return List.copyOf(copy);
		});
	}

	@HandleAsync("job")
	void done(Outcome<String> outcome, View view) {
		view.clearFlash(); // one message, about this run: an earlier run's "Completed!" must not sit beside "Failed"
		switch (outcome) {
			case Outcome.Ok<String> ok -> view.flash("info", "Completed!");
			case Outcome.Failed<String> failed -> view.flash("error", "Failed: " + failed.reason());
			case Outcome.Exit<String> exit -> view.flash("error", "Task failed (crashed; ref " + exit.ref() + ")");
			case Outcome.Cancelled<String> cancelled -> view.flash("info", "Cancelled");
		}
	}

	/**
	 * The start form.
	 *
	 * @param ending how the task should end: {@code ok}, {@code fail} or {@code crash}
	 */
	record StartForm(@Nullable String ending) {
	}

	/** How the task ends. */
	enum Ending {

		/** It returns normally after all five chunks. */
		OK(CHUNKS),
		/** It returns an error, {@code throw task.fail(...)}, after three chunks. */
		FAIL(3),
		/** It throws after three chunks. */
		CRASH(3);

		final int afterChunk;

		Ending(int afterChunk) {
			this.afterChunk = afterChunk;
		}

		static Ending of(@Nullable String value) {
			return switch ((value != null) ? value : "ok") {
				case "fail" -> FAIL;
				case "crash" -> CRASH;
				default -> OK;
			};
		}

	}

}
