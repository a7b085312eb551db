package dev.strand.thymeleaf;

import java.util.ArrayDeque;
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
import org.unbescape.html.HtmlEscape;

import dev.strand.internal.PageModel;
import dev.strand.internal.Tab;
import dev.strand.internal.TabRenderer;
import dev.strand.internal.WireEvent;
import dev.strand.internal.WireEvent.Patch;
import dev.strand.internal.WireEvent.Op;

/**
 * A page's re-rendering plan, learned during its first render: which elements (by id, in which template)
 * depend on which assigns, and which fragment renders each stream's chunks. A change re-renders just those
 * elements, with Thymeleaf's fragment selection on their own template and the view's assigns as variables.
 * <p>
 * A {@code strand:stream} container holds more than its template: the chunks strand.js appended to it. So for
 * each container the plan keeps what the page has in it: the assigns it was last rendered with, and the chunks
 * appended since (the newest, up to a size). A full re-render draws it from those, and so does not lose its
 * chunks, nor draw twice the ones its template also draws from an assign.
 */
final class PageRenderer implements TabRenderer {

	/** The pseudo-key of elements that only a full re-render refreshes. */
	static final String ALWAYS = "@all";

	private final Tab tab;

	private final ITemplateEngine engine;

	private final Locale locale;

	private final String contextPath;

	private final long historySize;

	private final Map<String, Element> elements = new ConcurrentHashMap<>();

	private final Map<String, String> chunkFragments = new ConcurrentHashMap<>();

	/** What each {@code strand:stream} container holds in the page, by id. */
	private final Map<String, StreamHistory> streams = new ConcurrentHashMap<>();

	PageRenderer(Tab tab, ITemplateEngine engine, Locale locale, String contextPath, long historySize) {
		this.tab = tab;
		this.engine = engine;
		this.locale = locale;
		this.contextPath = contextPath;
		this.historySize = historySize;
	}

	void track(ElementId id, String template, Set<String> keys) {
		this.elements.merge(id.id(), new Element(template, id.selector(), Set.copyOf(keys)), (old, added) -> {
			Set<String> union = new java.util.HashSet<>(old.keys);
			union.addAll(added.keys);
			return new Element(added.template, added.selector, Set.copyOf(union));
		});
	}

	/** Track a stream container, as the page has just rendered it from the view's assigns. */
	void trackStream(ElementId id, String template, String task) {
		track(id, template, Set.of(ALWAYS));
		this.streams.put(id.id(), new StreamHistory(task, variables()));
	}

	void chunkFragment(String task, String fragment) {
		this.chunkFragments.put(task, fragment);
	}

	@Override
	public List<Patch> render(Set<String> changed) {
		List<Patch> patches = new ArrayList<>();
		this.elements.forEach((id, element) -> {
			if (element.keys.stream().anyMatch(changed::contains)) {
				patches.add(new Patch(id, Op.REPLACE, renderElement(element, variables())));
			}
		});
		List<Patch> kept = nonNested(patches);
		if (!this.streams.isEmpty() && !kept.isEmpty()) {
			// a container inside a re-rendered element is drawn afresh from the assigns: its chunks are gone
			Map<String, Object> variables = variables();
			this.streams.forEach((id, history) -> {
				if (kept.stream().anyMatch((patch) -> patch.html().contains(marker(id)))) {
					history.redrawn(variables);
				}
			});
		}
		return kept;
	}

	@Override
	public List<Patch> renderAll() {
		List<Patch> patches = new ArrayList<>();
		Map<String, Object> variables = variables();
		this.elements.forEach((id, element) -> {
			if (!this.streams.containsKey(id)) {
				patches.add(new Patch(id, Op.REPLACE, renderElement(element, variables)));
			}
		});
		List<Patch> all = nonNested(patches);
		// after the elements around them, which draw them afresh: each container as the page has it
		this.streams.forEach((id, history) -> all.add(new Patch(id, Op.REPLACE,
				history.appendTo(renderElement(this.elements.get(id), history.base())))));
		return all;
	}

	@Override
	public WireEvent.Chunk chunk(WireEvent.Chunk event, Object chunk) {
		String fragment = this.chunkFragments.get(event.task());
		WireEvent.Chunk rendered = event;
		if (fragment != null) {
			int separator = fragment.indexOf("::");
			String template = fragment.substring(0, separator).trim();
			String selector = fragment.substring(separator + 2).trim();
			Map<String, Object> variables = variables();
			variables.put("chunk", chunk);
			rendered = event.withHtml(this.engine.process(template, Set.of(selector), new Context(this.locale, variables)));
		}
		if (!this.streams.isEmpty()) {
			// what strand.js appends: the fragment's HTML, or the text (JSON for other values) in a div
			String html = (rendered.html() != null) ? rendered.html()
					: "<div class=\"strand-chunk\">" + HtmlEscape.escapeHtml5Xml((chunk instanceof CharSequence text)
							? text.toString() : event.value()) + "</div>";
			this.streams.values().forEach((history) -> {
				if (history.task.equals(event.task())) {
					history.append(html, this.historySize);
				}
			});
		}
		return rendered;
	}

	@Override
	public String url(String url) {
		return (url.startsWith("/") && !url.startsWith("//")) ? this.contextPath + url : url;
	}

	private String renderElement(Element element, Map<String, Object> variables) {
		return this.engine.process(element.template, Set.of(element.selector), new Context(this.locale, variables)).trim();
	}

	private Map<String, Object> variables() {
		Map<String, Object> variables = new HashMap<>(this.tab.view().assigns());
		variables.put(PageModel.TAB, this.tab);
		variables.put(StrandLinkBuilder.CONTEXT_PATH, this.contextPath);
		return variables;
	}

	private static String marker(String id) {
		return "id=\"" + id + "\"";
	}

	/** Drop patches whose element sits inside another patched element: the outer one renders it. */
	private static List<Patch> nonNested(List<Patch> patches) {
		if (patches.size() < 2) {
			return patches;
		}
		List<Patch> kept = new ArrayList<>();
		for (Patch patch : patches) {
			String marker = marker(patch.target());
			boolean nested = patches.stream().anyMatch((other) -> other != patch && other.html().contains(marker));
			if (!nested) {
				kept.add(patch);
			}
		}
		return kept;
	}

	static PageRenderer of(Tab tab, ITemplateEngine engine, ITemplateContext context, long historySize) {
		return (PageRenderer) tab.renderer(() -> {
			Locale locale = (context.getLocale() != null) ? context.getLocale() : Locale.getDefault();
			return new PageRenderer(tab, engine, locale, StrandLinkBuilder.contextPath(context), historySize);
		});
	}

	private record Element(String template, String selector, Set<String> keys) {
	}

	/**
	 * What a stream container holds in the page: its template, rendered with the assigns it was last drawn
	 * with, and then the chunks appended since, the newest up to a size. Touched on the tab's turns only.
	 */
	private static final class StreamHistory {

		final String task;

		private Map<String, Object> base;

		private final ArrayDeque<String> chunks = new ArrayDeque<>();

		private long bytes;

		StreamHistory(String task, Map<String, Object> base) {
			this.task = task;
			this.base = base;
		}

		Map<String, Object> base() {
			return this.base;
		}

		/** The page drew the container afresh from these assigns. */
		void redrawn(Map<String, Object> variables) {
			this.base = variables;
			this.chunks.clear();
			this.bytes = 0;
		}

		void append(String html, long limit) {
			this.chunks.addLast(html);
			this.bytes += html.length();
			while (this.bytes > limit && !this.chunks.isEmpty()) {
				this.bytes -= this.chunks.removeFirst().length();
			}
		}

		/** The container's rendered HTML with the chunks inside it, after what its template put there. */
		String appendTo(String html) {
			if (this.chunks.isEmpty()) {
				return html;
			}
			int end = html.lastIndexOf("</");
			StringBuilder out = new StringBuilder(html.length() + (int) this.bytes).append(html, 0, end);
			this.chunks.forEach(out::append);
			return out.append(html, end, html.length()).toString();
		}

	}

}
