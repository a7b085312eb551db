package dev.strand.readme;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;

import dev.strand.AsyncResult;
import dev.strand.HandleAsync;
import dev.strand.HandleChunk;
import dev.strand.Outcome;
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

}
