package dev.strand.demo;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitUntilState;
import com.microsoft.playwright.options.RequestOptions;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.strand.HandleAsync;
import dev.strand.Outcome;
import dev.strand.StrandLimitException;
import dev.strand.View;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a page event meets at the edges, in a browser: buttons inside forms, parameters, a field that cannot
 * post, failures by HTTP status, and redirects and navigation away from the page.
 */
@DemoTest
@Import(PageEventTests.EdgeController.class)
class PageEventTests extends BrowserTest {

	static final String RAW_BODY = "raw body the user must not see";

	@BeforeEach
	void openEdgePage() {
		EdgeController.targetVisits.set(0);
		this.page.navigate(url("/edge"));
		awaitConnected(this.page);
	}

	@Test
	void aButtonWithItsOwnUrlInsideAFormThatPostsPostsItsOwnUrl() {
		button("Cancel").click();
		assertThat(last()).hasText("cancel");
		button("Save").click();
		assertThat(last()).hasText("save typed");
	}

	@Test
	void aSubmitButtonWithItsOwnUrlPostsItsFormsFieldsAndItsParamsThere() {
		this.page.fill("#note", "changed");
		button("Save elsewhere").click();
		assertThat(last()).hasText("echo note=changed userId=7");
		button("Echo plain form").click(); // in a form that is not a page event itself
		assertThat(last()).hasText("echo note=plain userId=null");
		assertThat(this.page).hasURL(Pattern.compile(".*/edge$"));
	}

	@Test
	void aPlainSubmitButtonsParamsArePostedWithItsFormsOwn() {
		button("Echo with the button's params").click();
		assertThat(last()).hasText("echo note=form's userId=9");
	}

	@Test
	void aClickedElementPostsItsNameAndValueAndItsParamsNamedInCamelCase() {
		button("Echo with params").click();
		assertThat(last()).hasText("echo note=own userId=42");
	}

	@Test
	void aFieldWithDataStrandPostStaysAFieldAndSaysInTheConsoleWhyItDoesNotPost() {
		this.page.locator("#toggle").click();
		assertThat(this.page.locator("#toggle")).isChecked();
		this.page.waitForTimeout(500);
		assertThat(last()).hasText("nothing yet");
		assertThat(this.browserLog).anyMatch((line) -> line.contains(" console.warning: strand: data-strand-post on "
				+ "<input type=checkbox> does nothing"));
	}

	@Test
	void aFailedPageEventFlashesAShortMessageForItsStatusAndNeverItsBody() {
		List<List<String>> failures = List.of(
				List.of("Fail 404", "This page is out of date. Reload it to continue."),
				List.of("Fail 409", "This conflicts with a change made meanwhile. Reload the page and try again."),
				List.of("Fail 429", "Too much is running right now. Wait a moment and try again."),
				List.of("Fail 503", "The server is unavailable right now. Try again in a moment."),
				List.of("Fail 504", "The server took too long to answer. Try again in a moment."));
		for (List<String> failure : failures) {
			button(failure.get(0)).click();
			assertThat(errorFlash()).hasText(failure.get(1));
		}
		button("Fail 500").click();
		assertThat(errorFlash()).hasText(Pattern.compile("Something went wrong on the server \\(ref [\\w-]+\\)\\. Try again\\."));
		this.page.fill("#big", "x".repeat(70_000));
		button("Send big").click();
		assertThat(errorFlash()).hasText("That was too large to send.");
		assertThat(this.page.locator("#flash")).not().containsText(RAW_BODY);
		assertThat(this.page.locator("#flash")).not().containsText("strand.limits");
	}

	@Test
	void aRedirectFromAPageEventTakesTheBrowserThereAndClosesTheViewItLeft() {
		String left = viewId(this.page);
		button("Go by redirect").click();
		assertThat(this.page.locator("#arrived")).hasText("Arrived from redirect");
		assertThat(EdgeController.targetVisits).as("GETs of the target: the browser's own, no fetch's").hasValue(1);
		assertThat(this.page.locator("#arrived")).isVisible();
		await().atMost(Duration.ofSeconds(3)).until(() -> statusOf(left) == 410);
	}

	@Test
	void navigateFromHandleAsyncTakesTheBrowserThere() {
		button("Go when the task ends").click();
		assertThat(this.page.locator("#arrived")).hasText("Arrived from task");
	}

	@Test
	void leavingThePageByALinkClosesItsViewAtOnce() {
		String left = viewId(this.page);
		this.page.locator("#away").click();
		assertThat(this.page.locator("#arrived")).hasText("Arrived from link");
		await().atMost(Duration.ofSeconds(3)).until(() -> statusOf(left) == 410);
	}

	/** Playwright turns Chromium's back/forward cache off; this test runs a Chromium that has it. */
	@Test
	void aPageRestoredFromTheBackForwardCacheRemountsWithANewView() {
		try (Browser cached = playwright.chromium()
			.launch(launchOptions().setIgnoreDefaultArgs(List.of("--disable-back-forward-cache")))) {
			this.context.close();
			this.context = newContext(cached);
			this.context.addInitScript("addEventListener('pageshow', (e) => { if (e.persisted) window.__restored = true; });");
			this.page = this.context.newPage();
			this.page.navigate(url("/edge"));
			awaitConnected(this.page);
			String left = viewId(this.page);
			this.page.locator("#away").click();
			assertThat(this.page.locator("#arrived")).isVisible();
			await().atMost(Duration.ofSeconds(3)).until(() -> statusOf(left) == 410);
			this.page.goBack(new Page.GoBackOptions().setWaitUntil(WaitUntilState.COMMIT)); // a restore fires no load
			this.page.waitForFunction("(left) => document.querySelector('meta[name=strand-view]').content !== left", left);
			assertThat(this.page.evaluate("() => window.__restored === true")).as("restored from the back/forward cache")
				.isEqualTo(true);
			button("Cancel").click();
			assertThat(last()).hasText("cancel");
			this.context.close();
			this.context = newContext(); // for the shared teardown, which the closed browser cannot serve
			this.page = this.context.newPage();
		}
	}

	private int statusOf(String view) {
		return status(this.context.request().get(url("/strand/stream/status?view=" + view), RequestOptions.create().setTimeout(5000)));
	}

	private Locator last() {
		return this.page.locator("#last");
	}

	private Locator errorFlash() {
		return this.page.locator("#flash .strand-flash-error .strand-flash-text");
	}

	@Controller
	static class EdgeController {

		static final AtomicInteger targetVisits = new AtomicInteger();

		@GetMapping("/edge")
		String page(View view) {
			view.assign("last", "nothing yet");
			return "edge";
		}

		@GetMapping("/edge/target")
		String target(View view, @RequestParam(defaultValue = "redirect") String from) {
			targetVisits.incrementAndGet();
			view.assign("from", from);
			return "edge-target";
		}

		@PostMapping("/edge/save")
		void save(View view, @ModelAttribute Form form) {
			view.assign("last", "save " + form.note());
		}

		@PostMapping("/edge/cancel")
		void cancel(View view) {
			view.assign("last", "cancel");
		}

		@PostMapping("/edge/echo")
		void echo(View view, @ModelAttribute Form form) {
			view.assign("last", "echo note=" + form.note() + " userId=" + form.userId());
		}

		@PostMapping("/edge/plain")
		String plain() {
			throw new IllegalStateException("the plain form was submitted by the browser, not by strand.js");
		}

		@PostMapping("/edge/fail/{status}")
		ResponseEntity<String> fail(View view, @PathVariable int status) {
			return ResponseEntity.status(status).body(RAW_BODY);
		}

		@PostMapping("/edge/limit")
		void limit(View view) {
			throw new StrandLimitException("View runs 64 tasks already, the most strand.limits.tasks-per-view allows");
		}

		@PostMapping("/edge/crash")
		void crash(View view) {
			throw new IllegalStateException(RAW_BODY);
		}

		@PostMapping("/edge/go")
		String go(View view) {
			return "redirect:/edge/target";
		}

		@PostMapping("/edge/later")
		void later(View view) {
			view.startAsync("trip", (task) -> "there");
		}

		@HandleAsync("trip")
		void trip(Outcome<String> outcome, View view) {
			view.navigate("/edge/target?from=task");
		}

		record Form(@Nullable String note, @Nullable Integer userId) {
		}

	}

}
