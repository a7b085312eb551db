package dev.strand.thymeleaf;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.thymeleaf.ITemplateEngine;
import org.thymeleaf.context.IEngineContext;
import org.thymeleaf.context.ITemplateContext;
import org.thymeleaf.dialect.AbstractProcessorDialect;
import org.thymeleaf.engine.AttributeName;
import org.thymeleaf.exceptions.TemplateProcessingException;
import org.thymeleaf.model.IProcessableElementTag;
import org.thymeleaf.processor.IProcessor;
import org.thymeleaf.processor.element.AbstractAttributeTagProcessor;
import org.thymeleaf.processor.element.AbstractElementTagProcessor;
import org.thymeleaf.processor.element.IElementTagStructureHandler;
import org.thymeleaf.standard.expression.StandardExpressions;
import org.thymeleaf.templatemode.TemplateMode;
import org.unbescape.html.HtmlEscape;

import dev.strand.AsyncResult;
import dev.strand.Progress;
import dev.strand.internal.PageModel;
import dev.strand.internal.Tab;

/**
 * The {@code strand:} dialect: puts the view token and strand.js on the page, renders LiveView's
 * {@code async_result} component ({@code strand:async} with {@code strand:ok}, {@code strand:loading} and
 * {@code strand:failed}), stream containers, progress bars and the flash region, and records which
 * elements depend on which assigns so that a change re-renders only them.
 */
public final class StrandDialect extends AbstractProcessorDialect {

	/** The dialect's prefix. */
	public static final String PREFIX = "strand";

	/** Strand's own local variables start with this. */
	private static final String INTERNAL = "strand.";

	private static final String ASYNC_VARIABLE = INTERNAL + "async";

	private static final String PARENT_VARIABLE = INTERNAL + "parent";

	private static final Pattern ASSIGN = Pattern.compile("\\s*\\$\\{\\s*[A-Za-z_][A-Za-z0-9_]*\\s*}\\s*");

	private static final Pattern ROOT_VARIABLE = Pattern.compile("^\\s*[$*]\\{\\s*([A-Za-z_][A-Za-z0-9_]*)");

	private final Supplier<ITemplateEngine> engine;

	private final String streamPath;

	private final String scriptPath;

	private final String interruptedMessage;

	private final long historySize;

	/** What every view's renderer shares, made for the first page; {@code null} until then. */
	private volatile @Nullable RenderSettings settings;

	/**
	 * Create the dialect, whose stream containers keep the default 256 KB of chunks for a full re-render.
	 * @param engine the template engine that re-renders fragments (looked up lazily: it holds this dialect)
	 * @param streamPath the stream's path
	 * @param scriptPath the path strand.js is served from
	 * @param interruptedMessage what a remounted page says when a task that was running in it has stopped
	 */
	public StrandDialect(Supplier<ITemplateEngine> engine, String streamPath, String scriptPath, String interruptedMessage) {
		this(engine, streamPath, scriptPath, interruptedMessage, 256 * 1024);
	}

	/**
	 * Create the dialect.
	 * @param engine the template engine that re-renders fragments (looked up lazily: it holds this dialect)
	 * @param streamPath the stream's path
	 * @param scriptPath the path strand.js is served from
	 * @param interruptedMessage what a remounted page says when a task that was running in it has stopped
	 * @param historySize how many bytes of chunks a stream container keeps, so that a full re-render (a reset)
	 * draws them again
	 */
	public StrandDialect(Supplier<ITemplateEngine> engine, String streamPath, String scriptPath, String interruptedMessage,
			long historySize) {
		super("Strand", PREFIX, 1000);
		this.engine = engine;
		this.streamPath = streamPath;
		this.scriptPath = scriptPath;
		this.interruptedMessage = interruptedMessage;
		this.historySize = historySize;
	}

	@Override
	public Set<IProcessor> getProcessors(String prefix) {
		return Set.of(new Head(prefix), new Async(prefix), new Branch(prefix, "ok"), new Branch(prefix, "loading"),
				new Branch(prefix, "failed"), new Stream(prefix), new ProgressBar(prefix), new Flash(prefix),
				new Watch(prefix), new FormBinding("field"), new FormBinding("errors"));
	}

	private static @Nullable Tab tab(ITemplateContext context) {
		return (context.getVariable(PageModel.TAB) instanceof Tab tab) ? tab : null;
	}

	/** The page's renderer, or {@code null} when the page has no view. */
	private @Nullable PageRenderer renderer(ITemplateContext context) {
		Tab tab = tab(context);
		return (tab != null) ? PageRenderer.of(tab, context, this::settings) : null;
	}

	/** What the renderers of a page's views share: the ones an earlier page made, if the same are made for it. */
	private RenderSettings settings(ITemplateContext page) {
		RenderSettings settings = RenderSettings.of(this.engine.get(), this.historySize, page, this.settings);
		this.settings = settings;
		return settings;
	}

	private void track(ITemplateContext context, IElementTagStructureHandler handler, ElementId id, Set<String> keys,
			boolean rows) {
		PageRenderer renderer = renderer(context);
		if (renderer != null) {
			renderer.track(id, context.getTemplateData().getTemplate(), keys, locals(context), parent(context), rows);
		}
		handler.setLocalVariable(PARENT_VARIABLE, id.id());
	}

	/**
	 * Whether a bare {@code ${name}} names a local variable (a row's), not an assign: local in the page's render,
	 * or one of the locals an element re-renders with.
	 */
	private boolean isLocal(ITemplateContext context, String expression) {
		Matcher matcher = ROOT_VARIABLE.matcher(expression);
		if (!matcher.find()) {
			return false;
		}
		String name = matcher.group(1);
		if (context instanceof IEngineContext engineContext && engineContext.isVariableLocal(name)) {
			return true;
		}
		PageRenderer renderer = renderer(context);
		return renderer != null && renderer.rendersWithLocal(name);
	}

	/** The tracked element the element being processed is in, if any. */
	private static @Nullable String parent(ITemplateContext context) {
		return (context.getVariable(PARENT_VARIABLE) instanceof String parent) ? parent : null;
	}

	/**
	 * The local variables around the element being processed ({@code th:each}, {@code th:with}, a fragment's
	 * parameters), but Strand's own: an element re-renders with them.
	 */
	private static Map<String, Object> locals(ITemplateContext context) {
		if (!(context instanceof IEngineContext engineContext)) {
			return Map.of();
		}
		Map<String, Object> locals = Map.of(); // most elements have none: no map made for them
		for (String name : context.getVariableNames()) {
			Object value;
			if (!name.startsWith(INTERNAL) && engineContext.isVariableLocal(name) && (value = context.getVariable(name)) != null) {
				if (locals.isEmpty()) {
					locals = new HashMap<>();
				}
				locals.put(name, value);
			}
		}
		return locals;
	}

	/**
	 * A task name or assign key: literal ({@code job}), or computed by an expression ({@code |report:${r.id}|},
	 * {@code ${'report:' + r.id}}), as in a row of a {@code th:each}.
	 */
	private static String name(ITemplateContext context, String attribute, String value) {
		String trimmed = value.trim();
		if (!(trimmed.startsWith("${") || trimmed.startsWith("*{") || trimmed.startsWith("|") || trimmed.startsWith("'"))) {
			return trimmed;
		}
		Object name = evaluate(context, trimmed);
		if (name == null || name.toString().isBlank()) {
			throw new TemplateProcessingException("strand:" + attribute + "=\"" + value + "\" evaluated to nothing, but "
					+ "it names a task or an assign; for example strand:" + attribute + "=\"|report:${r.id}|\"");
		}
		return name.toString();
	}

	private static Object evaluate(ITemplateContext context, String expression) {
		return StandardExpressions.getExpressionParser(context.getConfiguration())
			.parseExpression(context, expression)
			.execute(context);
	}

	private static String escape(@Nullable Object value) {
		return HtmlEscape.escapeHtml5(String.valueOf(value));
	}

	/** {@code <strand:head/>}: the view token, the CSRF token and the script. */
	private final class Head extends AbstractElementTagProcessor {

		Head(String prefix) {
			super(TemplateMode.HTML, prefix, "head", true, null, false, 1000);
		}

		@Override
		protected void doProcess(ITemplateContext context, IProcessableElementTag tag, IElementTagStructureHandler handler) {
			Tab tab = tab(context);
			// under spring.webflux.base-path, or a proxy's X-Forwarded-Prefix, the request's context path
			String base = StrandLinkBuilder.contextPath(context);
			StringBuilder html = new StringBuilder();
			if (tab != null) {
				html.append("<meta name=\"strand-view\" content=\"").append(escape(tab.id())).append("\">\n");
				html.append("<meta name=\"strand-stream\" content=\"").append(escape(base + StrandDialect.this.streamPath))
					.append("\">\n");
				html.append("<meta name=\"strand-event\" content=\"").append(tab.lastEventId()).append("\">\n");
				html.append("<meta name=\"strand-interrupted\" content=\"").append(escape(StrandDialect.this.interruptedMessage))
					.append("\">\n");
				if (context.getVariable(PageModel.CSRF_TOKEN) instanceof String token
						&& context.getVariable(PageModel.CSRF_HEADER) instanceof String header) {
					html.append("<meta name=\"strand-csrf\" content=\"").append(escape(token))
						.append("\" data-header=\"").append(escape(header)).append("\">\n");
				}
				renderer(context);
			}
			html.append("<script type=\"module\" src=\"").append(escape(base + StrandDialect.this.scriptPath)).append("\"></script>");
			handler.replaceWith(html.toString(), false);
		}

	}

	/**
	 * {@code strand:async="${key}"}: LiveView's {@code async_result}. The expression is the assign, or evaluates to
	 * its key ({@code |report:${r.id}|}); {@code strand:let="name"} names the {@code AsyncResult} for the body.
	 */
	private final class Async extends AbstractAttributeTagProcessor {

		Async(String prefix) {
			super(TemplateMode.HTML, prefix, null, false, "async", true, 1000, true);
		}

		@Override
		protected void doProcess(ITemplateContext context, IProcessableElementTag tag, AttributeName attributeName,
				String expression, IElementTagStructureHandler handler) {
			Object value = evaluate(context, expression);
			String key;
			if (value instanceof CharSequence name && (!ASSIGN.matcher(expression).matches() || isLocal(context, expression))) {
				key = name.toString();
				if (key.isBlank()) {
					throw new TemplateProcessingException("strand:async=\"" + expression + "\" evaluated to an empty key");
				}
				value = context.getVariable(key);
			}
			else {
				Matcher matcher = ROOT_VARIABLE.matcher(expression);
				if (!matcher.find()) {
					throw new TemplateProcessingException("strand:async expects an assign such as ${org}, or its key such "
							+ "as |report:${r.id}|, but got '" + expression + "'");
				}
				key = matcher.group(1);
			}
			if (value != null && !(value instanceof AsyncResult<?>)) {
				throw new TemplateProcessingException("strand:async=\"" + expression + "\" expects an AsyncResult, "
						+ "but the assign holds a " + value.getClass().getName() + "; use view.assignAsync(\"" + key
						+ "\", ...) or assign AsyncResult.idle()");
			}
			ElementId id = ElementId.of(context, tag, "async");
			handler.setAttribute("data-strand-async", key);
			AsyncResult<?> result = (value != null) ? (AsyncResult<?>) value : AsyncResult.idle();
			handler.setAttribute("aria-busy", Boolean.toString(result.loading()));
			handler.setLocalVariable(ASYNC_VARIABLE, result);
			String let = tag.getAttributeValue(PREFIX, "let");
			if (let != null) {
				if (!let.trim().matches("[A-Za-z_][A-Za-z0-9_]*")) {
					throw new TemplateProcessingException("strand:let names a variable, such as strand:let=\"report\", "
							+ "but got '" + let + "'");
				}
				handler.setLocalVariable(let.trim(), result);
				handler.removeAttribute(PREFIX, "let");
			}
			track(context, handler, id, Set.of(key), false);
		}

	}

	/** {@code strand:ok}, {@code strand:loading}, {@code strand:failed}: ok first, then loading, then failed. */
	private static final class Branch extends AbstractAttributeTagProcessor {

		private final String state;

		Branch(String prefix, String state) {
			super(TemplateMode.HTML, prefix, null, false, state, true, 100, true);
			this.state = state;
		}

		@Override
		protected void doProcess(ITemplateContext context, IProcessableElementTag tag, AttributeName attributeName,
				String value, IElementTagStructureHandler handler) {
			if (!(context.getVariable(ASYNC_VARIABLE) instanceof AsyncResult<?> result)) {
				throw new TemplateProcessingException("strand:" + this.state + " must sit inside an element with strand:async; "
						+ "for example <section id=\"org\" strand:async=\"${org}\"><p strand:" + this.state + ">…</p></section>");
			}
			boolean shown = switch (this.state) {
				case "ok" -> result.ok();
				case "loading" -> !result.ok() && result.loading();
				default -> !result.ok() && !result.loading() && result.failed() != null;
			};
			if (!shown) {
				handler.removeElement();
			}
		}

	}

	/** {@code strand:stream="task"}: a container that the task's chunks are appended to. */
	private final class Stream extends AbstractAttributeTagProcessor {

		Stream(String prefix) {
			super(TemplateMode.HTML, prefix, null, false, "stream", true, 1000, true);
		}

		@Override
		protected void doProcess(ITemplateContext context, IProcessableElementTag tag, AttributeName attributeName,
				String value, IElementTagStructureHandler handler) {
			ElementId id = ElementId.of(context, tag, "stream");
			String task = name(context, "stream", value);
			handler.setAttribute("data-strand-stream", task);
			handler.setAttribute("aria-live", "polite");
			String fragment = tag.getAttributeValue(PREFIX, "chunk");
			if (fragment != null) {
				if (!fragment.contains("::")) {
					throw new TemplateProcessingException("strand:chunk expects 'template :: selector', but got '" + fragment
							+ "'; for example <div id=\"rows\" strand:stream=\"job\" strand:chunk=\"import :: row\"></div>");
				}
				handler.removeAttribute(PREFIX, "chunk");
			}
			PageRenderer renderer = renderer(context);
			if (renderer != null) {
				if (fragment != null) {
					renderer.chunkFragment(task, fragment);
				}
				renderer.trackStream(id, context.getTemplateData().getTemplate(), task, locals(context), parent(context));
			}
			handler.setLocalVariable(PARENT_VARIABLE, id.id());
		}

	}

	/** {@code strand:progress="task"}: an accessible progress bar that the task's progress updates. */
	private final class ProgressBar extends AbstractAttributeTagProcessor {

		ProgressBar(String prefix) {
			super(TemplateMode.HTML, prefix, null, false, "progress", true, 1000, true);
		}

		@Override
		protected void doProcess(ITemplateContext context, IProcessableElementTag tag, AttributeName attributeName,
				String value, IElementTagStructureHandler handler) {
			ElementId id = ElementId.of(context, tag, "progress");
			String task = name(context, "progress", value);
			AsyncResult<?> result = (context.getVariable(task) instanceof AsyncResult<?> assigned) ? assigned : null;
			Progress progress = (result != null) ? result.progress() : null;
			StringBuilder html = new StringBuilder("<progress id=\"").append(escape(id.id())).append('"');
			String cssClass = tag.getAttributeValue("class");
			if (cssClass != null) {
				html.append(" class=\"").append(escape(cssClass)).append('"');
			}
			html.append(" data-strand-progress=\"").append(escape(task)).append('"');
			String label = tag.getAttributeValue("aria-label");
			html.append(" aria-label=\"").append(escape((label != null) ? label : task + " progress")).append('"');
			if (progress != null && progress.total() > 0) {
				html.append(" max=\"").append(progress.total()).append("\" value=\"").append(progress.done()).append('"');
				html.append(" aria-valuetext=\"").append(progress.done()).append(" of ").append(progress.total()).append('"');
			}
			else if (result != null && !result.loading()) {
				// Not running: a determinate bar (full once it succeeded), never an indeterminate "busy" one.
				html.append(" max=\"1\" value=\"").append((result.ok() && result.failed() == null) ? 1 : 0).append('"');
			}
			html.append("></progress>");
			handler.replaceWith(html.toString(), false);
			track(context, handler, id, Set.of(task), false);
		}

	}

	/** {@code strand:flash}: the region flash messages appear in. */
	private final class Flash extends AbstractAttributeTagProcessor {

		Flash(String prefix) {
			super(TemplateMode.HTML, prefix, null, false, "flash", true, 1000, true);
		}

		@Override
		protected void doProcess(ITemplateContext context, IProcessableElementTag tag, AttributeName attributeName,
				String value, IElementTagStructureHandler handler) {
			ElementId id = ElementId.of(context, tag, "flash");
			handler.setAttribute("data-strand-flash", "");
			handler.setAttribute("aria-live", "polite");
			Tab tab = tab(context);
			StringBuilder html = new StringBuilder();
			Map<String, String> flashes = (tab != null) ? tab.flashes() : Map.of();
			flashes.forEach((kind, message) -> html.append("<div class=\"strand-flash strand-flash-").append(escape(kind))
				.append("\" data-kind=\"").append(escape(kind)).append("\" role=\"status\"><span class=\"strand-flash-text\">")
				.append(escape(message))
				.append("</span><button type=\"button\" class=\"strand-flash-close\" aria-label=\"Dismiss\">&times;</button></div>"));
			handler.setBody(html.toString(), false);
			track(context, handler, id, Set.of(PageRenderer.ALWAYS), false);
		}

	}

	/**
	 * {@code th:field} and {@code th:errors} inside a {@code strand:} element: an error that says what to write
	 * instead. Spring's form binding reads the request's context, which Strand's re-renders, made after the
	 * request, do not have; left alone, the standard dialect's processor would fail there with a message about
	 * Spring's view. Runs before it; outside {@code strand:} elements it does nothing.
	 */
	private static final class FormBinding extends AbstractAttributeTagProcessor {

		FormBinding(String attribute) {
			super(TemplateMode.HTML, "th", null, false, attribute, true, 0, false);
		}

		@Override
		protected void doProcess(ITemplateContext context, IProcessableElementTag tag, AttributeName attributeName,
				String value, IElementTagStructureHandler handler) {
			String parent = parent(context);
			if (parent == null) {
				return;
			}
			String property = value.trim().replaceAll("^[*$]\\{\\s*|\\s*}$", "");
			throw new TemplateProcessingException(tag.getAttribute(attributeName).getAttributeCompleteName() + "=\""
					+ value + "\" is inside the element '" + parent + "', which Strand re-renders after the request, but "
					+ "Spring's form binding needs the request's context; bind the field with name and th:value instead, "
					+ "for example <input name=\"" + property + "\" th:value=\"" + value.trim() + "\">, and show errors "
					+ "from an assign");
		}

	}

	/** {@code strand:watch="a, b"}: re-render this element when these assigns change. */
	private final class Watch extends AbstractAttributeTagProcessor {

		Watch(String prefix) {
			super(TemplateMode.HTML, prefix, null, false, "watch", true, 1000, true);
		}

		@Override
		protected void doProcess(ITemplateContext context, IProcessableElementTag tag, AttributeName attributeName,
				String value, IElementTagStructureHandler handler) {
			ElementId id = ElementId.of(context, tag, "watch");
			Set<String> keys;
			if (value.indexOf(',') < 0 && !value.isBlank()) {
				keys = Set.of(name(context, "watch", value)); // the usual one assign
			}
			else {
				keys = new LinkedHashSet<>();
				for (String key : value.split(",")) {
					if (!key.isBlank()) {
						keys.add(name(context, "watch", key));
					}
				}
			}
			track(context, handler, id, keys, true);
		}

	}

}
