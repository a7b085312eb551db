package dev.strand.demo;

import com.microsoft.playwright.Locator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/** The many-tasks page: twenty tasks, one Cancel each, and the live counts from the gauges. */
@DemoTest
class ManyTasksPageTests extends BrowserTest {

	@BeforeEach
	void openManyTasksPage() {
		this.page.navigate(url("/many"));
		awaitConnected(this.page);
	}

	@Test
	void startsTwentyTasksAndCancellingOneMarksOnlyThatOne() {
		button("Start 20 tasks").click();
		assertThat(workers()).hasCount(ManyTasksController.WORKERS);
		assertThat(this.page.locator("#workers li.worker.running")).hasCount(ManyTasksController.WORKERS);
		// Progress arrives for every worker while it runs.
		this.page.waitForFunction("() => [...document.querySelectorAll('#workers progress')].every((p) => p.value > 0)");
		button("Cancel worker-7").click();
		assertThat(worker("worker-7").locator(".worker-state")).hasText("Cancelled");
		this.page.waitForFunction("() => document.querySelectorAll('#workers li.worker.ok').length >= 5");
		screenshot("many-tasks-running", "demo-many-tasks");
		assertThat(this.page.locator("#workers li.worker.ok")).hasCount(ManyTasksController.WORKERS - 1);
		assertThat(this.page.locator("#workers li.worker.cancelled")).hasCount(1);
		assertThat(worker("worker-7")).hasClass("worker cancelled");
		for (int i = 1; i <= ManyTasksController.WORKERS; i++) {
			if (i != 7) {
				assertThat(worker("worker-" + i).locator(".worker-state")).containsText("Done");
				assertThat(worker("worker-" + i).locator("progress")).hasJSProperty("position", 1);
			}
		}
		screenshot("many-tasks-done");
	}

	@Test
	void countsShowTheGaugesLive() {
		assertThat(this.page.locator("#stat-views")).not().hasText("0");
		button("Start 20 tasks").click();
		// Twenty workers and this page's own stats task, at least: other tabs may run more.
		this.page.waitForFunction("() => Number(document.getElementById('stat-tasks').textContent) >= 21");
		assertThat(this.page.locator("#stats")).containsText("20running on this page");
		button("Cancel all").click();
		assertThat(this.page.locator("#workers li.worker.cancelled")).hasCount(ManyTasksController.WORKERS);
		// The workers are gone from the count within a refresh or two; stats tasks of open tabs remain.
		this.page.waitForFunction("() => Number(document.getElementById('stat-tasks').textContent) <= 5");
		assertThat(this.page.locator("#stats")).containsText("0running on this page");
	}

	private Locator workers() {
		return this.page.locator("#workers li.worker");
	}

	private Locator worker(String name) {
		return this.page.locator("#workers li[data-task='" + name + "']");
	}

}
