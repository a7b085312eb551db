package dev.strand.thymeleaf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading the rows of a rendered list, and refusing what is not one. */
class KeyedRowsTests {

	@Test
	void whenEveryChildHasAnIdThenEachIsARowWithItsHtml() {
		String html = "<tbody id=\"t\">\n  <tr id=\"a\"><td>1 > 0</td></tr>\n  <!-- a comment -->\n  <tr id='b' class=\"x>y\">"
				+ "<td><input value=\"v\"><br/><img src=\"i\"></td></tr>\n</tbody>";
		KeyedRows rows = KeyedRows.of(html, 0);
		assertThat(rows).isNotNull();
		assertThat(rows.rows()).containsOnlyKeys("a", "b");
		assertThat(rows.rows().get("a").html(html)).isEqualTo("<tr id=\"a\"><td>1 > 0</td></tr>");
		assertThat(rows.rows().get("b").html(html)).startsWith("<tr id='b'").endsWith("<img src=\"i\"></td></tr>");
	}

	@Test
	void whenARowHoldsAScriptThenItsTextIsNotReadAsTags() {
		String html = "<ul id=\"l\"><li id=\"a\"><script>if (a < b) { x = '</li>'; }</script></li><li id=\"b\">b</li></ul>";
		KeyedRows rows = KeyedRows.of(html, 0);
		assertThat(rows).isNotNull();
		assertThat(rows.rows()).containsOnlyKeys("a", "b");
	}

	@Test
	void whenOnlyOneRowChangesThenOnlyItsHashChanges() {
		KeyedRows before = KeyedRows.of("<ul id=\"l\"><li id=\"a\">a</li><li id=\"b\">b</li></ul>", 0);
		KeyedRows after = KeyedRows.of("<ul id=\"l\"><li id=\"a\">a</li><li id=\"b\">B</li></ul>", 0);
		assertThat(after.shell()).isEqualTo(before.shell());
		assertThat(after.rows().get("a").hash()).isEqualTo(before.rows().get("a").hash());
		assertThat(after.rows().get("b").hash()).isNotEqualTo(before.rows().get("b").hash());
	}

	@Test
	void whenOnlyAnElementInARowThatReRendersOnItsOwnChangesThenTheRowsHashStaysAndItsOwnChanges() {
		java.util.function.Predicate<String> tracked = java.util.Set.of("cell-b", "hint-b")::contains;
		KeyedRows before = KeyedRows.of("<ul id=\"l\"><li id=\"a\">a</li><li id=\"b\">b <span id=\"cell-b\" aria-busy=\"true\">"
				+ "<i>busy</i><small id=\"hint-b\">soon</small></span></li></ul>", 0, tracked);
		KeyedRows cell = KeyedRows.of("<ul id=\"l\"><li id=\"a\">a</li><li id=\"b\">b <span id=\"cell-b\" aria-busy=\"false\">"
				+ "<i>done</i><small id=\"hint-b\">soon</small></span></li></ul>", 0, tracked);
		KeyedRows hint = KeyedRows.of("<ul id=\"l\"><li id=\"a\">a</li><li id=\"b\">b <span id=\"cell-b\" aria-busy=\"false\">"
				+ "<i>done</i><small id=\"hint-b\">now</small></span></li></ul>", 0, tracked);
		KeyedRows row = KeyedRows.of("<ul id=\"l\"><li id=\"a\">a</li><li id=\"b\">B <span id=\"cell-b\" aria-busy=\"false\">"
				+ "<i>done</i><small id=\"hint-b\">now</small></span></li></ul>", 0, tracked);
		KeyedRows.Row b = before.rows().get("b");
		assertThat(b.inner()).containsOnlyKeys("cell-b", "hint-b");
		assertThat(before.rows().get("a").inner()).isEmpty();
		// the cell changed, not what is around it or in the element in it
		assertThat(cell.rows().get("b").hash()).isEqualTo(b.hash());
		assertThat(cell.rows().get("b").inner().get("cell-b")).isNotEqualTo(b.inner().get("cell-b"));
		assertThat(cell.rows().get("b").inner().get("hint-b")).isEqualTo(b.inner().get("hint-b"));
		// the element in the cell changed, and the cell around it did not
		assertThat(hint.rows().get("b").inner().get("cell-b")).isEqualTo(cell.rows().get("b").inner().get("cell-b"));
		assertThat(hint.rows().get("b").inner().get("hint-b")).isNotEqualTo(b.inner().get("hint-b"));
		// the row's own text changed
		assertThat(row.rows().get("b").hash()).isNotEqualTo(b.hash());
		assertThat(row.rows().get("b").inner()).isEqualTo(hint.rows().get("b").inner());
	}

	@Test
	void whenAnElementThatReRendersOnItsOwnLeavesARowThenTheRowsHashChanges() {
		java.util.function.Predicate<String> tracked = java.util.Set.of("cell-b")::contains;
		KeyedRows with = KeyedRows.of("<ul id=\"l\"><li id=\"b\">b<span id=\"cell-b\">x</span></li></ul>", 0, tracked);
		KeyedRows without = KeyedRows.of("<ul id=\"l\"><li id=\"b\">b</li></ul>", 0, tracked);
		KeyedRows untracked = KeyedRows.of("<ul id=\"l\"><li id=\"b\">b<span id=\"cell-b\">x</span></li></ul>", 0, (id) -> false);
		assertThat(without.rows().get("b").hash()).isNotEqualTo(with.rows().get("b").hash());
		assertThat(untracked.rows().get("b").hash()).isNotEqualTo(with.rows().get("b").hash());
	}

	@Test
	void whenAnElementThatReRendersOnItsOwnIsAVoidOneThenItIsHashedOnItsOwnToo() {
		java.util.function.Predicate<String> tracked = "field-b"::equals;
		KeyedRows before = KeyedRows.of("<ul id=\"l\"><li id=\"b\">b <input id=\"field-b\" value=\"1\"> <br/>end</li></ul>", 0, tracked);
		KeyedRows after = KeyedRows.of("<ul id=\"l\"><li id=\"b\">b <input id=\"field-b\" value=\"2\"> <br/>end</li></ul>", 0, tracked);
		assertThat(after.rows().get("b").hash()).isEqualTo(before.rows().get("b").hash());
		assertThat(after.rows().get("b").inner().get("field-b")).isNotEqualTo(before.rows().get("b").inner().get("field-b"));
	}

	@Test
	void whenATextOfARawTextElementThatReRendersOnItsOwnLooksLikeMarkupThenItIsText() {
		java.util.function.Predicate<String> tracked = java.util.Set.of("notes-b", "x")::contains;
		KeyedRows rows = KeyedRows.of("<ul id=\"l\"><li id=\"b\"><TEXTAREA id=\"notes-b\">&lt;<span id=\"x\">no</span>"
				+ "</textarea></li></ul>", 0, tracked);
		assertThat(rows).isNotNull();
		assertThat(rows.rows().get("b").inner()).containsOnlyKeys("notes-b");
	}

	@Test
	void whenAnElementHashedOnItsOwnIsFollowedByTextThenItsIdAndTheTextAreNotConfused() {
		java.util.function.Predicate<String> tracked = java.util.Set.of("c", "c1")::contains;
		KeyedRows first = KeyedRows.of("<ul id=\"l\"><li id=\"r\"><i id=\"c\">x</i>1</li></ul>", 0, tracked);
		KeyedRows second = KeyedRows.of("<ul id=\"l\"><li id=\"r\"><i id=\"c1\">x</i></li></ul>", 0, tracked);
		assertThat(second.rows().get("r").hash()).isNotEqualTo(first.rows().get("r").hash());
	}

	@Test
	void whenARowItselfReRendersOnItsOwnThenItsHashIsItsOwn() {
		KeyedRows rows = KeyedRows.of("<ul id=\"l\"><li id=\"a\">a</li><li id=\"b\">b</li></ul>", 0, "b"::equals);
		KeyedRows changed = KeyedRows.of("<ul id=\"l\"><li id=\"a\">a</li><li id=\"b\">B</li></ul>", 0, "b"::equals);
		assertThat(changed.rows().get("b").hash()).isEqualTo(rows.rows().get("b").hash());
		assertThat(changed.rows().get("b").inner().get("b")).isNotEqualTo(rows.rows().get("b").inner().get("b"));
	}

	@Test
	void whenAListIsInsideOtherHtmlThenItIsFoundByItsId() {
		KeyedRows rows = KeyedRows.find("<div id=\"outer\"><p>x</p><ul id=\"l\"><li id=\"a\">a</li></ul></div>", "l", (id) -> false);
		assertThat(rows).isNotNull();
		assertThat(rows.rows()).containsOnlyKeys("a");
	}

	@ParameterizedTest
	@ValueSource(strings = {
			"<ul id=\"l\"><li id=\"a\">a</li><li>no id</li></ul>",
			"<ul id=\"l\"><li id=\"a\">a</li>text between<li id=\"b\">b</li></ul>",
			"<ul id=\"l\"><li id=\"a\">a</li><li id=\"a\">twice</li></ul>",
			"<ul id=\"l\"><li id=\"a\">a<li id=\"b\">b</ul>",
			"<ul id=\"l\"></ul>",
			"<ul id=\"l\"><li id=\"a\" class=\"unclosed>a</li></ul>",
			"<ul id=\"l\"><li id=\"a\">a</li>" })
	void whenTheChildrenAreNotKeyedRowsThenThereAreNone(String html) {
		assertThat(KeyedRows.of(html, 0)).isNull();
	}

}
