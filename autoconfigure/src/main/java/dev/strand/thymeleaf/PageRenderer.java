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

import dev.strand.internal.PageModel;
import dev.strand.internal.Tab;
import dev.strand.internal.TabRenderer;
import dev.strand.internal.WireEvent.Patch;
import dev.strand.internal.WireEvent.Op;

/**
 * A page's re-rendering plan, learned during its first render: which elements (by id, in which template)
 * depend on which assigns, and which fragment renders each stream's chunks. A change re-renders just those
 * elements, with Thymeleaf's fragment selection on their own template and the view's assigns as variables.
 */
final class PageRenderer implements TabRenderer {

	/** The pseudo-key of elements that only a full re-render refreshes. */
	static final String ALWAYS = "@all";

	private final Tab tab;

	private final ITemplateEngine engine;

	private final Locale locale;

	private final String contextPath;

	private final Map<String, Element> elements = new ConcurrentHashMap<>();

	private final Map<String, String> chunkFragments = new ConcurrentHashMap<>();

	PageRenderer(Tab tab, ITemplateEngine engine, Locale locale, String contextPath) {
		this.tab = tab;
		this.engine = engine;
		this.locale = locale;
		this.contextPath = contextPath;
	}

	void track(ElementId id, String template, Set<String> keys) {
		this.elements.merge(id.id(), new Element(template, id.selector(), Set.copyOf(keys)), (old, added) -> {
			Set<String> union = new java.util.HashSet<>(old.keys);
			union.addAll(added.keys);
			return new Element(added.template, added.selector, Set.copyOf(union));
		});
	}

	void chunkFragment(String task, String fragment) {
		this.chunkFragments.put(task, fragment);
	}

	@Override
	public List<Patch> render(Set<String> changed) {
		List<Patch> patches = new ArrayList<>();
		this.elements.forEach((id, element) -> {
			if (element.keys.stream().anyMatch(changed::contains)) {
				patches.add(new Patch(id, Op.REPLACE, renderElement(element)));
			}
		});
		return nonNested(patches);
	}

	@Override
	public List<Patch> renderAll() {
		List<Patch> patches = new ArrayList<>();
		this.elements.forEach((id, element) -> patches.add(new Patch(id, Op.REPLACE, renderElement(element))));
		return nonNested(patches);
	}

	@Override
	public @Nullable String renderChunk(String task, Object chunk) {
		String fragment = this.chunkFragments.get(task);
		if (fragment == null) {
			return null;
		}
		int separator = fragment.indexOf("::");
		String template = fragment.substring(0, separator).trim();
		String selector = fragment.substring(separator + 2).trim();
		Map<String, Object> variables = variables();
		variables.put("chunk", chunk);
		return this.engine.process(template, Set.of(selector), new Context(this.locale, variables));
	}

	@Override
	public String url(String url) {
		return (url.startsWith("/") && !url.startsWith("//")) ? this.contextPath + url : url;
	}

	private String renderElement(Element element) {
		return this.engine.process(element.template, Set.of(element.selector), new Context(this.locale, variables())).trim();
	}

	private Map<String, Object> variables() {
		Map<String, Object> variables = new HashMap<>(this.tab.view().assigns());
		variables.put(PageModel.TAB, this.tab);
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

	static PageRenderer of(Tab tab, ITemplateEngine engine, ITemplateContext context) {
		return (PageRenderer) tab.renderer(() -> {
			Locale locale = (context.getLocale() != null) ? context.getLocale() : Locale.getDefault();
			return new PageRenderer(tab, engine, locale, StrandLinkBuilder.contextPath(context));
		});
	}

	private record Element(String template, String selector, Set<String> keys) {
	}

}
