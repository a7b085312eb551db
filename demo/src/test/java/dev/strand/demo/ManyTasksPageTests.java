package dev.strand.demo;

import java.util.List;
import java.util.regex.Pattern;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.assertions.LocatorAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The many-tasks page in a browser: each row's progress bar and status follow its own task with no script of the
 * page's own, and each row's Start and Cancel buttons act on its task alone. {@link ManyTasksTests} covers the
 * outcomes and the live counts without a browser; {@link RowsPageTests} the rows' nodes as they are patched, added
 * and removed.
 */
@DemoTest
class ManyTasksPageTests extends BrowserTest {

	/** How long a row's task may take on a loaded machine: it takes up to 12 s. */
	static final double TASK_TIMEOUT = 40_000;

	@BeforeEach
	void openManyTasksPage() {
		this.page.navigate(url("/many"));
		awaitConnected(this.page);
	}

	@Test
	void rowsFollowTheirTasksProgressWithNoScriptOfThePageAndEachRowsCancelStopsOnlyItsTask() {
		assertThat(this.page.evaluate("() => [...document.scripts].map((s) => s.src ? new URL(s.src).pathname : 'inline')"))
			.as("the page's scripts").isEqualTo(List.of("/strand/strand.js"));
		assertThat(this.page.locator("#workers li.worker")).hasCount(ManyTasksController.WORKERS);
		button("Start all").click();
		assertThat(this.page.locator("#workers .state.running")).hasCount(ManyTasksController.WORKERS);
		// at once: a task runs for 4 to 12 s
		button("Cancel worker-7").click();
		assertThat(state("worker-7")).hasText("Cancelled");
		assertThat(this.page.locator("#workers .state.cancelled")).hasCount(1);
		assertThat(this.page.locator("#workers .state.running, #workers .state.ok")).hasCount(ManyTasksController.WORKERS - 1);
		assertThat(button("Start worker-7")).isEnabled();
		assertThat(button("Cancel worker-7")).isDisabled();
		assertThat(this.page.locator("#stat-cancelled")).hasText("1");

		// Progress arrives for every other row while its task runs: its bar, and its status, re-rendered from its
		// AsyncResult.
		this.page.waitForFunction("""
				() => [...document.querySelectorAll('#workers progress:not(#bar-worker-7)')].every((p) => p.value > 0)""");
		assertThat(this.page.locator("#workers li:has(.state.running) .state").first())
			.hasText(Pattern.compile("Running, \\d+ of \\d+"));
		assertThat(this.page.locator("#workers li:has(.state.running) progress").first())
			.hasAttribute("aria-valuetext", Pattern.compile("\\d+ of \\d+"));

		assertThat(this.page.locator("#workers .state.ok").first()).isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(TASK_TIMEOUT));
		assertThat(this.page.locator("#workers .state.ok").first()).hasText(Pattern.compile("Done \\(\\d+ steps\\)"));
		screenshot("many-tasks-running", "demo-many-tasks");
		button("Cancel all").click();
		assertThat(this.page.locator("#workers .state.running")).hasCount(0);
		assertThat(this.page.locator("#stat-running")).hasText("0");
		assertThat(this.page.locator("#workers button:text-is('Cancel'):enabled")).hasCount(0);
		screenshot("many-tasks-cancelled");
	}

	@Test
	void aRowsStartRunsOnlyItsTaskAndItsCancelStopsIt() {
		button("Start worker-2").click();
		assertThat(state("worker-2")).hasText(Pattern.compile("Running"));
		assertThat(button("Start worker-2")).isDisabled();
		assertThat(this.page.locator("#stat-running")).hasText("1");
		assertThat(this.page.locator("#workers .state.idle")).hasCount(ManyTasksController.WORKERS - 1);
		this.page.waitForFunction("() => document.getElementById('bar-worker-2').value > 0");
		button("Cancel worker-2").click();
		assertThat(state("worker-2")).hasText("Cancelled");
		assertThat(this.page.locator("#stat-running")).hasText("0");
		assertThat(this.page.locator("#workers .state.idle")).hasCount(ManyTasksController.WORKERS - 1);
		// it starts again from nothing
		button("Start worker-2").click();
		assertThat(state("worker-2")).hasText(Pattern.compile("Running"));
		assertThat(this.page.locator("#workers .state.cancelled")).hasCount(0);
	}

	private Locator state(String name) {
		return this.page.locator("#controls-" + name + " .state");
	}

}
