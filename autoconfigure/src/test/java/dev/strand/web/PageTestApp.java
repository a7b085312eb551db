package dev.strand.web;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

import dev.strand.AsyncResult;
import dev.strand.HandleAsync;
import dev.strand.HandleChunk;
import dev.strand.Outcome;
import dev.strand.TaskName;
import dev.strand.View;

/** A page with every Strand element, for the web tests. */
@SpringBootApplication
public class PageTestApp {

	/** The workers whose thread was interrupted: cancelled while they slept. */
	static final java.util.Set<String> INTERRUPTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

	/** The views opened by a GET that redirected instead of rendering a page. */
	static final java.util.List<String> REDIRECTED_VIEWS = new java.util.concurrent.CopyOnWriteArrayList<>();

	/** A bean that templates call by name, as {@code ${@shouter.shout(title)}}. */
	@org.springframework.context.annotation.Bean
	Shouter shouter() {
		return new Shouter();
	}

	/** Shows a loudness as the page's conversion service says. */
	@org.springframework.context.annotation.Bean
	org.springframework.web.reactive.config.WebFluxConfigurer loudnessConverter() {
		return new org.springframework.web.reactive.config.WebFluxConfigurer() {

			@Override
			public void addFormatters(org.springframework.format.FormatterRegistry registry) {
				registry.addConverter(Loudness.class, String.class, (loudness) -> loudness.decibels() + " dB");
			}

		};
	}

	/** How loud a text is, which only the conversion service of the page's view knows how to show. */
	public record Loudness(int decibels) {
	}

	/** Says a text louder. */
	public static class Shouter {

		/**
		 * How loud a shout is.
		 * @param text what to say
		 * @return its loudness
		 */
		public Loudness loudness(String text) {
			return new Loudness(10 * text.length());
		}

		/**
		 * Say it louder.
		 * @param text what to say
		 * @return the text in capitals, with an exclamation mark
		 */
		public String shout(String text) {
			return text.toUpperCase(java.util.Locale.ROOT) + "!";
		}

	}

	/** Page events post form data, which WebFlux binds with {@code @ModelAttribute}. */
	record PushForm(String text) {
	}

	@Controller
	static class ImportController {

		@GetMapping("/import")
		String page(View view) {
			view.assign("messages", List.of()).assign("job", AsyncResult.idle()).assign("title", "Import");
			view.assignAsync("org", () -> "Acme");
			return "import";
		}

		@GetMapping("/import/elsewhere")
		String elsewhere(View view) {
			REDIRECTED_VIEWS.add(view.id());
			return "redirect:/import";
		}

		@GetMapping("/watch")
		String watch(View view) {
			view.assign("messages", List.of()).assign("job", AsyncResult.idle()).assign("title", "Import");
			return "watch";
		}

		@PostMapping("/import/start")
		@ResponseBody
		String start(View view, @RequestParam(defaultValue = "3") int count, @RequestParam(defaultValue = "0") long pause) {
			view.assign("messages", List.of()).startAsync("job", (task) -> {
				for (int n = 1; n <= count; n++) {
					task.push("chunk " + n);
					task.progress(n, count);
					if (pause > 0) {
						Thread.sleep(pause);
					}
				}
				return "done";
			});
			return "started";
		}

		@PostMapping("/import/quiet")
		@ResponseBody
		String quiet(View view, @RequestParam(defaultValue = "3") int count) {
			view.assign("messages", List.of()).startAsync("quiet", (task) -> {
				for (int n = 1; n <= count; n++) {
					task.push("quiet " + n);
				}
				return "done";
			});
			return "started";
		}

		@PostMapping("/import/flood")
		@ResponseBody
		String flood(View view) {
			String text = "x".repeat(4096);
			view.startAsync("job", (task) -> {
				while (true) {
					task.push(text);
				}
			});
			return "started";
		}

		@PostMapping("/import/feed")
		@ResponseBody
		String feed(View view) {
			String text = "x".repeat(4096);
			view.startAsync("worker-feed", (task) -> {
				while (true) {
					task.push(text);
				}
			});
			return "started";
		}

		@PostMapping("/import/push")
		@ResponseBody
		String push(View view, @ModelAttribute PushForm form) {
			view.startAsync("job", (task) -> {
				task.push(form.text());
				return "done";
			});
			return "started";
		}

		@PostMapping("/import/worker")
		@ResponseBody
		String worker(View view, @RequestParam String name) {
			view.startAsync("worker-" + name, (task) -> {
				try {
					Thread.sleep(60_000);
				}
				catch (InterruptedException ex) {
					INTERRUPTED.add(name);
					throw ex;
				}
				return "done";
			});
			return "started";
		}

		@PostMapping("/import/title")
		@ResponseBody
		String title(View view, @RequestParam String title) {
			view.assign("title", title);
			return "ok";
		}

		@PostMapping("/import/clear")
		void clear(View view) {
			view.assign("title", "Cleared");
		}

		@PostMapping("/import/go")
		String go(View view) {
			return "redirect:/import?from=go";
		}

		@PostMapping("/import/navigate")
		void navigate(View view) {
			view.navigate("/import?from=navigate");
		}

		@PostMapping("/logout")
		@ResponseBody
		reactor.core.publisher.Mono<String> logout(org.springframework.web.server.WebSession session) {
			return session.invalidate().thenReturn("bye");
		}

		@HandleChunk("job")
		void chunk(String chunk, View view) {
			view.update("messages", (List<String> messages) -> {
				List<String> copy = new ArrayList<>(messages);
				copy.add(chunk);
				return copy;
			});
		}

		@HandleChunk(value = "quiet", send = false)
		void quietChunk(String chunk, View view) {
			chunk(chunk, view);
		}

		@HandleAsync("quiet")
		void quietDone(Outcome<String> outcome) {
		}

		@HandleAsync("job")
		void done(Outcome<String> outcome, View view) {
			view.flash("info", "Completed: " + outcome.kind().tag());
		}

		@HandleAsync("worker-*")
		void workerDone(Outcome<String> outcome, @TaskName String name, View view) {
			view.flash("info", name + " " + outcome.kind().tag());
		}

	}

	/** A row of the rows page. */
	public record Report(String id, String name) {
	}

	/** A table whose rows each have their own task, and that rows are added to and removed from. */
	@Controller
	static class RowsController {

		@GetMapping("/rows")
		String page(View view) {
			List<Report> reports = List.of(new Report("a", "Alpha"), new Report("b", "Beta"), new Report("c", "Gamma"));
			view.assign("reports", reports);
			reports.forEach((report) -> view.assign("report:" + report.id(), AsyncResult.idle()));
			view.assign("broken", false);
			return "rows";
		}

		/** The rows with only a name and a log, which no other element of the row watches, and which draws the title. */
		@GetMapping("/rows/logs")
		String logs(View view) {
			view.assign("reports", List.of(new Report("a", "Alpha"), new Report("b", "Beta"), new Report("c", "Gamma")));
			view.assign("title", "T0");
			return "row-logs";
		}

		/** An assign that the logs draw, and that nothing watches. */
		@PostMapping("/rows/title")
		void title(View view, @RequestParam String title) {
			view.assign("title", title);
		}

		@PostMapping("/rows/log")
		void log(View view, @RequestParam String id, @RequestParam int chunks) {
			view.startAsync("log:" + id, (task) -> {
				for (int n = 0; n < chunks; n++) {
					task.push("line of " + id);
				}
				return id;
			});
		}

		@PostMapping("/rows/run")
		void run(View view, @RequestParam String id, @RequestParam(defaultValue = "0") long pause,
				@RequestParam(defaultValue = "1") int chunks) {
			view.startAsync("report:" + id, (task) -> {
				task.progress(1, 2);
				for (int n = 0; n < chunks; n++) {
					task.push("half of " + id);
				}
				if (pause > 0) {
					Thread.sleep(pause);
				}
				return id.toUpperCase(java.util.Locale.ROOT);
			});
		}

		@PostMapping("/rows/add")
		void add(View view, @RequestParam String id, @RequestParam(defaultValue = "false") boolean first) {
			view.assign("report:" + id, AsyncResult.idle()).update("reports", (List<Report> reports) -> {
				List<Report> copy = new ArrayList<>(reports);
				copy.add(first ? 0 : copy.size(), new Report(id, "New " + id));
				return copy;
			});
		}

		@PostMapping("/rows/remove")
		void remove(View view, @RequestParam String id) {
			view.update("reports", (List<Report> reports) -> reports.stream().filter((r) -> !r.id().equals(id)).toList());
		}

		/** Rename a row; with {@code breaking}, an element outside the list fails to render in the same turn. */
		@PostMapping("/rows/rename")
		void rename(View view, @RequestParam String id, @RequestParam String name,
				@RequestParam(defaultValue = "false") boolean breaking) {
			view.update("reports", (List<Report> reports) -> reports.stream()
				.map((r) -> r.id().equals(id) ? new Report(id, name) : r).toList());
			if (breaking) {
				view.assign("broken", true);
			}
		}

		@PostMapping("/rows/hint")
		void hint(View view, @RequestParam String id, @RequestParam String text) {
			view.assign("hint:" + id, text);
		}

		@PostMapping("/rows/clear")
		void clear(View view) {
			view.assign("reports", List.of());
		}

		@PostMapping("/rows/reverse")
		void reverse(View view) {
			view.update("reports", (List<Report> reports) -> reports.reversed());
		}

		@HandleAsync("report:*")
		void done(Outcome<String> outcome, @TaskName String name, View view) {
		}

		@HandleAsync("log:*")
		void logged(Outcome<String> outcome) {
		}

	}

	/** A page whose elements fail to render on demand, for the error-path tests. */
	@Controller
	static class ErrorsController {

		@GetMapping("/errors")
		String page(View view) {
			view.assign("broken", false).assign("outerBroken", false).assign("note", "old")
				.assign("reports", List.of(new Report("a", "Alpha"), new Report("b", "Beta")));
			return "errors";
		}

		@PostMapping("/errors/break")
		void breakIt(View view, @RequestParam String key) {
			view.assign(key, true);
		}

		@PostMapping("/errors/outer-and-note")
		void outerAndNote(View view, @RequestParam String note) {
			view.assign("outerBroken", true).assign("note", note);
		}

		@PostMapping("/errors/note")
		void note(View view, @RequestParam String note) {
			view.assign("note", note);
		}

		@PostMapping("/errors/throw")
		void throwing(View view, @RequestParam String note, @RequestParam(defaultValue = "false") boolean navigate) {
			view.assign("note", note);
			if (navigate) {
				view.navigate("/errors?from=throw");
			}
			throw new IllegalStateException("the handler failed after it changed the view");
		}

		@PostMapping("/errors/update-throws")
		void updateThrows(View view) {
			view.assign("note", "before-update");
			view.update("reports", (List<Report> reports) -> {
				throw new IllegalStateException("the update function failed");
			});
		}

		@PostMapping("/errors/remove")
		void remove(View view, @RequestParam String id) {
			view.update("reports", (List<Report> reports) -> reports.stream().filter((r) -> !r.id().equals(id)).toList());
		}

		@PostMapping("/errors/out")
		void out(View view, @RequestParam String id, @RequestParam(defaultValue = "3") int chunks,
				@RequestParam(defaultValue = "0") int boomAt) {
			view.startAsync("out:" + id, (task) -> {
				for (int n = 1; n <= chunks; n++) {
					task.push((n == boomAt) ? "boom" : "line " + n); // "boom" fails to render through the fragment
				}
				return id;
			});
		}

		@HandleAsync("out:*")
		void outDone(Outcome<String> outcome) {
		}

	}

}
