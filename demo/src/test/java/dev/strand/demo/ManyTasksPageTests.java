package dev.strand.demo;

import com.microsoft.playwright.Locator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/**
 * The many-tasks page in a browser: each row's progress bar follows its task through strand.js's
 * {@code strand:progress} event (the page's own script), and each row's Cancel button posts its own task's name.
 * {@link ManyTasksTests} covers the outcomes and the live counts without a browser.
 */
@DemoTest
class ManyTasksPageTests extends BrowserTest {

	@BeforeEach
	void openManyTasksPage() {
		this.page.navigate(url("/many"));
		awaitConnected(this.page);
	}

	@Test
	void rowsFollowTheirTasksProgressAndEachRowsCancelStopsOnlyItsTask() {
		button("Start 20 tasks").click();
		assertThat(workers()).hasCount(ManyTasksController.WORKERS);
		assertThat(this.page.locator("#workers li.worker.running")).hasCount(ManyTasksController.WORKERS);
		// Progress arrives for every worker while it runs.
		this.page.waitForFunction("() => [...document.querySelectorAll('#workers progress')].every((p) => p.value > 0)");
		button("Cancel worker-7").click();
		assertThat(worker("worker-7").locator(".worker-state")).hasText("Cancelled");
		assertThat(this.page.locator("#workers li.worker.cancelled")).hasCount(1);
		this.page.waitForFunction("() => document.querySelectorAll('#workers li.worker.ok').length >= 5");
		screenshot("many-tasks-running", "demo-many-tasks");
		button("Cancel all").click();
		assertThat(this.page.locator("#workers li.worker.running")).hasCount(0);
		screenshot("many-tasks-cancelled");
	}

	private Locator workers() {
		return this.page.locator("#workers li.worker");
	}

	private Locator worker(String name) {
		return this.page.locator("#workers li[data-task='" + name + "']");
	}

}
