package dev.strand.thymeleaf;

import java.util.Map;

import org.thymeleaf.context.IExpressionContext;
import org.thymeleaf.context.ITemplateContext;
import org.thymeleaf.linkbuilder.StandardLinkBuilder;
import org.thymeleaf.web.IWebExchange;
import org.thymeleaf.context.IWebContext;

/**
 * Thymeleaf's standard link builder, extended so that context-relative links ({@code @{/path}}) also work
 * when Strand re-renders a fragment outside a request: they resolve against the context path of the
 * request that first rendered the page.
 */
public final class StrandLinkBuilder extends StandardLinkBuilder {

	/** The variable that carries the page's context path into re-renders. */
	static final String CONTEXT_PATH = "strandContextPath";

	@Override
	protected String computeContextPath(IExpressionContext context, String base, Map<String, Object> parameters) {
		if (context instanceof IWebContext) {
			return super.computeContextPath(context, base, parameters);
		}
		return (context.getVariable(CONTEXT_PATH) instanceof String path) ? path : "";
	}

	static String contextPath(ITemplateContext context) {
		if (context instanceof IWebContext web) {
			IWebExchange exchange = web.getExchange();
			return exchange.getRequest().getApplicationPath();
		}
		return (context.getVariable(CONTEXT_PATH) instanceof String path) ? path : "";
	}

}
