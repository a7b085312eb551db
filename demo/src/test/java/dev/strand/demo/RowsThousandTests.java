package dev.strand.demo;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;

import dev.strand.View;
import dev.strand.test.AutoConfigureStrandTestClient;
import dev.strand.test.ReceivedEvent;
import dev.strand.test.StrandTestClient;
import dev.strand.test.TestTab;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A list of a thousand rows keyed by id, of which one changes: the server sends one small patch for that row, not
 * the list, and in the browser every other row keeps its node.
 */
@DemoTest
@AutoConfigureStrandTestClient
@Import(RowsThousandTests.ThousandController.class)
class RowsThousandTests extends BrowserTest {

	static final int ROWS = 1000;

	@Autowired
	StrandTestClient strand;

	@Test
	void whenOneOfAThousandRowsChangesThenOneSmallPatchOfThatRowIsSent() {
		TestTab tab = this.strand.open("/thousand").connect();
		assertThat(tab.count("#items tr")).isEqualTo(ROWS);
		int listBytes = bytes(tab.html("#items"));

		long before = tab.lastEventId();
		tab.post("/thousand/bump", Map.of("id", "500"));
		ReceivedEvent rowPatch = single(patchesAfter(tab, before));
		assertThat(rowPatch.data()).startsWith("{\"target\":\"item-500\",\"op\":\"morph\",\"html\":\"<tr id=\\\"item-500\\\">")
			.doesNotContain("item-499", "item-501");
		assertThat(tab.text("#item-500 .count")).isEqualTo("1");
		assertThat(tab.text("#item-501 .count")).isEqualTo("0");
		int rowBytes = bytes(rowPatch.data());

		// the whole list, for comparison: reordered rows are sent as the list, morphed whole
		before = tab.lastEventId();
		tab.post("/thousand/reverse");
		ReceivedEvent listPatch = single(patchesAfter(tab, before));
		assertThat(listPatch.data()).startsWith("{\"target\":\"items\",\"op\":\"morph\"");
		assertThat(tab.texts("#items tr:first-child .id")).containsExactly(Integer.toString(ROWS));
		int wholeBytes = bytes(listPatch.data());

		System.out.printf("%d keyed rows, one changed: 1 patch event of %d bytes of data (the list as the page has it: "
				+ "%d bytes of HTML; the list sent whole: %d bytes of data, %.0f times as much)%n", ROWS, rowBytes,
				listBytes, wholeBytes, (double) wholeBytes / rowBytes);
		assertThat(rowBytes).isLessThan(1024);
		assertThat(wholeBytes).isGreaterThan(50 * rowBytes);
	}

	@Test
	void whenOneOfAThousandRowsChangesInTheBrowserThenTheOtherRowsKeepTheirNodesUntouched() {
		this.page.navigate(url("/thousand"));
		awaitConnected(this.page);
		assertThat(this.page.locator("#items tr")).hasCount(ROWS);
		this.page.evaluate("""
				() => {
				  document.querySelectorAll('#items tr').forEach((row, i) => { row.__stamp = i; });
				  window.__touched = new Set();
				  new MutationObserver((mutations) => mutations.forEach((m) => {
				    const node = m.target.nodeType === Node.ELEMENT_NODE ? m.target : m.target.parentElement;
				    window.__touched.add(node.closest('tr')?.id ?? node.id);
				  })).observe(document.getElementById('items'), { subtree: true, childList: true, characterData: true, attributes: true });
				}""");
		button("Bump row 500").click();
		assertThat(this.page.locator("#item-500 .count")).hasText("1");
		assertThat(this.page.evaluate("() => [...window.__touched]")).isEqualTo(List.of("item-500"));
		assertThat(this.page.evaluate("() => [...document.querySelectorAll('#items tr')].every((row, i) => row.__stamp === i)"))
			.isEqualTo(true);
	}

	private static List<ReceivedEvent> patchesAfter(TestTab tab, long after) {
		return tab.events().stream().filter((event) -> event.id() > after && event.name().equals("patch")).toList();
	}

	private static ReceivedEvent single(List<ReceivedEvent> patches) {
		assertThat(patches).as("the patches of one change").hasSize(1);
		return patches.getFirst();
	}

	private static int bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8).length;
	}

	/**
	 * A thousand rows.
	 *
	 * @param id its id
	 * @param label its label
	 * @param count how often it was bumped
	 */
	record Item(int id, String label, int count) {
	}

	/**
	 * The Bump button's form.
	 *
	 * @param id the row to bump
	 */
	record Bump(int id) {
	}

	@Controller
	static class ThousandController {

		@GetMapping("/thousand")
		String page(View view) {
			view.assign("items", IntStream.rangeClosed(1, ROWS).mapToObj((id) -> new Item(id, "Item " + id, 0)).toList());
			return "thousand";
		}

		@PostMapping("/thousand/bump")
		void bump(View view, @ModelAttribute Bump bump) {
			view.update("items", (List<Item> items) -> items.stream()
				.map((item) -> (item.id() == bump.id()) ? new Item(item.id(), item.label(), item.count() + 1) : item)
				.toList());
		}

		@PostMapping("/thousand/reverse")
		void reverse(View view) {
			view.update("items", (List<Item> items) -> items.reversed());
		}

	}

}
