package dev.strand.test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.strand.AsyncResult;
import dev.strand.HandleAsync;
import dev.strand.HandleChunk;
import dev.strand.Outcome;
import dev.strand.View;

/** A page with an assignAsync, a streaming task and every Strand element, for the test client's tests. */
@SpringBootApplication
public class BoardApp {

	@Controller
	@RequestMapping("/board")
	static class BoardController {

		private final Outcomes outcomes;

		BoardController(Outcomes outcomes) {
			this.outcomes = outcomes;
		}

		@GetMapping
		String page(View view, @RequestParam(defaultValue = "0") long orgDelay) {
			view.assign("title", "Board").assign("messages", List.of()).assign("job", AsyncResult.idle());
			view.assignAsync("org", () -> {
				Thread.sleep(orgDelay);
				return "Acme";
			});
			return "board";
		}

		@PostMapping("/start")
		void start(View view, @ModelAttribute StartForm form) {
			int count = (form.count() != null) ? form.count() : 3;
			long pause = (form.pause() != null) ? form.pause() : 0;
			String ending = (form.ending() != null) ? form.ending() : "ok";
			view.assign("messages", List.of()).startAsync("job", (task) -> {
				for (int n = 1; n <= count; n++) {
					if (pause > 0) {
						Thread.sleep(pause);
					}
					task.push("chunk " + n);
					task.progress(n, count);
				}
				switch (ending) {
					case "fail" -> throw task.fail("quota exceeded");
					case "crash" -> throw new IllegalStateException("the board crashed");
					case "hang" -> Thread.sleep(60_000);
					default -> {
					}
				}
				return "done";
			});
		}

		@PostMapping("/workers")
		void workers(View view) {
			view.startAsync("ticker", (task) -> {
				while (true) {
					Thread.sleep(1000);
				}
			});
			for (int n = 1; n <= 3; n++) {
				long pause = 50L * n;
				view.startAsync("worker-" + n, (task) -> {
					Thread.sleep(pause);
					return pause;
				});
			}
		}

		@HandleAsync("worker-*")
		void workerDone(Outcome<Long> outcome, View view) {
		}

		@HandleAsync("ticker")
		void tickerDone(Outcome<Void> outcome, View view) {
		}

		@PostMapping("/cancel")
		void cancel(View view) {
			view.cancelAsync("job");
		}

		@PostMapping("/title")
		void title(View view, @ModelAttribute TitleForm form) {
			view.assign("title", form.title());
		}

		@HandleChunk("job")
		void chunk(String chunk, View view) {
			view.update("messages", (List<String> messages) -> {
				List<String> copy = new ArrayList<>(messages);
				copy.add(chunk);
				return copy;
			});
		}

		@HandleAsync("job")
		void done(Outcome<String> outcome, View view) {
			this.outcomes.seen.add(outcome);
			view.flash((outcome instanceof Outcome.Ok<String>) ? "info" : "error", "Job: " + outcome.kind().tag());
		}

	}

	/**
	 * The start form.
	 *
	 * @param count how many chunks
	 * @param pause milliseconds before each
	 * @param ending {@code ok}, {@code fail}, {@code crash} or {@code hang}
	 */
	record StartForm(@Nullable Integer count, @Nullable Long pause, @Nullable String ending) {
	}

	record TitleForm(String title) {
	}

	/** Every outcome the controller's callback received. */
	@Component
	static class Outcomes {

		final List<Outcome<?>> seen = new CopyOnWriteArrayList<>();

	}

}
