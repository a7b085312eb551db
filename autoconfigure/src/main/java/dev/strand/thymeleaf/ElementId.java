package dev.strand.thymeleaf;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.thymeleaf.context.ITemplateContext;
import org.thymeleaf.exceptions.TemplateProcessingException;
import org.thymeleaf.model.IAttribute;
import org.thymeleaf.model.IProcessableElementTag;
import org.thymeleaf.standard.StandardDialect;
import org.thymeleaf.standard.expression.StandardExpressions;

/**
 * The id of an element that Strand patches, and the markup selector that picks the element out of its
 * template when Strand re-renders it: {@code #org} for a literal {@code id="org"}, or
 * {@code [th:id="${…}"]} for an id that {@code th:id} (or {@code data-th-id}) computes. Every {@code strand:}
 * attribute resolves its element's id here, and nowhere else.
 *
 * @param id the id, as the page has it
 * @param selector selects the element in its template, unrendered
 */
record ElementId(String id, String selector) {

	/** For each attribute, an element that has it, with an id. */
	private static final Map<String, String> EXAMPLES = Map.of(
			"async", "<section id=\"org\" strand:async=\"${org}\">",
			"stream", "<div id=\"log\" strand:stream=\"job\"></div>",
			"progress", "<progress id=\"job-progress\" strand:progress=\"job\"></progress>",
			"flash", "<div id=\"flash\" strand:flash></div>",
			"watch", "<ul id=\"messages\" strand:watch=\"messages\">");

	/**
	 * Return the id of an element with a {@code strand:} attribute.
	 * @param context the template context, in which a {@code th:id} is evaluated
	 * @param tag the element
	 * @param attribute the {@code strand:} attribute, without its prefix, such as {@code progress}
	 * @return its id and selector
	 * @throws TemplateProcessingException if it has no id, or one that Strand cannot patch
	 */
	static ElementId of(ITemplateContext context, IProcessableElementTag tag, String attribute) {
		String literal = tag.getAttributeValue("id");
		if (literal != null && !literal.isBlank()) {
			return new ElementId(checked(literal, attribute), "#" + literal);
		}
		IAttribute computed = computedId(context, tag);
		if (computed == null || computed.getValue() == null || computed.getValue().isBlank()) {
			throw new TemplateProcessingException("An element with strand:" + attribute + " needs an id (an id or "
					+ "th:id attribute), so that Strand can re-render and patch it; for example " + example(attribute));
		}
		String name = computed.getAttributeCompleteName();
		String expression = computed.getValue();
		Object value = StandardExpressions.getExpressionParser(context.getConfiguration())
			.parseExpression(context, expression)
			.execute(context);
		if (value == null || value.toString().isBlank()) {
			throw new TemplateProcessingException("The " + name + "=\"" + expression + "\" of an element with strand:"
					+ attribute + " evaluated to nothing, but Strand needs an id to re-render and patch it; for example "
					+ example(attribute));
		}
		return new ElementId(checked(value.toString(), attribute), "[" + name + "=" + quoted(expression, name, attribute) + "]");
	}

	private static String checked(String id, String attribute) {
		if (!safe(id)) {
			throw new TemplateProcessingException("The id '" + id + "' of an element with strand:" + attribute
					+ " must start with a letter and hold only letters, digits, '-' and '_', so that Strand can patch it; "
					+ "for example " + example(attribute));
		}
		return id;
	}

	/** Whether an id starts with a letter and holds only letters, digits, '-' and '_'; checked on every render. */
	private static boolean safe(String id) {
		if (id.isEmpty() || !letter(id.charAt(0))) {
			return false;
		}
		for (int i = 1; i < id.length(); i++) {
			char c = id.charAt(i);
			if (!letter(c) && !(c >= '0' && c <= '9') && c != '_' && c != '-') {
				return false;
			}
		}
		return true;
	}

	private static boolean letter(char c) {
		return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
	}

	/** The {@code th:id} or {@code data-th-id} attribute, with the standard dialect's prefix. */
	private static @Nullable IAttribute computedId(ITemplateContext context, IProcessableElementTag tag) {
		for (var dialect : context.getConfiguration().getDialectConfigurations()) {
			if (dialect.getDialect() instanceof StandardDialect standard) {
				// a prefix set when the dialect was added, or else its own
				String prefix = (dialect.isPrefixSpecified()) ? dialect.getPrefix() : standard.getPrefix();
				return (prefix != null) ? tag.getAttribute(prefix, "id") : null;
			}
		}
		return null;
	}

	/** The expression as a markup selector's attribute value, which cannot escape a quote. */
	private static String quoted(String expression, String name, String attribute) {
		if (expression.indexOf('"') < 0) {
			return "\"" + expression + "\"";
		}
		if (expression.indexOf('\'') < 0) {
			return "'" + expression + "'";
		}
		throw new TemplateProcessingException("The " + name + " of an element with strand:" + attribute + " holds both "
				+ "kinds of quote, so Strand cannot find it in its template to re-render it; write the expression with "
				+ "one kind, such as th:id=\"|row-${n}|\"");
	}

	private static String example(String attribute) {
		return EXAMPLES.getOrDefault(attribute, EXAMPLES.get("async"));
	}

}
