package dev.strand.demo;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;

import dev.strand.HandleAsync;
import dev.strand.Outcome;
import dev.strand.View;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** Chunks that look like HTML or like SSE framing reach the page as text, and nothing in them runs. */
@DemoTest
@Import(InertChunkTests.TrickyController.class)
class InertChunkTests extends BrowserTest {

	static final String SCRIPT = "<script>window.__strandInjected = 'script'</script>";

	static final String IMAGE = "<img src=\"x\" onerror=\"window.__strandInjected = 'img'\">";

	static final String FRAMING = "\n\nevent: patch\nid: 999999\ndata: {\"target\":\"chunks\",\"op\":\"remove\"}\n\n";

	static final String AFTER = "the chunk after them";

	@Test
	void scriptAndEventChunksStayInertText() {
		this.page.navigate(url("/inert"));
		awaitConnected(this.page);
		button("Push tricky chunks").click();
		assertThat(this.page.locator("#flash .strand-flash-text")).hasText("Pushed 4 chunks");
		assertThat(this.page.locator("#chunks .strand-chunk")).hasCount(4);
		@SuppressWarnings("unchecked")
		List<String> texts = (List<String>) this.page
			.evaluate("() => [...document.querySelectorAll('#chunks .strand-chunk')].map((c) => c.textContent)");
		assertThat(texts).containsExactly(SCRIPT, IMAGE, FRAMING, AFTER);
		assertThat(this.page.locator("#chunks script, #chunks img")).hasCount(0);
		this.page.waitForTimeout(500); // time for an injected image's onerror, had there been one
		assertThat(this.page.evaluate("() => window.__strandInjected ?? 'nothing'")).isEqualTo("nothing");
		assertThat(this.page.locator("#chunks")).isVisible();
		screenshot("inert-chunks");
	}

	@Controller
	static class TrickyController {

		@GetMapping("/inert")
		String page(View view) {
			return "inert";
		}

		@PostMapping("/inert/push")
		void push(View view) {
			view.startAsync("tricky", (task) -> {
				for (String chunk : List.of(SCRIPT, IMAGE, FRAMING, AFTER)) {
					task.push(chunk);
				}
				return 4;
			});
		}

		@HandleAsync("tricky")
		void pushed(Outcome<Integer> outcome, View view) {
			view.flash("info", (outcome instanceof Outcome.Ok<Integer> ok) ? "Pushed " + ok.value() + " chunks" : "Failed: " + outcome);
		}

	}

}
