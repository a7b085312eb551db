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
	void whenAListIsInsideOtherHtmlThenItIsFoundByItsId() {
		KeyedRows rows = KeyedRows.find("<div id=\"outer\"><p>x</p><ul id=\"l\"><li id=\"a\">a</li></ul></div>", "l");
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
