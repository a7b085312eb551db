package dev.strand.demo;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.FilePayload;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Controller;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;

import dev.strand.HandleAsync;
import dev.strand.Outcome;
import dev.strand.View;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page that missed more events than its view keeps for replay gets a reset: a full re-render. It shows what
 * the page would have shown had it missed nothing: a dismissed flash stays gone, and a strand:stream container
 * keeps every chunk appended to it. The browser reaches the application through a proxy that drops its stream
 * and refuses to reconnect it for a while, and the view keeps only 8 events, so the reset really happens; the view
 * outlives a disconnect of 30 s, so that a slow reconnect gets a reset rather than a remount.
 */
@DemoTest
@Import(ResetTests.LinesController.class)
@TestPropertySource(properties = { "strand.stream.replay-buffer=8", "strand.stream.max-pending=4",
		"strand.stream.push-timeout=100ms", "strand.views.disconnect-grace=30s" })
class ResetTests extends BrowserTest {

	static final int LINES = 60;

	@BeforeEach
	void linesAtTheirUsualPace() {
		LinesController.pauseMillis = 50;
	}

	@Test
	void afterAResetADismissedFlashStaysGoneAndTheStreamContainerHasEveryChunk() throws Exception {
		try (TcpProxy proxy = new TcpProxy(this.port)) {
			this.page.addInitScript("document.addEventListener('strand:reset', () => { window.__resets = (window.__resets ?? 0) + 1; });");
			this.page.navigate("http://127.0.0.1:" + proxy.port() + "/reset");
			awaitConnected(this.page);
			button("Say hello").click();
			assertThat(this.page.locator("#flash .strand-flash-text")).hasText("Hello");
			this.page.waitForResponse((response) -> response.url().endsWith("/strand/stream/clear-flash") && response.status() == 204,
					() -> this.page.locator(".strand-flash-close").click());
			assertThat(this.page.locator("#flash .strand-flash")).hasCount(0);

			button("Start").click();
			assertThat(this.page.locator("#lines .strand-chunk").nth(2)).isVisible();
			proxy.refuse(true);
			proxy.dropConnections();
			Thread.sleep(1500); // the task pushes on: more than the view keeps for replay
			proxy.refuse(false);
			this.page.waitForFunction("() => window.__resets >= 1", null, new Page.WaitForFunctionOptions().setTimeout(15_000));
			assertThat(this.page.locator("#flash")).not().containsText("Hello");

			assertThat(this.page.locator("#flash .strand-flash-text")).hasText("All " + LINES + " lines");
			assertThat(this.page.locator("#lines .strand-chunk").allTextContents())
				.isEqualTo(IntStream.rangeClosed(1, LINES).mapToObj((n) -> "line " + n).toList());
		}
	}

	@Test
	void whenATaskEndsWhileThePageIsAwayThenAfterItsResetALaterRemountDoesNotSayTheTaskWasStoppedAndTheFileChosenDoesNotStopIt() throws Exception {
		try (TcpProxy proxy = new TcpProxy(this.port)) {
			this.page.addInitScript("""
					document.addEventListener('strand:reset', () => { window.__resets = (window.__resets ?? 0) + 1; });
					document.addEventListener('strand:remounted', (e) => { window.__remounted = e.detail; });""");
			this.page.navigate("http://127.0.0.1:" + proxy.port() + "/reset");
			awaitConnected(this.page);
			LinesController.pauseMillis = 10; // the task ends well within the view's disconnect grace
			button("Start").click();
			assertThat(this.page.locator("#lines .strand-chunk").nth(2)).isVisible(); // the page knows the task runs
			proxy.refuse(true);
			proxy.dropConnections();
			int ended = LinesController.ended.get();
			for (int waited = 0; LinesController.ended.get() == ended && waited < 100; waited++) {
				Thread.sleep(100); // the task pushes the rest and ends: the page learns it from a reset
			}
			proxy.refuse(false);
			this.page.waitForFunction("() => window.__resets >= 1", null, new Page.WaitForFunctionOptions().setTimeout(30_000));
			assertThat(this.page.locator("#flash .strand-flash-text")).hasText("All " + LINES + " lines");

			this.page.locator("#attachment").setInputFiles(new FilePayload("notes.txt", "text/plain", "a file".getBytes()));
			this.page.evaluate("""
					() => fetch('/strand/stream/close', { method: 'POST',
					  headers: { 'Strand-View': document.querySelector('meta[name=strand-view]').content } })""");
			this.page.waitForFunction("() => window.__remounted != null", null, new Page.WaitForFunctionOptions().setTimeout(15_000));
			assertThat(this.page.evaluate("() => window.__remounted.interrupted")).isEqualTo(List.of());
			assertThat(this.page.locator("#flash")).not().containsText("stopped");
		}
	}

	@Controller
	static class LinesController {

		static final AtomicInteger ended = new AtomicInteger();

		static volatile int pauseMillis = 50;

		@GetMapping("/reset")
		String page(View view) {
			return "reset";
		}

		@PostMapping("/reset/hello")
		void hello(View view) {
			view.flash("info", "Hello");
		}

		@PostMapping("/reset/start")
		void start(View view) {
			view.startAsync("lines", (task) -> {
				for (int n = 1; n <= LINES; n++) {
					task.push("line " + n);
					Thread.sleep(pauseMillis);
				}
				return LINES;
			});
		}

		@HandleAsync("lines")
		void done(Outcome<Integer> outcome, View view) {
			ended.incrementAndGet();
			view.flash("info", (outcome instanceof Outcome.Ok<Integer> ok) ? "All " + ok.value() + " lines" : outcome.toString());
		}

	}

}
