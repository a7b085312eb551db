package dev.strand.thymeleaf;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.thymeleaf.context.Context;
import org.thymeleaf.spring6.SpringTemplateEngine;
import org.thymeleaf.templateresolver.StringTemplateResolver;

import dev.strand.AsyncResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/** The {@code strand:} attributes on their own: ids and the errors a template author meets. */
class StrandDialectTests {

	private final SpringTemplateEngine engine = engine();

	private static SpringTemplateEngine engine() {
		SpringTemplateEngine engine = new SpringTemplateEngine();
		engine.setTemplateResolver(new StringTemplateResolver());
		engine.addDialect(new StrandDialect(() -> null, "/strand/stream", "/strand/strand.js", "interrupted"));
		return engine;
	}

	private String render(String html) {
		Context context = new Context();
		context.setVariables(Map.of("job", AsyncResult.idle(), "org", AsyncResult.idle(), "n", 7));
		return this.engine.process(html, context);
	}

	@Test
	void whenAProgressBarHasThIdThenItRendersWithTheEvaluatedId() {
		assertThat(render("<progress th:id=\"|job-${n}|\" strand:progress=\"job\"></progress>"))
			.startsWith("<progress id=\"job-7\" ").contains("data-strand-progress=\"job\"");
	}

	@ParameterizedTest
	@CsvSource(delimiter = ';', quoteCharacter = '~', textBlock = """
			<section th:id="${'org'}" strand:async="${org}"><p strand:ok>ok</p></section> ; <section id="org"
			<div data-th-id="|log-${n}|" strand:stream="job"></div> ; <div id="log-7"
			<div th:id="${'flash'}" strand:flash></div> ; <div id="flash"
			<ul th:id="${'messages'}" strand:watch="job"></ul> ; <ul id="messages"
			""")
	void whenAStrandElementHasThIdThenItRendersWithTheEvaluatedId(String template, String start) {
		assertThat(render(template)).startsWith(start);
	}

	@ParameterizedTest
	@CsvSource(delimiter = ';', quoteCharacter = '~', textBlock = """
			<section strand:async="${org}"></section> ; strand:async ; <section id="org" strand:async="${org}">
			<div strand:stream="job"></div> ; strand:stream ; <div id="log" strand:stream="job"></div>
			<progress strand:progress="job"></progress> ; strand:progress ; <progress id="job-progress" strand:progress="job"></progress>
			<div strand:flash></div> ; strand:flash ; <div id="flash" strand:flash></div>
			<ul strand:watch="job"></ul> ; strand:watch ; <ul id="messages" strand:watch="messages">
			""")
	void whenAStrandElementHasNoIdThenTheErrorNamesItsAttributeAndShowsAnExampleOfIt(String template, String attribute,
			String example) {
		assertThatException().isThrownBy(() -> render(template))
			.havingRootCause()
			.withMessageContaining("An element with " + attribute + " needs an id")
			.withMessageContaining("for example " + example);
	}

	@ParameterizedTest
	@CsvSource(delimiter = ';', quoteCharacter = '~', textBlock = """
			<input th:field="*{text}"> ; th:field="*{text}" ; <input name="text" th:value="*{text}">
			<input data-th-field="${form.text}"> ; data-th-field="${form.text}" ; <input name="form.text" th:value="${form.text}">
			<span th:errors="*{text}"></span> ; th:errors="*{text}" ; <input name="text" th:value="*{text}">
			""")
	void whenAFormIsBoundWithThFieldInsideAStrandElementThenTheErrorSaysHowToBindItInstead(String input,
			String attribute, String example) {
		Context context = new Context();
		context.setVariables(Map.of("form", Map.of("text", "hi")));
		assertThatException()
			.isThrownBy(() -> this.engine.process("<form id=\"f\" strand:watch=\"form\" th:object=\"${form}\">"
					+ input + "</form>", context))
			.havingRootCause()
			.withMessageContaining(attribute + " is inside the element 'f', which Strand re-renders after the request")
			.withMessageContaining("for example " + example);
	}

	@Test
	void whenAStrandElementsThIdIsBlankThenTheErrorSaysSoAndNamesItsAttribute() {
		assertThatException().isThrownBy(() -> render("<progress th:id=\"${null}\" strand:progress=\"job\"></progress>"))
			.havingRootCause()
			.withMessageContaining("th:id=\"${null}\" of an element with strand:progress evaluated to nothing")
			.withMessageContaining("for example <progress id=\"job-progress\" strand:progress=\"job\"></progress>");
	}

	@Test
	void whenAStrandElementsIdIsUnsafeThenTheErrorNamesItsAttribute() {
		assertThatException().isThrownBy(() -> render("<div id=\"1 log\" strand:stream=\"job\"></div>"))
			.havingRootCause()
			.withMessageContaining("The id '1 log' of an element with strand:stream must start with a letter")
			.withMessageContaining("for example <div id=\"log\" strand:stream=\"job\"></div>");
	}

	@Test
	void whenABranchIsOutsideStrandAsyncThenTheErrorShowsAnExampleOfThatBranch() {
		assertThatException().isThrownBy(() -> render("<p strand:loading>Loading…</p>"))
			.havingRootCause()
			.withMessageContaining("strand:loading must sit inside an element with strand:async")
			.withMessageContaining("<p strand:loading>");
	}

	@Test
	void whenStrandAsyncGivesAKeyThenTheElementShowsThatAssignAndLetNamesIt() {
		Context context = new Context();
		context.setVariables(Map.of("report:7", AsyncResult.ok("done"), "rows", java.util.List.of(7)));
		String html = this.engine.process("<div th:each=\"r : ${rows}\" th:id=\"|report-${r}|\" strand:async=\"|report:${r}|\" "
				+ "strand:let=\"report\"><b strand:ok th:text=\"${report.result}\">x</b></div>", context);
		assertThat(html).isEqualTo("<div id=\"report-7\" data-strand-async=\"report:7\" aria-busy=\"false\"><b>done</b></div>");
	}

	@Test
	void whenStrandAsyncNamesARowVariableHoldingAKeyThenItShowsThatAssign() {
		Context context = new Context();
		context.setVariables(Map.of("worker-7", AsyncResult.ok(3), "workers", java.util.List.of("worker-7")));
		String html = this.engine.process("<p th:each=\"name : ${workers}\" th:id=\"|row-${name}|\" strand:async=\"${name}\" "
				+ "strand:let=\"w\"><b strand:ok th:text=\"${w.result}\">x</b></p>", context);
		assertThat(html).isEqualTo("<p id=\"row-worker-7\" data-strand-async=\"worker-7\" aria-busy=\"false\"><b>3</b></p>");
	}

	@Test
	void whenATaskNameIsAnExpressionThenTheElementFollowsTheTaskItNames() {
		assertThat(render("<progress th:id=\"|bar-${n}|\" strand:progress=\"|job-${n}|\"></progress>"))
			.contains("data-strand-progress=\"job-7\"");
		assertThat(render("<div th:id=\"|log-${n}|\" strand:stream=\"${'job-' + n}\"></div>"))
			.contains("data-strand-stream=\"job-7\"");
	}

	@Test
	void whenATaskNameExpressionGivesNothingThenTheErrorSaysSoAndShowsAnExample() {
		assertThatException().isThrownBy(() -> render("<progress id=\"bar\" strand:progress=\"${null}\"></progress>"))
			.havingRootCause()
			.withMessageContaining("strand:progress=\"${null}\" evaluated to nothing")
			.withMessageContaining("for example strand:progress=\"|report:${r.id}|\"");
	}

	@Test
	void whenStrandLetIsNotAVariableNameThenTheErrorSaysSo() {
		assertThatException().isThrownBy(() -> render("<section id=\"org\" strand:async=\"${org}\" strand:let=\"a b\"></section>"))
			.havingRootCause()
			.withMessageContaining("strand:let names a variable, such as strand:let=\"report\", but got 'a b'");
	}

	@Test
	void whenAnAssignHoldsTextThenStrandAsyncStillSaysItIsNotAnAsyncResult() {
		Context context = new Context();
		context.setVariables(Map.of("org", "Acme"));
		assertThatException().isThrownBy(() -> this.engine.process("<section id=\"org\" strand:async=\"${org}\"></section>", context))
			.havingRootCause()
			.withMessageContaining("expects an AsyncResult, but the assign holds a java.lang.String");
	}

}
