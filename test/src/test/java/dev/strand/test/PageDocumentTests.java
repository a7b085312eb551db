package dev.strand.test;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The page model applies each wire event as strand.js's handler for it does in a browser. */
class PageDocumentTests {

	private final PageDocument page = new PageDocument("""
			<html><head><title>t</title></head><body>
			<div id="flash" data-strand-flash></div>
			<section id="org"><p>Loading…</p></section>
			<ul id="rows"><li id="row-1">one</li></ul>
			<table><tbody id="body"><tr id="r1"><td>1</td></tr></tbody></table>
			<div id="log" data-strand-stream="job"></div>
			<div id="other" data-strand-stream="other"></div>
			<progress id="bar" data-strand-progress="job"></progress>
			</body></html>""");

	private String html(String id) {
		return this.page.document().getElementById(id).outerHtml().replaceAll("\\s*\\n\\s*", "");
	}

	@Test
	void whenAPatchReplacesAnElementThenTheNewHtmlStandsInItsPlace() {
		this.page.patch("org", "replace", "<section id=\"org\"><h2>Acme</h2></section>");
		assertThat(html("org")).isEqualTo("<section id=\"org\"><h2>Acme</h2></section>");
		this.page.patch("org", "morph", "<section id=\"org\" class=\"done\"><h2>Acme Inc</h2></section>");
		assertThat(html("org")).isEqualTo("<section id=\"org\" class=\"done\"><h2>Acme Inc</h2></section>");
		assertThat(this.page.document().select("section")).hasSize(1);
	}

	@Test
	void whenPatchesAppendPrependAndRemoveThenRowsComeAndGoInPlace() {
		this.page.patch("rows", "append", "<li id=\"row-2\">two</li>");
		this.page.patch("rows", "prepend", "<li id=\"row-0\">zero</li>");
		this.page.patch("row-1", "remove", null);
		assertThat(this.page.document().select("#rows li").eachText()).containsExactly("zero", "two");
		this.page.patch("body", "append", "<tr id=\"r2\"><td>2</td></tr>");
		assertThat(this.page.document().select("#body tr").eachAttr("id")).containsExactly("r1", "r2");
	}

	@Test
	void whenAPatchTargetsAnElementThePageLacksThenItIsSkippedAndRemembered() {
		this.page.patch("gone", "replace", "<p id=\"gone\">x</p>");
		assertThat(this.page.missedTargets()).containsExactly("gone");
		assertThat(this.page.document().getElementById("gone")).isNull();
	}

	@Test
	void whenAPatchHasAnUnknownOpThenItFailsSayingSo() {
		assertThatIllegalStateException().isThrownBy(() -> this.page.patch("org", "swap", "<p></p>"))
			.withMessageContaining("'swap'");
	}

	@Test
	void whenAChunkArrivesAsTextThenItIsAppendedAsInertTextToItsTasksContainersOnly() {
		this.page.chunk("job", "<script>alert(1)</script>", null);
		this.page.chunk("job", "second", null);
		assertThat(this.page.document().select("#log .strand-chunk").eachText())
			.containsExactly("<script>alert(1)</script>", "second");
		assertThat(this.page.document().select("#log script")).isEmpty();
		assertThat(this.page.document().select("#other *")).isEmpty();
	}

	@Test
	void whenAChunkArrivesRenderedThenItsHtmlIsAppended() {
		this.page.chunk("job", "ignored", "<p class=\"row\">rendered</p>");
		assertThat(this.page.document().select("#log p.row").eachText()).containsExactly("rendered");
	}

	@Test
	void whenProgressArrivesThenTheBarIsDeterminateWithATotalAndIndeterminateWithout() {
		this.page.progress("job", 2, 5);
		assertThat(html("bar")).contains("max=\"5\"").contains("value=\"2\"").contains("aria-valuetext=\"2 of 5\"");
		this.page.progress("job", 3, 0);
		assertThat(html("bar")).doesNotContain("value=").doesNotContain("aria-valuetext");
	}

	@Test
	void whenAFlashArrivesThenItReplacesTheOneOfItsKindAndKeepsTheOthers() {
		this.page.flash("info", "First");
		this.page.flash("error", "Oops");
		this.page.flash("info", "Second");
		assertThat(this.page.document().select("#flash .strand-flash").eachAttr("data-kind")).containsExactly("info", "error");
		assertThat(this.page.document().select("#flash .strand-flash-text").eachText()).containsExactly("Second", "Oops");
		assertThat(this.page.document().select("#flash .strand-flash-info")).hasSize(1);
		this.page.flash("we ird", "<b>x</b>");
		assertThat(this.page.document().select("#flash .strand-flash-we-ird .strand-flash-text").text()).isEqualTo("<b>x</b>");
	}

}
