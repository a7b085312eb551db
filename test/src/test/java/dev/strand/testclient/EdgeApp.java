package dev.strand.testclient;

import java.util.List;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RequestMapping;

import dev.strand.AsyncResult;
import dev.strand.HandleAsync;
import dev.strand.Outcome;
import dev.strand.View;

/** A page for the test client's edges. */
@SpringBootApplication
public class EdgeApp {

	@Controller
	@RequestMapping("/edge")
	static class EdgeController {

		@GetMapping
		String page(View view) {
			view.assign("title", "Edges").assign("job", AsyncResult.idle()).assign("fields", List.of());
			return "client-edge";
		}

		@GetMapping("/echo")
		String echo(View view, @org.springframework.web.bind.annotation.RequestParam String q) {
			view.assign("title", q).assign("job", AsyncResult.idle()).assign("fields", List.of());
			return "client-edge";
		}

		@PostMapping("/big")
		void big(View view) {
			view.assign("title", "x".repeat(300_000));
		}

		@GetMapping("/bigpage")
		String bigPage(View view) {
			view.assign("title", "y".repeat(300_000)).assign("job", AsyncResult.idle()).assign("fields", List.of());
			return "client-edge";
		}

		@PostMapping("/cookie")
		void cookie(View view, org.springframework.http.server.reactive.ServerHttpResponse response) {
			response.getHeaders().add("Set-Cookie", "remember=yes; Path=/");
		}

		@PostMapping("/forget")
		void forget(View view, org.springframework.http.server.reactive.ServerHttpResponse response) {
			response.getHeaders().add("Set-Cookie", "remember=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
		}

		@PostMapping("/flash")
		void flash(View view) {
			view.flash("info", "Hello");
		}

		@PostMapping("/clear")
		void clear(View view) {
			view.clearFlash("info");
		}

		@PostMapping("/title")
		void title(View view, @ModelAttribute TitleForm form) {
			view.assign("title", form.title());
		}

		@PostMapping("/fields")
		void fields(View view, @ModelAttribute FieldsForm form) {
			view.assign("fields", (form.ids() != null) ? List.copyOf(form.ids()) : List.of());
		}

		@PostMapping("/start")
		void start(View view) {
			view.startAsync("job", (task) -> "done");
		}

		@PostMapping("/hang")
		void hang(View view) {
			view.startAsync("hang", (task) -> {
				Thread.sleep(60_000);
				return "late";
			});
		}

		@HandleAsync("job")
		void jobDone(Outcome<String> outcome, View view) {
		}

		@HandleAsync("hang")
		void hangDone(Outcome<String> outcome, View view) {
		}

		@PostMapping("/navigate")
		void navigate(View view) {
			view.navigate("/elsewhere");
		}

		@PostMapping("/redirect")
		String redirect(View view) {
			return "redirect:/elsewhere";
		}

	}

	record TitleForm(String title) {
	}

	record FieldsForm(List<String> ids) {
	}

}
