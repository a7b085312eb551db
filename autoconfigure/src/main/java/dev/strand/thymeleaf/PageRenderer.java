package dev.strand.thymeleaf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.thymeleaf.context.IContext;
import org.thymeleaf.context.ITemplateContext;
import org.unbescape.html.HtmlEscape;

import dev.strand.internal.BufferBudget;
import dev.strand.internal.ByteRing;
import dev.strand.internal.PageModel;
import dev.strand.internal.Tab;
import dev.strand.internal.TabRenderer;
import dev.strand.internal.TabRenderer.PartlyRendered;
import dev.strand.internal.WireEvent;
import dev.strand.internal.WireEvent.Patch;
import dev.strand.internal.WireEvent.Op;

/**
 * A page's re-rendering plan, learned during its first render: which elements (by id, in which template)
 * depend on which assigns, and which fragment renders each stream's chunks. A change re-renders just those
 * elements, with Thymeleaf's fragment selection on their own template, the view's assigns as variables, and
 * the locals they were first rendered among (a {@code th:each} row's variable, a {@code th:with}), so that an
 * element in a row re-renders alone. An element whose children are rows with ids (a list drawn by
 * {@code th:each}) is sent row by row: the plan keeps each row's id and a hash of its HTML, and a change sends
 * the rows removed, changed, prepended and appended, not the list. Every other patch morphs its element.
 * <p>
 * A {@code strand:stream} container holds more than its template: the chunks strand.js appended to it. So for
 * each container the plan keeps what the page has in it: the assigns it was last rendered with, and the chunks
 * appended since (the newest, up to a size). A full re-render draws it from those, and so does not lose its
 * chunks, nor draw twice the ones its template also draws from an assign.
 */
final class PageRenderer implements TabRenderer {

	/** The pseudo-key of elements that only a full re-render refreshes. */
	static final String ALWAYS = "@all";

	/** The div strand.js puts a chunk's text in (a chunk with no fragment), as UTF-8: its start and end. */
	private static final byte[] CHUNK_OPEN = "<div class=\"strand-chunk\">".getBytes(StandardCharsets.UTF_8);

	private static final byte[] CHUNK_CLOSE = "</div>".getBytes(StandardCharsets.UTF_8);

	private final Tab tab;

	/** The engine and what else every view's renderer shares. */
	private final RenderSettings settings;

	private final Locale locale;

	private final String contextPath;

	/** The budget the stream containers' histories share with every other ring of the server. */
	private final BufferBudget buffers;

	/** The tracked elements, by id; sized for a few, as a page tracks a few (the map grows when it tracks more). */
	private final Map<String, Element> elements = new ConcurrentHashMap<>(2);

	/** Whether an element re-renders on its own: what a list leaves out of its rows' hashes. */
	private final Predicate<String> tracked = this.elements::containsKey;

	/** The fragment each task's chunks render into, by task; made by the first ({@code null} until then). */
	private volatile @Nullable Map<String, Fragment> chunkFragments;

	/** What each {@code strand:stream} container holds in the page, by id. */
	private final Map<String, StreamHistory> streams = LinkedHashMap.newLinkedHashMap(1);

	/** The latest copy of the assigns that a stream container keeps, for the next one drawn from the same. */
	private @Nullable Map<String, Object> lastAssigns;

	/** Counts render passes, so that a pass knows the elements it tracked. */
	private long pass;

	/** Whether Strand itself is rendering (not the page's first render). */
	private boolean rendering;

	/** The locals of the element Strand is rendering, which its template sees as variables. */
	private Map<String, Object> outerLocals = Map.of();

	PageRenderer(Tab tab, RenderSettings settings, Locale locale, String contextPath, BufferBudget buffers) {
		this.tab = tab;
		this.buffers = buffers;
		this.settings = settings;
		this.locale = locale;
		this.contextPath = contextPath;
	}

	/**
	 * Track an element the page has just rendered.
	 * @param id its id
	 * @param template the template whose markup it is in
	 * @param keys the assigns it depends on
	 * @param locals the variables of its template around it that are not assigns, such as a {@code th:each}
	 * variable: it re-renders with them
	 * @param parent the tracked element it is in, if any
	 * @param rows whether its children may be keyed rows, which a change sends one by one
	 */
	void track(ElementId id, String template, Set<String> keys, Map<String, Object> locals, @Nullable String parent,
			boolean rows) {
		if (!this.outerLocals.isEmpty()) {
			// re-rendered on its own or within one that is: the locals it was rendered with are variables now
			Map<String, Object> all = new HashMap<>(this.outerLocals);
			all.putAll(locals);
			locals = all;
		}
		Map<String, Object> its = locals;
		Element element = this.elements.compute(id.id(), (key, old) -> {
			if (old != null && old.pass == this.pass && old.template.equals(template)) {
				old.keys = union(old.keys, keys);
				old.rows |= rows;
				return old;
			}
			// re-rendered on its own, it is in no element of that render, but still in its own in the page
			String in = (parent == null && old != null && this.rendering) ? old.parent : parent;
			if (old != null && old.isAsTracked(template, id.selector(), keys, its, in, rows)) {
				old.pass = this.pass; // tracked again as it was, as on most re-renders
				return old;
			}
			Element fresh = new Element(template, id.selector(), Set.copyOf(keys), Map.copyOf(its), in, rows, this.pass);
			if (old != null) {
				fresh.page = old.page;
				fresh.drawn = old.drawn;
			}
			return fresh;
		});
		if (rows && !this.rendering) {
			// the page's first render: learn the rows it has, from the same markup and variables
			this.rendering = true;
			try {
				KeyedRows now = KeyedRows.of(renderElement(element), 0, this.tracked);
				element.page = (now != null) ? KeyedRows.Page.of(now) : null;
				drawn(now);
			}
			finally {
				this.rendering = false;
			}
		}
	}

	/**
	 * Whether the element being re-rendered has a local variable of this name (in its render it is a variable
	 * of the context, not a local one).
	 * @param name the variable's name
	 * @return whether it is one of the element's locals
	 */
	boolean rendersWithLocal(String name) {
		return this.outerLocals.containsKey(name);
	}

	/**
	 * Track a stream container, as the page has just rendered it from the view's assigns. One it tracks already,
	 * for the same task, keeps its history: whether the page now has it drawn afresh depends on what is sent (a
	 * patch that holds it, {@link #render}), and a reset draws it with its chunks ({@link #renderAll}).
	 */
	void trackStream(ElementId id, String template, String task, Map<String, Object> locals, @Nullable String parent) {
		track(id, template, Set.of(ALWAYS), locals, parent, false);
		StreamHistory kept = this.streams.get(id.id());
		if (kept == null || !kept.task.equals(task)) {
			if (kept != null) {
				kept.drop();
			}
			this.streams.put(id.id(), new StreamHistory(task, assignsNow(), localsOf(this.elements.get(id.id())),
					this.settings.historySize, this.buffers));
		}
	}

	void chunkFragment(String task, String fragment) {
		int separator = fragment.indexOf("::");
		Map<String, Fragment> fragments = this.chunkFragments;
		if (fragments == null) {
			fragments = new ConcurrentHashMap<>(); // only a render makes them, one turn at a time
			this.chunkFragments = fragments;
		}
		fragments.put(task, new Fragment(fragment.substring(0, separator).trim(), fragment.substring(separator + 2).trim()));
	}

	@Override
	public List<Patch> render(Set<String> changed) {
		List<Map.Entry<String, Element>> due = new ArrayList<>();
		this.elements.forEach((id, element) -> {
			for (String key : element.keys) {
				if (changed.contains(key)) {
					due.add(Map.entry(id, element));
					break;
				}
			}
		});
		if (due.isEmpty()) {
			return List.of();
		}
		outermostFirst(due);
		Map<String, String> rendered = new LinkedHashMap<>();
		SequencedMap<String, RuntimeException> failures = new LinkedHashMap<>(0);
		List<Patch> patches = pass(() -> {
			List<Patch> out = new ArrayList<>();
			for (Map.Entry<String, Element> entry : due) {
				if (!rendered.isEmpty() && within(entry.getValue(), rendered::containsKey)) {
					continue; // drawn by the element it is in
				}
				String html = renderOrFail(entry.getKey(), () -> renderElement(entry.getValue()), failures);
				if (html == null) {
					continue;
				}
				rendered.put(entry.getKey(), html);
				out.addAll(diff(entry.getKey(), entry.getValue(), html));
				if (inRow(entry.getValue())) { // its list's rows are as the page has them, but for it
					drawn(entry.getKey(), html);
				}
			}
			return out;
		}, rendered);
		if (!this.streams.isEmpty()) {
			// a container inside a patch is drawn afresh from the assigns: its chunks are gone
			this.streams.forEach((id, history) -> {
				if (patches.stream().anyMatch((patch) -> patch.html().contains(marker(id)))) {
					history.redrawn(assignsNow(), localsOf(this.elements.get(id)));
				}
			});
		}
		if (!failures.isEmpty()) {
			throw new PartlyRendered(failures, patches);
		}
		return patches;
	}

	@Override
	public List<Patch> renderAll() {
		List<Map.Entry<String, Element>> each = outermostFirst(new ArrayList<>(this.elements.entrySet()));
		Map<String, String> rendered = new LinkedHashMap<>();
		SequencedMap<String, RuntimeException> failures = new LinkedHashMap<>(0);
		List<Patch> all = pass(() -> {
			List<Patch> out = new ArrayList<>();
			for (Map.Entry<String, Element> entry : each) {
				// drawn by the element it is in, unless that one failed; a container is drawn as the page has it, below
				if (this.streams.containsKey(entry.getKey())
						|| within(entry.getValue(), (outer) -> rendered.containsKey(outer) || this.streams.containsKey(outer))) {
					continue;
				}
				String html = renderOrFail(entry.getKey(), () -> renderElement(entry.getValue()), failures);
				if (html != null) {
					rendered.put(entry.getKey(), html);
					drawn(learn(entry.getKey(), html));
					out.add(new Patch(entry.getKey(), Op.MORPH, html));
				}
			}
			return out;
		}, rendered);
		// after the elements around them, which draw them afresh: each container as the page has it
		this.streams.forEach((id, history) -> {
			Element element = this.elements.get(id);
			String html = (element == null) ? null
					: renderOrFail(id, () -> renderElement(element, withPage(history.assigns, history.locals)), failures);
			if (element != null && html != null) {
				if (inRow(element)) { // drawn from what it was drawn from, not from what its list was just drawn from
					drawn(id, html);
				}
				all.add(new Patch(id, Op.MORPH, history.appendTo(html)));
			}
		});
		if (!failures.isEmpty()) {
			throw new PartlyRendered(failures, all);
		}
		return all;
	}

	/** Render an element, or note its failure: it is left as the page has it, and does not stop the others. */
	private static @Nullable String renderOrFail(String id, Supplier<String> render,
			SequencedMap<String, RuntimeException> failures) {
		try {
			return render.get();
		}
		catch (RuntimeException ex) {
			failures.put(id, ex);
			return null;
		}
	}

	/**
	 * Run a render pass: elements that the rendered ones hold are tracked afresh as they render, so those no
	 * longer in the page are forgotten, and the rows of lists among them are read from what was rendered.
	 */
	private List<Patch> pass(Supplier<List<Patch>> render, Map<String, String> rendered) {
		this.pass++;
		this.rendering = true;
		List<Patch> patches;
		try {
			patches = render.get();
		}
		finally {
			this.rendering = false;
		}
		// not drawn again though it was in an element that was: it has left the page (found before any is
		// forgotten, as the way from an element to the one it is in goes through the others)
		List<String> gone = new ArrayList<>();
		this.elements.forEach((id, element) -> {
			if (element.pass != this.pass && !rendered.containsKey(id)
					&& rendered.keySet().stream().anyMatch((outer) -> inside(element, outer))) {
				gone.add(id);
			}
		});
		gone.forEach((id) -> {
			this.elements.remove(id);
			StreamHistory history = this.streams.remove(id);
			if (history != null) {
				history.drop(); // its buffer, and what it took from the server's budget
			}
		});
		this.elements.forEach((id, element) -> {
			if (element.rows && element.pass == this.pass && !rendered.containsKey(id)) {
				element.page = null;
				for (String html : rendered.values()) {
					KeyedRows rows = KeyedRows.find(html, id, this.tracked);
					if (rows != null) {
						element.page = KeyedRows.Page.of(rows);
						drawn(rows);
						break;
					}
				}
			}
		});
		return patches;
	}

	/**
	 * Learn the rows an element has in the page, from the HTML it was sent. Its render tracked it afresh: the
	 * element tracked now is the one that learns.
	 */
	private @Nullable KeyedRows learn(String id, String html) {
		Element element = this.elements.get(id);
		KeyedRows rows = (element != null && element.rows) ? KeyedRows.of(html, 0, this.tracked) : null;
		if (element != null) {
			element.page = (rows != null) ? KeyedRows.Page.of(rows) : null;
		}
		return rows;
	}

	/** The page has these rows now: each element in them that re-renders on its own is as they have it. */
	private void drawn(@Nullable KeyedRows rows) {
		if (rows != null) {
			rows.rows().values().forEach((row) -> row.inner().forEach(this::drawn));
		}
	}

	private void drawn(String id, long hash) {
		Element element = this.elements.get(id);
		if (element != null) {
			element.drawn = hash;
		}
	}

	/** The page has this element's HTML now, sent on its own, and the elements in it as it has them. */
	private void drawn(String id, String html) {
		Map<String, Long> inner = new HashMap<>(0);
		drawn(id, KeyedRows.hash(html, 0, html.length(), this.tracked, inner));
		inner.forEach(this::drawn);
	}

	/**
	 * Whether an element is inside one that may hold keyed rows (a {@code strand:watch} element): in one of its
	 * rows, if it has rows, as each element it holds is then in one.
	 */
	private boolean inRow(Element element) {
		return within(element, (id) -> {
			Element outer = this.elements.get(id);
			return outer != null && outer.rows;
		});
	}

	/**
	 * The patches that take the page from the rows it has to the element's new HTML: rows removed, changed,
	 * prepended and appended, each on its own, when that is all that happened; else the element, morphed whole.
	 */
	private List<Patch> diff(String id, Element element, String html) {
		KeyedRows.Page before = element.page;
		KeyedRows now = learn(id, html);
		List<Patch> patches = diff(id, html, before, now);
		drawn(now); // after the rows were compared with what the page had
		return patches;
	}

	private List<Patch> diff(String id, String html, KeyedRows.@Nullable Page before, @Nullable KeyedRows now) {
		List<Patch> whole = List.of(new Patch(id, Op.MORPH, html));
		if (before == null || now == null || before.shell() != now.shell()) {
			return whole;
		}
		List<String> kept = new ArrayList<>();
		List<Patch> patches = new ArrayList<>();
		for (String old : before.ids()) {
			if (now.rows().containsKey(old)) {
				kept.add(old);
			}
			else {
				patches.add(new Patch(old, Op.REMOVE, ""));
			}
		}
		List<String> ids = List.copyOf(now.rows().keySet());
		int first = kept.isEmpty() ? ids.size() : ids.indexOf(kept.get(0));
		if (!kept.isEmpty() && (first + kept.size() > ids.size() || !ids.subList(first, first + kept.size()).equals(kept))) {
			return whole; // moved, or added between rows: let the morph sort it out
		}
		for (String row : kept) {
			KeyedRows.Row fresh = now.rows().get(row);
			if (fresh.hash() != before.hashes().get(row) || !asDrawn(fresh.inner())) {
				patches.add(new Patch(row, Op.MORPH, fresh.html(html)));
			}
		}
		StringBuilder prepended = new StringBuilder();
		ids.subList(0, first).forEach((row) -> prepended.append(now.rows().get(row).html(html)));
		StringBuilder appended = new StringBuilder();
		ids.subList(Math.min(first + kept.size(), ids.size()), ids.size())
			.forEach((row) -> appended.append(now.rows().get(row).html(html)));
		if (!kept.isEmpty() && !prepended.isEmpty()) {
			patches.add(new Patch(id, Op.PREPEND, prepended.toString()));
		}
		if (kept.isEmpty()) {
			appended.insert(0, prepended);
		}
		if (!appended.isEmpty()) {
			patches.add(new Patch(id, Op.APPEND, appended.toString()));
		}
		int bytes = patches.stream().mapToInt((patch) -> patch.html().length() + patch.target().length()).sum();
		return (bytes < html.length()) ? patches : whole;
	}

	/** Whether the page has each of these elements, which re-render on their own, as they hash now. */
	private boolean asDrawn(Map<String, Long> inner) {
		for (Map.Entry<String, Long> hash : inner.entrySet()) {
			Element element = this.elements.get(hash.getKey());
			if (element == null || element.drawn != hash.getValue()) {
				return false;
			}
		}
		return true;
	}

	@Override
	public WireEvent.Chunk chunk(WireEvent.Chunk event, Object chunk) {
		Map<String, Fragment> fragments = this.chunkFragments;
		Fragment fragment = (fragments != null) ? fragments.get(event.task()) : null;
		WireEvent.Chunk rendered = event;
		// with the locals of a container that streams this task, such as its row; with none left in the page (its
		// row was removed), there is nothing to render it into, nor the locals to render it with
		Element container = (fragment == null) ? null : this.streams.entrySet().stream()
			.filter((entry) -> entry.getValue().task.equals(event.task()))
			.map((entry) -> this.elements.get(entry.getKey()))
			.filter(Objects::nonNull)
			.findFirst().orElse(null);
		if (fragment != null && container != null) {
			Map<String, Object> variables = variables(container);
			variables.put("chunk", chunk);
			rendered = event.withHtml(process(fragment.template(), fragment.selector(), variables));
		}
		if (!this.streams.isEmpty()) {
			// what strand.js appends: the fragment's HTML, or the text (JSON for other values) in a div
			boolean inDiv = rendered.html() == null;
			byte[] html = (inDiv ? HtmlEscape.escapeHtml5Xml((chunk instanceof CharSequence text) ? text.toString()
					: event.value()) : rendered.html()).getBytes(StandardCharsets.UTF_8);
			for (StreamHistory history : this.streams.values()) {
				if (history.task.equals(event.task())) {
					history.append(html, inDiv);
				}
			}
		}
		return rendered;
	}

	@Override
	public String url(String url) {
		return (url.startsWith("/") && !url.startsWith("//")) ? this.contextPath + url : url;
	}

	private String renderElement(Element element) {
		return renderElement(element, variables(element));
	}

	private String renderElement(Element element, Map<String, Object> variables) {
		Map<String, Object> outer = this.outerLocals;
		this.outerLocals = element.locals;
		try {
			return process(element.template, element.selector, variables).trim();
		}
		finally {
			this.outerLocals = outer;
		}
	}

	/** Render a fragment of a template, selected by a markup selector, with these variables. */
	private String process(String template, String selector, Map<String, Object> variables) {
		return this.settings.engine.process(template, Set.of(selector), new Variables(this.locale, variables));
	}

	/** The variables an element renders with: the view's assigns, the page's own, and the locals it was in. */
	private Map<String, Object> variables(@Nullable Element element) {
		return withPage(this.tab.assigns(), (element != null) ? element.locals : Map.of());
	}

	/**
	 * The view's assigns as they are now, for a stream container to keep for as long as it is in the page: one
	 * copy, shared by every container drawn from the same assigns (the rows of a list drawn in one pass).
	 */
	private Map<String, Object> assignsNow() {
		Map<String, @Nullable Object> assigns = this.tab.assigns();
		Map<String, Object> last = this.lastAssigns;
		if (last != null && last.size() == assigns.size() && sameValues(assigns, last)) {
			return last;
		}
		Map<String, Object> copy = assigns.isEmpty() ? Map.of() : new HashMap<>(assigns);
		this.lastAssigns = copy;
		return copy;
	}

	private static boolean sameValues(Map<String, @Nullable Object> assigns, Map<String, Object> copy) {
		for (Map.Entry<String, @Nullable Object> entry : assigns.entrySet()) {
			if (copy.get(entry.getKey()) != entry.getValue() || !copy.containsKey(entry.getKey())) {
				return false;
			}
		}
		return true;
	}

	private static Map<String, Object> localsOf(@Nullable Element element) {
		return (element != null) ? element.locals : Map.of();
	}

	/**
	 * The variables to render with: what the element is drawn from, the page's own (the tab, the context path,
	 * and on Spring's engine a SpEL evaluation context like the one Spring's view gave the page), then the
	 * locals.
	 */
	private Map<String, Object> withPage(Map<String, Object> drawnFrom, Map<String, Object> locals) {
		Map<String, Object> variables = HashMap.newHashMap(drawnFrom.size() + 3 + locals.size());
		variables.putAll(drawnFrom);
		variables.put(PageModel.TAB, this.tab);
		variables.put(StrandLinkBuilder.CONTEXT_PATH, this.contextPath);
		Object evaluationContext = this.settings.evaluationContext();
		if (evaluationContext != null) {
			variables.put(RenderSettings.EVALUATION_CONTEXT, evaluationContext);
		}
		variables.putAll(locals);
		return variables;
	}

	/**
	 * Put elements to render in order, the outer ones first: one inside another that renders is drawn by it, and
	 * rendered on its own only if that one fails.
	 */
	private List<Map.Entry<String, Element>> outermostFirst(List<Map.Entry<String, Element>> elements) {
		if (elements.size() > 1) {
			elements.sort(Comparator.comparingInt((entry) -> depth(entry.getValue())));
		}
		return elements;
	}

	/** How many tracked elements an element is in. */
	private int depth(Element element) {
		int[] depth = {0};
		within(element, (id) -> ++depth[0] < 0);
		return depth[0];
	}

	/** Whether the element sits, at any depth, in the tracked element with this id. */
	private boolean inside(Element element, String id) {
		return within(element, id::equals);
	}

	/** Whether one of the elements an element is in, by id, outwards, is such a one. */
	private boolean within(Element element, Predicate<String> outer) {
		String parent = element.parent;
		for (int depth = 0; parent != null && depth < 64; depth++) {
			if (outer.test(parent)) {
				return true;
			}
			Element next = this.elements.get(parent);
			parent = (next != null) ? next.parent : null;
		}
		return false;
	}

	private static Set<String> union(Set<String> a, Set<String> b) {
		if (a.containsAll(b)) {
			return a;
		}
		Set<String> union = new java.util.HashSet<>(a);
		union.addAll(b);
		return Set.copyOf(union);
	}

	private static String marker(String id) {
		return "id=\"" + id + "\"";
	}

	@Override
	public void close() {
		this.streams.values().forEach(StreamHistory::drop);
	}

	static PageRenderer of(Tab tab, ITemplateContext context, Function<ITemplateContext, RenderSettings> settings) {
		return (PageRenderer) tab.renderer((buffers) -> {
			Locale locale = (context.getLocale() != null) ? context.getLocale() : Locale.getDefault();
			return new PageRenderer(tab, settings.apply(context), locale, StrandLinkBuilder.contextPath(context),
					buffers);
		});
	}

	/** The variables of one render, handed to Thymeleaf as they are: a {@code Context} would copy them first. */
	private record Variables(Locale locale, Map<String, Object> variables) implements IContext {

		@Override
		public Locale getLocale() {
			return this.locale;
		}

		@Override
		public boolean containsVariable(String name) {
			return this.variables.containsKey(name);
		}

		@Override
		public Set<String> getVariableNames() {
			return this.variables.keySet();
		}

		@Override
		public @Nullable Object getVariable(String name) {
			return this.variables.get(name);
		}

	}

	/** A {@code strand:chunk} fragment, {@code template :: selector}. */
	private record Fragment(String template, String selector) {
	}

	/** A tracked element. Touched on the page's render and the tab's turns, one at a time. */
	private static final class Element {

		final String template;

		final String selector;

		Set<String> keys;

		final Map<String, Object> locals;

		final @Nullable String parent;

		boolean rows;

		/** The render pass that last tracked it. */
		long pass;

		/** The rows the page has in it, if it is a list of keyed rows. */
		KeyedRows.@Nullable Page page;

		/**
		 * Inside a list ({@link #inRow}): the hash of the HTML the page has for it, without the elements in it that
		 * re-render on their own ({@link KeyedRows#hash}); 0 until a list, a patch of its own or a reset sent it.
		 */
		long drawn;

		Element(String template, String selector, Set<String> keys, Map<String, Object> locals, @Nullable String parent,
				boolean rows, long pass) {
			this.template = template;
			this.selector = selector;
			this.keys = keys;
			this.locals = locals;
			this.parent = parent;
			this.rows = rows;
			this.pass = pass;
		}

		/** Whether it was tracked as it would be now, its locals the very same objects (not merely equal ones). */
		boolean isAsTracked(String template, String selector, Set<String> keys, Map<String, Object> locals,
				@Nullable String parent, boolean rows) {
			if (!this.template.equals(template) || !this.selector.equals(selector) || this.rows != rows
					|| !this.keys.equals(keys) || !Objects.equals(this.parent, parent)
					|| this.locals.size() != locals.size()) {
				return false;
			}
			for (Map.Entry<String, Object> local : locals.entrySet()) {
				if (this.locals.get(local.getKey()) != local.getValue()) {
					return false;
				}
			}
			return true;
		}

	}

	/**
	 * What a stream container holds in the page: its template, rendered with the assigns it was last drawn
	 * with, and then the chunks appended since, the newest up to a size, kept as bytes in a ring (a busy
	 * container keeps thousands: as strings, the garbage collector would copy them again and again). Touched on
	 * the tab's turns only.
	 */
	private static final class StreamHistory {

		private static final int[] NO_SIZES = {};

		final String task;

		/** The assigns it was last drawn from (shared with the containers drawn from the same), and its locals. */
		private Map<String, Object> assigns;

		private Map<String, Object> locals;

		/** The chunks' HTML, one after another, as UTF-8. */
		private final ByteRing chunks;

		private final long limit;

		/** The chunks' sizes in bytes, the oldest at {@code first}, circular; allocated by the first chunk. */
		private int[] sizes = NO_SIZES;

		private int first;

		private int count;

		StreamHistory(String task, Map<String, Object> assigns, Map<String, Object> locals, long limit, BufferBudget buffers) {
			this.task = task;
			this.assigns = assigns;
			this.locals = locals;
			this.limit = limit;
			this.chunks = new ByteRing(limit, buffers);
		}

		/**
		 * The container is gone from the page, or the page with it, or it streams another task now: nothing reads
		 * these chunks again, so its ring drops them rather than move them onto the heap, and gives back what it
		 * took.
		 */
		void drop() {
			clear();
			this.chunks.release();
		}

		/** The page drew the container afresh from these assigns and locals. */
		void redrawn(Map<String, Object> assigns, Map<String, Object> locals) {
			this.assigns = assigns;
			this.locals = locals;
			clear();
		}

		private void clear() {
			this.chunks.clear();
			this.count = 0;
		}

		/** Keep a chunk's HTML, as UTF-8: a fragment's, or a text's, which goes in the div strand.js puts it in. */
		void append(byte[] html, boolean inDiv) {
			int length = html.length + (inDiv ? CHUNK_OPEN.length + CHUNK_CLOSE.length : 0);
			if (length > this.limit) {
				clear(); // larger than all it may keep: it keeps none
				return;
			}
			long room = this.chunks.limit(length); // the history's size, or less when the server's budget is spent
			while (this.count > 0 && this.chunks.kept() + length > room) {
				this.chunks.drop(this.sizes[this.first]);
				this.first = (this.first + 1) % this.sizes.length;
				this.count--;
			}
			if (this.count == this.sizes.length) {
				int[] grown = new int[Math.max(8, 2 * this.sizes.length)];
				for (int i = 0; i < this.count; i++) {
					grown[i] = this.sizes[(this.first + i) % this.sizes.length];
				}
				this.sizes = grown;
				this.first = 0;
			}
			this.sizes[(this.first + this.count++) % this.sizes.length] = length;
			if (inDiv) {
				this.chunks.add(CHUNK_OPEN);
			}
			this.chunks.add(html);
			if (inDiv) {
				this.chunks.add(CHUNK_CLOSE);
			}
		}

		/** The container's rendered HTML with the chunks inside it, after what its template put there. */
		String appendTo(String html) {
			if (this.count == 0) {
				return html;
			}
			int end = html.lastIndexOf("</");
			return html.substring(0, end) + this.chunks.readAll() + html.substring(end);
		}

	}

}
