package dev.strand.thymeleaf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.thymeleaf.ITemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.context.ITemplateContext;

import dev.strand.View;
import dev.strand.internal.ViewRenderer;
import dev.strand.internal.ViewState;
import dev.strand.web.ViewArgumentResolver;

/**
 * A page's re-rendering plan, learned during its first render: which elements (by id, in which template)
 * depend on which assigns, and which fragment renders each stream's chunks. A change re-renders just those
 * elements, with Thymeleaf's fragment selection on their own template and the view's assigns as variables.
 */
final class PageRenderer implements ViewRenderer {

	/** The pseudo-key of elements that only a full re-render refreshes. */
	static final String ALWAYS = "@all";

	private final ITemplateEngine engine;

	private final Locale locale;

	private final String contextPath;

	private final Map<String, Element> elements = new ConcurrentHashMap<>();

	private final Map<String, String> chunkFragments = new ConcurrentHashMap<>();

	PageRenderer(ITemplateEngine engine, Locale locale, String contextPath) {
		this.engine = engine;
		this.locale = locale;
		this.contextPath = contextPath;
	}

	void track(String id, String template, Set<String> keys) {
		this.elements.merge(id, new Element(template, Set.copyOf(keys)), (old, added) -> {
			Set<String> union = new java.util.HashSet<>(old.keys);
			union.addAll(added.keys);
			return new Element(added.template, Set.copyOf(union));
		});
	}

	void chunkFragment(String task, String fragment) {
		this.chunkFragments.put(task, fragment);
	}

	@Override
	public List<Patch> render(View view, Set<String> changed) {
		List<Patch> patches = new ArrayList<>();
		this.elements.forEach((id, element) -> {
			if (element.keys.stream().anyMatch(changed::contains)) {
				patches.add(new Patch(id, "replace", renderElement(view, id, element.template)));
			}
		});
		return nonNested(patches);
	}

	@Override
	public List<Patch> renderAll(View view) {
		List<Patch> patches = new ArrayList<>();
		this.elements.forEach((id, element) -> patches.add(new Patch(id, "replace", renderElement(view, id, element.template))));
		return nonNested(patches);
	}

	@Override
	public @Nullable String renderChunk(View view, String task, Object chunk) {
		String fragment = this.chunkFragments.get(task);
		if (fragment == null) {
			return null;
		}
		int separator = fragment.indexOf("::");
		String template = fragment.substring(0, separator).trim();
		String selector = fragment.substring(separator + 2).trim();
		Map<String, Object> variables = variables(view);
		variables.put("chunk", chunk);
		return this.engine.process(template, Set.of(selector), new Context(this.locale, variables));
	}

	private String renderElement(View view, String id, String template) {
		return this.engine.process(template, Set.of("#" + id), new Context(this.locale, variables(view))).trim();
	}

	private Map<String, Object> variables(View view) {
		Map<String, Object> variables = new HashMap<>(view.assigns());
		variables.put(ViewArgumentResolver.VIEW_ATTRIBUTE, view);
		variables.put(StrandLinkBuilder.CONTEXT_PATH, this.contextPath);
		return variables;
	}

	/** Drop patches whose element sits inside another patched element: the outer one renders it. */
	private static List<Patch> nonNested(List<Patch> patches) {
		if (patches.size() < 2) {
			return patches;
		}
		List<Patch> kept = new ArrayList<>();
		for (Patch patch : patches) {
			String marker = "id=\"" + patch.target() + "\"";
			boolean nested = patches.stream().anyMatch((other) -> other != patch && other.html().contains(marker));
			if (!nested) {
				kept.add(patch);
			}
		}
		return kept;
	}

	static PageRenderer of(ViewState view, ITemplateEngine engine, ITemplateContext context) {
		if (view.renderer() instanceof PageRenderer existing) {
			return existing;
		}
		Locale locale = (context.getLocale() != null) ? context.getLocale() : Locale.getDefault();
		PageRenderer renderer = new PageRenderer(engine, locale, StrandLinkBuilder.contextPath(context));
		view.renderer(renderer);
		return renderer;
	}

	private record Element(String template, Set<String> keys) {
	}

}
