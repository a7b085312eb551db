package dev.strand.demo;

import java.util.Map;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The notes page in a browser: its form sits in a region that the server re-renders every 150 ms, and the user
 * types in it meanwhile. Each test waits for the region to have been re-rendered between the keystrokes, counting
 * the re-renders from the page itself.
 */
@DemoTest
class TypingPageTests extends BrowserTest {

	/**
	 * Counts the region's re-renders that reached the page: each one shows a new tick count. A morph that changes
	 * only the tick's text changes the text node, so the observer sees it.
	 */
	static final String COUNT_RENDERS = """
			() => {
			  window.__renders = 0;
			  let last = document.getElementById('ticks').textContent;
			  new MutationObserver(() => {
			    const now = document.getElementById('ticks')?.textContent;
			    if (now !== last) { last = now; window.__renders++; }
			  }).observe(document.getElementById('notes-card'), { subtree: true, childList: true, characterData: true });
			}""";

	@BeforeEach
	void openNotesPage() {
		this.page.navigate(url("/notes"));
		awaitConnected(this.page);
		this.page.evaluate(COUNT_RENDERS);
		awaitRenders(1); // the clock runs
	}

	@Test
	void typedTextFocusAndCaretSurviveTheRegionsReRendersBetweenKeystrokes() {
		Locator field = this.page.locator("#note-text");
		field.click();
		field.evaluate("(el) => { el.__stamp = 'typed-in'; }");
		String typed = "Strand keeps it";
		for (char c : typed.toCharArray()) {
			int renders = renders();
			this.page.keyboard().type(String.valueOf(c));
			awaitRenders(renders + 1); // a re-render after every keystroke
		}
		assertThat(field).hasValue(typed);
		assertThat(field).isFocused();
		assertThat(caret()).isEqualTo(new Caret("note-text", typed.length(), typed.length()));

		// the caret moved back stays where it is while the region re-renders, and typing goes in there
		for (int i = 0; i < 3; i++) {
			this.page.keyboard().press("ArrowLeft");
		}
		awaitRenders(renders() + 2);
		assertThat(caret()).isEqualTo(new Caret("note-text", 12, 12));
		this.page.keyboard().type("!");
		awaitRenders(renders() + 2);
		assertThat(field).hasValue("Strand keeps! it");
		assertThat(caret()).isEqualTo(new Caret("note-text", 13, 13));

		// and so does a selection, which typing then replaces
		this.page.keyboard().press("Shift+Home");
		awaitRenders(renders() + 2);
		assertThat(caret()).isEqualTo(new Caret("note-text", 0, 13));
		this.page.keyboard().type("Kept");
		awaitRenders(renders() + 2);
		assertThat(field).hasValue("Kept it");
		assertThat(caret()).isEqualTo(new Caret("note-text", 4, 4));
		assertThat(field.evaluate("(el) => el.__stamp")).as("the field's node").isEqualTo("typed-in");
		System.out.println("The notes region was re-rendered " + renders() + " times while the test typed");
		assertThat(renders()).isGreaterThanOrEqualTo(typed.length() + 8);
	}

	@Test
	void notesAddedWithEnterAreListedAndKeepTheirNodesAndAnOpenDetailsStaysOpen() {
		this.page.getByText("How does the field keep what you type?").click();
		assertThat(this.page.locator("#notes-help")).hasAttribute("open", "");
		Locator field = this.page.locator("#note-text");
		field.click();
		this.page.keyboard().type("first note");
		this.page.keyboard().press("Enter");
		assertThat(this.page.locator("#notes-list li")).hasCount(1);
		assertThat(this.page.locator("#note-1 .note-text")).hasText("first note");
		// a form being sent takes the handler's changes: the server draws the field empty, and the focus stays
		assertThat(field).hasValue("");
		assertThat(field).isFocused();

		this.page.locator("#note-1").evaluate("(el) => { el.__stamp = 'note-1'; }");
		this.page.keyboard().type("second note");
		this.page.keyboard().press("Enter");
		assertThat(this.page.locator("#notes-list li")).hasCount(2);
		assertThat(this.page.locator("#note-2 .note-text")).hasText("second note");
		this.page.locator("#note-2").evaluate("(el) => { el.__stamp = 'note-2'; }");
		awaitRenders(renders() + 3);
		assertThat(this.page.locator("#note-1").evaluate("(el) => el.__stamp")).isEqualTo("note-1");
		assertThat(this.page.locator("#notes-help")).hasAttribute("open", "");

		this.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Remove note 1")).click();
		assertThat(this.page.locator("#note-1")).hasCount(0);
		awaitRenders(renders() + 2);
		assertThat(this.page.locator("#note-2").evaluate("(el) => el.__stamp")).isEqualTo("note-2");
		assertThat(this.page.locator("#notes-help")).hasAttribute("open", "");
		screenshot("notes");
	}

	@Test
	void textTypedInAFieldKeepsThroughReRendersWhileTheButtonThatSendsItIsHeldDown() {
		Locator field = this.page.locator("#note-text");
		field.click();
		this.page.keyboard().type("by the button");
		Locator button = this.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add note"));
		button.hover();
		this.page.mouse().down(); // the focus leaves the field for the button
		awaitRenders(renders() + 2);
		assertThat(field).not().isFocused();
		assertThat(field).hasValue("by the button");
		this.page.mouse().up();
		assertThat(this.page.locator("#note-1 .note-text")).hasText("by the button");
		assertThat(field).hasValue("");
	}

	private int renders() {
		return ((Number) this.page.evaluate("() => window.__renders")).intValue();
	}

	private void awaitRenders(int count) {
		this.page.waitForFunction("(n) => window.__renders >= n", count);
	}

	private Caret caret() {
		Map<?, ?> caret = (Map<?, ?>) this.page.evaluate(
				"() => ({ id: document.activeElement.id, start: document.activeElement.selectionStart, end: document.activeElement.selectionEnd })");
		return new Caret((String) caret.get("id"), ((Number) caret.get("start")).intValue(), ((Number) caret.get("end")).intValue());
	}

	/**
	 * Where the user is: the focused element, and its selection.
	 *
	 * @param id the focused element's id
	 * @param start where its selection starts
	 * @param end where its selection ends
	 */
	record Caret(String id, int start, int end) {
	}

}
