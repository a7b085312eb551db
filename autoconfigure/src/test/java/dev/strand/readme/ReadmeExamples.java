package dev.strand.readme;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;

import dev.strand.AsyncResult;
import dev.strand.HandleAsync;
import dev.strand.HandleChunk;
import dev.strand.Outcome;
import dev.strand.TaskName;
import dev.strand.TaskFailedException;
import dev.strand.View;

/**
 * The README's Java, as it is written there: {@link ReadmeTests} checks that every {@code java} block of the
 * README appears here, line for line, so the build compiles it and a change to the API breaks the README's
 * examples loudly.
 */
final class ReadmeExamples {

	private ReadmeExamples() {
	}

	record Org(String name) {
	}

	/** Where the examples' data comes from. */
	static class Directory {

		private final String what;

		Directory(String what) {
			this.what = what;
		}

		Object fetch(String slug) {
			return this.what + " of " + slug;
		}

		@Nullable Org find(String slug) {
			return "acme".equals(slug) ? new Org("Acme") : null;
		}

	}

	@Controller
	static class OrgController {

		private final Directory orgs = new Directory("organization") {

			@Override
			Object fetch(String slug) {
				return find(slug);
			}

		};

		private final Directory profiles = new Directory("profile");

		private final Directory ranks = new Directory("rank");

		@GetMapping("/orgs/{slug}")
		String org(@PathVariable String slug, View view) {           // a GET that takes a View creates the tab's state
			view.assign("slug", slug)
				.assignAsync("org", () -> orgs.fetch(slug))           // AsyncResult<Org> under "org"
				.assignAsync(Set.of("profile", "rank"),                // one function, several keys
						() -> Map.of("profile", profiles.fetch(slug), "rank", ranks.fetch(slug)));
			return "org";
		}

		@PostMapping("/orgs/reload")
		void reload(View view) {
			String slug = view.get("slug");
			view.assignAsync("org", () -> {
				Org org = orgs.find(slug);
				if (org == null) {
					throw TaskFailedException.of("not found");      // an expected failure: org.failed.reason is "not found"
				}
				return org;
			});
		}

	}

	@Controller
	static class ExportController {

		record User(String name) {
		}

		private final User user = new User("Ada");

		@PostMapping("/export/start")
		void start(View view) {
			view.startAsync("export", (task) -> {
				Thread.sleep(60_000);
				return Path.of("export.csv");
			});
		}

		@PostMapping("/export/cancel")
		void cancel(View view) { view.cancelAsync("export", "Cancelled by " + user.name()); }

		@HandleAsync("export")
		void exported(Outcome<Path> outcome, View view) {
			if (outcome instanceof Outcome.Cancelled<Path> c && c.detail() != null) {
				view.flash("info", c.detail().toString());               // the browser sees it only if you show it
			}
		}

	}

	@Controller
	static class ImportController {

		@GetMapping("/import")
		String page(View view) {
			view.assign("messages", List.of()).assign("run", 0).assign("job", AsyncResult.idle());
			return "readme-import";
		}

		@PostMapping("/import/start")                              // posted by the page (data-strand-post); void → 204
		void start(View view) {
			view.assign("messages", List.of())
				.startAsync("job", task -> {                       // a virtual thread, linked to the tab
					for (int n = 1; n <= 5; n++) {
						Thread.sleep(1000);
						task.push("Async work chunk " + n);        // in order, to @HandleChunk and the page
						task.progress(n, 5);                       // coalesced: only the latest matters
					}
					return "done";
				});
		}

		@HandleAsync("job")                                       // exactly once per task, on the tab's mailbox
		void done(Outcome<String> outcome, View view) {
			switch (outcome) {
				case Outcome.Ok<String> ok -> view.flash("info", "Completed!");
				case Outcome.Failed<String> f -> view.flash("error", "Failed: " + f.reason());
				case Outcome.Exit<String> e -> view.flash("error", "Task crashed (ref " + e.ref() + ")");
				case Outcome.Cancelled<String> c -> view.flash("info", "Cancelled");
			}
		}

		@HandleChunk("job")                                       // optional, on the tab's mailbox
		void chunk(String chunk, View view) {
			view.update("messages", (List<String> m) -> append(m, chunk));
		}

		private static List<String> append(List<String> messages, String message) {
			List<String> copy = new ArrayList<>(messages);
			copy.add(message);
			return List.copyOf(copy);
		}

		@PostMapping("/import/save")
		void save(View view) {
			view.startAsync("save", (task) -> 42L);
		}

		@HandleAsync("save")
		void saved(Outcome<Long> outcome, View view) {
			switch (outcome) {
				case Outcome.Ok<Long> ok -> view.navigate("/orders/" + ok.value());
				default -> view.flash("error", "The order could not be saved");
			}
		}

	}

	/** A report of the table. */
	record Report(String id, String name) {
	}

	/** A row's form: the id its buttons post. */
	record RowForm(String id) {
	}

	/** Where the reports come from. */
	static class Reports {

		private final java.util.concurrent.atomic.AtomicInteger ids = new java.util.concurrent.atomic.AtomicInteger(3);

		List<Report> all() {
			return List.of(new Report("1", "Q1 revenue"), new Report("2", "Q2 revenue"), new Report("3", "Q3 revenue"));
		}

		Report create() {
			int id = this.ids.incrementAndGet();
			return new Report(Integer.toString(id), "Report " + id);
		}

		String build(String id, dev.strand.TaskContext task) throws InterruptedException {
			for (int n = 1; n <= 2; n++) {
				task.progress(n, 2);
				Thread.sleep(10);
			}
			return "ready (" + id + ")";
		}

	}

	@Controller
	static class ReportsController {

		private final Reports reports = new Reports();

		@GetMapping("/reports")
		String reports(View view) {
			List<Report> rows = reports.all();
			view.assign("reports", rows);
			rows.forEach(r -> view.assign("report:" + r.id(), AsyncResult.idle()));   // each row's own state
			return "reports";
		}

		@PostMapping("/reports/build")
		void build(View view, @ModelAttribute RowForm row) {
			view.startAsync("report:" + row.id(), task -> reports.build(row.id(), task));  // one task per row
		}

		@PostMapping("/reports/add")
		void add(View view) {
			Report report = reports.create();
			view.assign("report:" + report.id(), AsyncResult.idle())
				.update("reports", (List<Report> rows) -> append(rows, report));         // one append patch
		}

		@PostMapping("/reports/remove")
		void remove(View view, @ModelAttribute RowForm row) {
			view.cancelAsync("report:" + row.id());                                   // if it runs
			view.update("reports", (List<Report> rows) -> without(rows, row.id()));    // one remove patch
		}

		@HandleAsync("report:*")                                  // every row's outcome
		void built(Outcome<String> outcome, @TaskName String name, View view) {
			if (outcome instanceof Outcome.Failed<String> f) {
				view.flash("error", name + ": " + f.reason());
			}
		}

		private static List<Report> append(List<Report> rows, Report report) {
			List<Report> copy = new ArrayList<>(rows);
			copy.add(report);
			return List.copyOf(copy);
		}

		private static List<Report> without(List<Report> rows, String id) {
			return rows.stream().filter((r) -> !r.id().equals(id)).toList();
		}

	}

}
