package dev.strand.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.strand.AsyncOptions;
import dev.strand.AsyncResult;
import dev.strand.AsyncTask;
import dev.strand.CancelReason;
import dev.strand.View;

/**
 * A tab's {@link View}, for handlers and callbacks: its data lives in a {@link TabState} and its tasks in a
 * {@link TaskTable}. Usable only during the tab's turns, never from a task.
 */
final class TabView implements View {

	private static final Log logger = LogFactory.getLog(TabView.class);

	/** What every {@code assignAsync} run is measured as: its keys may be made at run time. */
	static final String ASSIGN_ASYNC = "assignAsync";

	private final String id;

	private final Callbacks callbacks;

	private final TabState state = new TabState();

	private final TaskTable tasks;

	private volatile boolean inTurn;

	volatile boolean connected;

	/** Whether a stream has ever attached: tasks start only from then on, even while it reconnects. */
	boolean started;

	/** Set when the tab closes: what a callback then changes goes nowhere, and nothing starts. */
	boolean closed;

	TabView(String id, Callbacks callbacks, Function<TaskTable.Assigns, TaskTable> tasks) {
		this.id = id;
		this.callbacks = callbacks;
		this.tasks = tasks.apply(this.state);
	}

	TabState state() {
		return this.state;
	}

	TaskTable tasks() {
		return this.tasks;
	}

	@Override
	public String id() {
		return this.id;
	}

	@Override
	public View assign(String key, @Nullable Object value) {
		checkTurn();
		checkKey(key);
		this.state.assign(key, value);
		return this;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> View update(String key, UnaryOperator<@Nullable T> function) {
		checkTurn();
		return assign(key, function.apply((T) this.state.read(key)));
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(String key) {
		checkTurn();
		return (T) this.state.read(key);
	}

	@Override
	public Map<String, @Nullable Object> assigns() {
		checkTurn();
		return Collections.unmodifiableMap(new LinkedHashMap<>(this.state.assigns()));
	}

	@Override
	public View flash(String kind, String message) {
		checkTurn();
		checkKey(kind);
		this.state.flash(kind, message);
		return this;
	}

	@Override
	public View clearFlash() {
		checkTurn();
		this.state.clearFlash(null);
		return this;
	}

	@Override
	public View clearFlash(String kind) {
		checkTurn();
		checkKey(kind);
		this.state.clearFlash(kind);
		return this;
	}

	@Override
	public View navigate(String url) {
		checkTurn();
		if (url == null || url.isBlank() || url.chars().anyMatch((c) -> c < 0x20)) {
			throw new IllegalArgumentException("navigate needs a path such as \"/orders/42\" or an http(s) URL, but got '"
					+ url + "'");
		}
		if (!url.startsWith("/") && !url.regionMatches(true, 0, "http://", 0, 7) && !url.regionMatches(true, 0, "https://", 0, 8)) {
			throw new IllegalArgumentException("navigate goes to a path that starts with '/' or to an http(s) URL, but got '"
					+ url + "'; write \"/" + url + "\" for a path of this application");
		}
		this.state.navigate(url);
		return this;
	}

	@Override
	public <T> View startAsync(String name, AsyncOptions options, AsyncTask<T> task) {
		checkTurn();
		checkKey(name);
		if (!this.callbacks.handlesAsync(name)) {
			throw new IllegalStateException("startAsync(\"" + name + "\") needs a @HandleAsync(\"" + name
					+ "\") method on " + this.callbacks.describe() + " to receive its outcome; add one, "
					+ "or use assignAsync to load a value into an assign");
		}
		if (!refusedBecauseClosed(name)) {
			this.tasks.start(name, this.callbacks.pattern(name), Set.of(), options, task, this.started);
		}
		return this;
	}

	@Override
	public View assignAsync(String key, AsyncOptions options, Callable<?> function) {
		return assignAsync(Set.of(key), options, () -> Collections.singletonMap(key, function.call()), true);
	}

	@Override
	public View assignAsync(Set<String> keys, AsyncOptions options, Callable<? extends Map<String, ?>> function) {
		return assignAsync(keys, options, function, false);
	}

	private View assignAsync(Set<String> keys, AsyncOptions options, Callable<? extends Map<String, ?>> function,
			boolean single) {
		checkTurn();
		if (keys.isEmpty()) {
			throw new IllegalArgumentException("assignAsync needs at least one key");
		}
		keys.forEach(TabView::checkKey);
		Set<String> sorted = new TreeSet<>(keys);
		String name = String.join(",", sorted);
		if (refusedBecauseClosed(name)) {
			return this;
		}
		AsyncTask<Map<String, ?>> body = (task) -> {
			Map<String, ?> values = function.call();
			if (values == null) {
				throw new IllegalStateException("assignAsync for " + sorted + " returned null; return a Map with a value for every key");
			}
			if (!single) {
				Set<String> missing = new TreeSet<>(sorted);
				missing.removeAll(values.keySet());
				if (!missing.isEmpty()) {
					throw new IllegalStateException("assignAsync for " + sorted + " returned a map without " + missing
							+ "; the function must return a value for every key it was given");
				}
			}
			return values;
		};
		this.tasks.start(name, ASSIGN_ASYNC, Set.copyOf(sorted), options, body, this.started);
		return this;
	}

	private boolean refusedBecauseClosed(String name) {
		if (this.closed && logger.isDebugEnabled()) {
			logger.debug("Task '" + name + "' was not started: view " + this.id + " has closed");
		}
		return this.closed;
	}

	@Override
	public boolean cancelAsync(String nameOrKey) {
		checkTurn();
		return this.tasks.cancel(nameOrKey, CancelReason.REQUESTED, null);
	}

	@Override
	public boolean cancelAsync(String nameOrKey, Object detail) {
		checkTurn();
		return this.tasks.cancel(nameOrKey, CancelReason.REQUESTED, checkDetail(detail));
	}

	@Override
	public boolean cancelAsync(AsyncResult<?> result) {
		checkTurn();
		return this.tasks.cancel(keyOf(result), CancelReason.REQUESTED, null);
	}

	@Override
	public boolean cancelAsync(AsyncResult<?> result, Object detail) {
		checkTurn();
		return this.tasks.cancel(keyOf(result), CancelReason.REQUESTED, checkDetail(detail));
	}

	private String keyOf(AsyncResult<?> result) {
		String key = this.state.keyOf(result);
		if (key == null) {
			throw new IllegalArgumentException("cancelAsync(AsyncResult) was given a result that no assign of "
					+ this + " holds; pass the AsyncResult read from this view, or cancel by name");
		}
		return key;
	}

	private static Object checkDetail(Object detail) {
		if (detail == null) {
			throw new IllegalArgumentException("A cancel reason must not be null; call cancelAsync without one instead");
		}
		return detail;
	}

	@Override
	public boolean isRunning(String nameOrKey) {
		checkTurn();
		return this.tasks.isRunning(nameOrKey);
	}

	@Override
	public boolean isConnected() {
		return this.connected;
	}

	@Override
	public Set<String> changed() {
		return this.state.changed();
	}

	@Override
	public String toString() {
		return Tab.logName(this.id);
	}

	// ---- the tab's side ----------------------------------------------------------------------------------

	/**
	 * Begin a turn.
	 * @param model the model the assigns are also written to (the request that opened the tab), or
	 * {@code null}
	 */
	void enter(@Nullable Map<String, Object> model) {
		this.state.model(model);
		this.inTurn = true;
	}

	/** End a turn. */
	void exit() {
		this.state.model(null);
		this.inTurn = false;
	}

	private void checkTurn() {
		if (!this.inTurn || TaskRun.onTaskThread()) {
			throw new IllegalStateException(this + " was used outside its mailbox. Change a View only in the "
					+ "handler or callback that received it: a task must not capture it; push a chunk and handle it "
					+ "with @HandleChunk, or return a value and handle it with @HandleAsync");
		}
	}

	private static void checkKey(String key) {
		if (key == null || key.isBlank()) {
			throw new IllegalArgumentException("A Strand key or task name must not be blank, but was '" + key + "'");
		}
	}

}
