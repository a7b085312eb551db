package dev.strand.demo;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import com.microsoft.playwright.Locator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming task page in a browser: strand.js applies its chunks, progress, patches and flash, and keeps a
 * clicked control busy until its patch arrives. {@link StreamingOutcomesTests} covers the four outcomes without a
 * browser.
 */
@DemoTest
class StreamingPageTests extends BrowserTest {

	@BeforeEach
	void openStreamingPage() {
		this.page.navigate(url("/streaming"));
		awaitConnected(this.page);
	}

	@Test
	void taskThatReturnsStreamsFiveChunksWithProgressAndFlashesCompleted() {
		assertThat(this.page.locator("#job-progress")).hasJSProperty("position", 0);
		button("Start").click();
		assertThat(button("Cancel")).isVisible();
		assertThat(button("Start")).hasCount(0);
		assertThat(chunks().nth(1)).hasText("Async work chunk 2");
		assertThat(this.page.locator("#job-progress")).hasAttribute("value", Pattern.compile("[2-5]"));
		assertThat(this.page.locator("#job-progress")).hasAttribute("max", "5");
		assertThat(this.page.locator("#controls .status")).containsText(Pattern.compile("Running: chunk [2-5] of 5"));
		assertThat(chunks().nth(2)).hasText("Async work chunk 3");
		screenshot("streaming-running", "demo-streaming");
		assertThat(this.page.locator("#flash .strand-flash-info .strand-flash-text")).hasText("Completed!");
		assertThat(chunks().allTextContents()).isEqualTo(expectedChunks(5));
		assertThat(button("Start")).isVisible();
		assertThat(this.page.locator("#controls .status")).containsText("Completed: returned \"done\"");
		assertThat(this.page.locator("#job-progress")).hasJSProperty("position", 1);
		screenshot("streaming-completed");
	}

	@Test
	void startStaysBusyUntilThePatchThatTurnsItIntoCancelArrives() {
		// Record every control the page re-enables while it is still on the page. The patch morphs Start into
		// Cancel, the same node, enabled as the server drew it: re-enabled then, it reads Cancel.
		this.page.evaluate("() => { window.__reenabled = []; new MutationObserver((records) => { for (const r of records) {"
				+ " if (!r.target.disabled && r.target.isConnected) window.__reenabled.push(r.target.textContent.trim()); } })"
				+ ".observe(document.body, { subtree: true, attributes: true, attributeFilter: ['disabled'] }); }");
		button("Start").click();
		assertThat(button("Cancel")).isVisible();
		assertThat(this.page.evaluate("() => window.__reenabled.filter((text) => text !== 'Cancel')"))
			.as("controls re-enabled before the patch arrived").isEqualTo(List.of());
		button("Cancel").click();
		assertThat(button("Start")).isVisible();
	}

	private Locator chunks() {
		return this.page.locator("#chunks .strand-chunk");
	}

	private static List<String> expectedChunks(int count) {
		return IntStream.rangeClosed(1, count).mapToObj((n) -> "Async work chunk " + n).toList();
	}

}
