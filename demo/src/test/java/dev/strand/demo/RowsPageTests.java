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
 * The rows of the many-tasks page as nodes: a row's patches morph that row alone, and keep its nodes; a row added
 * or removed is just that row, and every other row keeps its node. Each node is stamped with a JavaScript property
 * that only the same node still has after a patch.
 */
@DemoTest
class RowsPageTests extends BrowserTest {

	/** Stamps every row, and every element with an id in a row, with its id. */
	static final String STAMP = """
			() => document.querySelectorAll('#workers li, #workers li [id]').forEach((el) => { el.__stamp = el.id; })""";

	/** The ids of the stamped nodes that are in the page and still stamped. */
	static final String STAMPED = """
			() => [...document.querySelectorAll('#workers li, #workers li [id]')]
			  .filter((el) => el.__stamp === el.id).map((el) => el.id)""";

	/** The ids of the elements in the page, in the same order as {@link #STAMPED}. */
	static final String IDS = "() => [...document.querySelectorAll('#workers li, #workers li [id]')].map((el) => el.id)";

	@BeforeEach
	void openManyTasksPage() {
		this.page.navigate(url("/many"));
		awaitConnected(this.page);
		assertThat(this.page.locator("#workers li.worker")).hasCount(ManyTasksController.WORKERS);
	}

	@Test
	void oneRowsPatchesChangeThatRowAloneAndEveryRowKeepsItsNodes() {
		List<Object> ids = ids(IDS);
		assertThat(ids).hasSize(3 * ManyTasksController.WORKERS).contains("row-worker-3", "bar-worker-3", "controls-worker-3");
		this.page.evaluate(STAMP);
		// Which rows anything in the list changed in, from now on.
		this.page.evaluate("""
				() => {
				  window.__touched = new Set();
				  new MutationObserver((mutations) => mutations.forEach((m) => {
				    const node = m.target.nodeType === Node.ELEMENT_NODE ? m.target : m.target.parentElement;
				    window.__touched.add(node.closest('li')?.id ?? node.id);
				  })).observe(document.getElementById('workers'), { subtree: true, childList: true, characterData: true, attributes: true });
				}""");
		button("Start worker-3").click();
		assertThat(state("worker-3")).hasText(Pattern.compile("Running, [2-9]\\d* of \\d+"));
		assertThat(state("worker-3")).hasText(Pattern.compile("Done \\(\\d+ steps\\)"),
				new LocatorAssertions.HasTextOptions().setTimeout(ManyTasksPageTests.TASK_TIMEOUT));
		assertThat(this.page.locator("#bar-worker-3")).hasJSProperty("value", 1.0);
		assertThat(this.page.locator("#workers .state.idle")).hasCount(ManyTasksController.WORKERS - 1);
		assertThat(this.page.evaluate("() => [...window.__touched]")).isEqualTo(List.of("row-worker-3"));
		// the patched row's nodes too: a morph keeps the nodes whose ids match
		assertThat(this.page.evaluate(STAMPED)).isEqualTo(ids);
	}

	@Test
	void anAddedRowRunsItsOwnTaskAndARemovedRowGoesWhileTheOtherRowsKeepTheirNodes() {
		this.page.evaluate(STAMP);
		button("Add a row").click();
		assertThat(this.page.locator("#workers li.worker")).hasCount(ManyTasksController.WORKERS + 1);
		assertThat(this.page.locator("#workers li.worker").last()).hasId("row-worker-21");
		assertThat(this.page.locator("#many-actions")).containsText("21 rows");
		assertThat(state("worker-21")).hasText("Waiting");
		assertThat(stamped()).hasSize(3 * ManyTasksController.WORKERS).doesNotContain("row-worker-21");

		this.page.evaluate(STAMP);
		button("Start worker-21").click();
		assertThat(state("worker-21")).hasText(Pattern.compile("Running, \\d+ of \\d+"));
		assertThat(this.page.locator("#workers .state.idle")).hasCount(ManyTasksController.WORKERS);
		assertThat(this.page.locator("#stat-running")).hasText("1");

		button("Remove worker-5").click();
		assertThat(this.page.locator("#row-worker-5")).hasCount(0);
		assertThat(this.page.locator("#workers li.worker")).hasCount(ManyTasksController.WORKERS);
		assertThat(stamped()).hasSize(3 * ManyTasksController.WORKERS).contains("row-worker-21", "bar-worker-21")
			.doesNotContain("row-worker-5");

		// a row whose task runs: removed, and its task cancelled
		button("Remove worker-21").click();
		assertThat(this.page.locator("#row-worker-21")).hasCount(0);
		assertThat(this.page.locator("#stat-cancelled")).hasText("1");
		assertThat(this.page.locator("#stat-running")).hasText("0");
		assertThat(this.page.locator("#many-actions")).containsText("19 rows");
		assertThat(stamped()).hasSize(3 * (ManyTasksController.WORKERS - 1));
		assertThat(this.page.locator("#workers .state.idle")).hasCount(ManyTasksController.WORKERS - 1);
		screenshot("rows-added-and-removed");
	}

	private List<Object> stamped() {
		return ids(STAMPED);
	}

	private List<Object> ids(String script) {
		return List.copyOf((List<?>) this.page.evaluate(script));
	}

	private Locator state(String name) {
		return this.page.locator("#controls-" + name + " .state");
	}

}
