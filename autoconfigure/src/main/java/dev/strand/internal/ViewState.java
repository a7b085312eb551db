package dev.strand.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import io.micrometer.context.ContextSnapshot;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.strand.AsyncOptions;
import dev.strand.AsyncResult;
import dev.strand.AsyncTask;
import dev.strand.CancelReason;
import dev.strand.Outcome;
import dev.strand.Progress;
import dev.strand.StrandLimitException;
import dev.strand.View;

/**
 * The engine's {@link View}: one tab's assigns and tasks, changed only on its {@link Mailbox}. The whole
 * task lifecycle rests on one rule: a task's outcome, chunks and progress are kept only while its run is
 * still the current one for its name ({@link #isCurrent(TaskRun)}).
 */
public final class ViewState implements View {

	private static final Log logger = LogFactory.getLog(ViewState.class);

	private final String id;

	private final String sessionKey;

	private final StrandEngine engine;

	private final Callbacks callbacks;

	private final Mailbox mailbox;

	private final EventLog events;

	private final Semaphore chunkPermits;

	private final Map<String, @Nullable Object> assigns = new LinkedHashMap<>();

	private final Set<String> changed = new LinkedHashSet<>();

	private final Map<String, String> flash = new LinkedHashMap<>();

	private final Map<String, TaskRun> tasks = new LinkedHashMap<>();

	private final Map<String, String> keyOwners = new LinkedHashMap<>();

	private @Nullable Map<String, Object> mirror;

	private @Nullable ViewRenderer renderer;

	private volatile boolean inTurn;

	private long generation;

	private boolean everConnected;

	private boolean connected;

	private volatile boolean closed;

	private @Nullable Object stream;

	private @Nullable ScheduledFuture<?> closeTimer;

	private volatile @Nullable ScheduledFuture<?> connectTimer;

	ViewState(String id, String sessionKey, StrandEngine engine, Callbacks callbacks) {
		this.id = id;
		this.sessionKey = sessionKey;
		this.engine = engine;
		this.callbacks = callbacks;
		this.mailbox = new Mailbox(engine.mailboxExecutor());
		this.events = new EventLog(engine.settings().replayBuffer());
		this.chunkPermits = new Semaphore(engine.settings().maxPending());
	}

	// ---- View -------------------------------------------------------------------------------------------

	@Override
	public String id() {
		return this.id;
	}

	@Override
	public View assign(String key, @Nullable Object value) {
		checkTurn();
		checkKey(key);
		this.assigns.put(key, value);
		this.changed.add(key);
		if (this.mirror != null) {
			this.mirror.put(key, value);
		}
		return this;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> View update(String key, UnaryOperator<@Nullable T> function) {
		checkTurn();
		return assign(key, function.apply((T) this.assigns.get(key)));
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(String key) {
		checkTurn();
		return (T) this.assigns.get(key);
	}

	@Override
	public Map<String, @Nullable Object> assigns() {
		checkTurn();
		return Collections.unmodifiableMap(new LinkedHashMap<>(this.assigns));
	}

	@Override
	public View flash(String kind, String message) {
		checkTurn();
		checkKey(kind);
		this.flash.put(kind, message);
		append("flash", this.engine.json().object("kind", kind, "message", message), "flash:" + kind);
		return this;
	}

	/**
	 * Return the flash messages by kind.
	 * @return the flash messages
	 */
	public Map<String, String> flashes() {
		return Collections.unmodifiableMap(this.flash);
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
		if (this.assigns.get(name) instanceof AsyncResult<?> result) {
			assign(name, options.resets(name) ? freshLoading() : result.toLoading());
		}
		start(name, Set.of(), options, task);
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
		keys.forEach(ViewState::checkKey);
		Set<String> sorted = new TreeSet<>(keys);
		String name = String.join(",", sorted);
		for (String key : sorted) {
			String owner = this.keyOwners.get(key);
			if (owner != null && !owner.equals(name)) {
				cancel(owner, CancelReason.REPLACED);
			}
			Object current = this.assigns.get(key);
			boolean fresh = options.resets(key) || !(current instanceof AsyncResult<?>);
			assign(key, fresh ? freshLoading() : ((AsyncResult<?>) current).toLoading());
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
		start(name, Set.copyOf(sorted), options, body);
		sorted.forEach((key) -> this.keyOwners.put(key, name));
		return this;
	}

	@Override
	public boolean cancelAsync(String nameOrKey) {
		checkTurn();
		return cancel(taskName(nameOrKey), CancelReason.REQUESTED);
	}

	@Override
	public boolean cancelAsync(AsyncResult<?> result) {
		checkTurn();
		for (Map.Entry<String, @Nullable Object> entry : this.assigns.entrySet()) {
			if (entry.getValue() == result) {
				return cancelAsync(entry.getKey());
			}
		}
		throw new IllegalArgumentException("cancelAsync(AsyncResult) was given a result that no assign of view "
				+ this.id + " holds; pass the AsyncResult read from this view, or cancel by name");
	}

	@Override
	public boolean isRunning(String nameOrKey) {
		checkTurn();
		TaskRun run = this.tasks.get(taskName(nameOrKey));
		return run != null && !run.isSettled();
	}

	@Override
	public boolean isConnected() {
		return this.connected;
	}

	@Override
	public Set<String> changed() {
		return Collections.unmodifiableSet(new LinkedHashSet<>(this.changed));
	}

	@Override
	public String toString() {
		return "View " + this.id;
	}

	// ---- engine ------------------------------------------------------------------------------------------

	String sessionKey() {
		return this.sessionKey;
	}

	StrandEngine engine() {
		return this.engine;
	}

	Mailbox mailbox() {
		return this.mailbox;
	}

	/**
	 * Whether the view has closed; its id is then unknown to the registry.
	 * @return whether it is closed
	 */
	public boolean isClosed() {
		return this.closed;
	}

	/**
	 * Return the id of the last event the view has sent, which the page passes back when it connects.
	 * @return the last event id
	 */
	public long lastEventId() {
		return this.events.lastId();
	}

	/**
	 * Return the number of tasks that are running or waiting for the stream.
	 * @return the number of tasks
	 */
	public int taskCount() {
		return this.tasks.size();
	}

	/**
	 * Set the renderer that turns changes into patches; done by the page's first render.
	 * @param renderer the renderer
	 */
	public void renderer(ViewRenderer renderer) {
		this.renderer = renderer;
	}

	/**
	 * Return the renderer set by the page's first render.
	 * @return the renderer, or {@code null}
	 */
	public @Nullable ViewRenderer renderer() {
		return this.renderer;
	}

	/**
	 * Run an action as a turn of this view's mailbox, after which changed elements are re-rendered.
	 * @param action the action
	 */
	public void execute(Runnable action) {
		this.mailbox.execute(() -> turn(action));
	}

	/**
	 * Open a turn for a page event's handler: {@code onTurn} is called once the turn is granted, and the
	 * turn lasts until the returned handle's {@code done} callback is called.
	 * @param onTurn called with the callback that ends the turn
	 */
	public void openTurn(java.util.function.Consumer<Runnable> onTurn) {
		this.mailbox.submit((done) -> {
			this.inTurn = true;
			Runnable end = () -> {
				this.inTurn = false;
				this.mailbox.execute(() -> turn(() -> {
				}));
				done.run();
			};
			try {
				onTurn.accept(end);
			}
			catch (RuntimeException | Error ex) {
				end.run();
				throw ex;
			}
		});
	}

	/**
	 * Begin the turn of the GET request that created this view: its assigns are also written to the
	 * page's model until {@link #endCreation()}.
	 * @param model the model
	 */
	public void beginCreation(Map<String, Object> model) {
		this.mirror = model;
		this.inTurn = true;
	}

	/** End the creating request's turn: the page has been rendered with the current assigns. */
	public void endCreation() {
		this.mirror = null;
		this.changed.clear();
		this.inTurn = false;
	}

	private void turn(Runnable action) {
		this.inTurn = true;
		try {
			action.run();
			flush();
		}
		finally {
			this.inTurn = false;
		}
	}

	/**
	 * Attach a stream, starting any task that waited for it.
	 * @param lastEventId the last event the page has
	 * @param listener called when there are events to send
	 * @param onSubscribed receives the subscription, on the mailbox
	 */
	public void connect(long lastEventId, Runnable listener, java.util.function.Consumer<EventLog.Subscription> onSubscribed) {
		execute(() -> {
			if (this.closed) {
				listener.run(); // the stream sees the view is closed and completes
				return;
			}
			EventLog.Subscription subscription = this.events.subscribe(lastEventId, listener);
			this.stream = subscription;
			if (this.closeTimer != null) {
				this.closeTimer.cancel(false);
				this.closeTimer = null;
			}
			this.connected = true;
			if (subscription.missed() && this.renderer != null) {
				List<Map<String, String>> patches = new ArrayList<>();
				for (ViewRenderer.Patch patch : this.renderer.renderAll(this)) {
					patches.add(Map.of("target", patch.target(), "op", patch.op(), "html", patch.html()));
				}
				this.changed.clear();
				append("reset", this.engine.json().write(Map.of("patches", patches)), null);
			}
			if (!this.everConnected) {
				this.everConnected = true;
				if (this.connectTimer != null) {
					this.connectTimer.cancel(false); // a timer per open tab adds up
					this.connectTimer = null;
				}
				for (TaskRun run : List.copyOf(this.tasks.values())) {
					run.launch(this.engine);
				}
			}
			onSubscribed.accept(subscription);
		});
	}

	/**
	 * Detach a stream that ended; the view closes unless a stream attaches within the grace period.
	 * @param subscription the stream's subscription
	 */
	public void disconnect(EventLog.Subscription subscription) {
		subscription.cancel();
		execute(() -> {
			if (this.stream != subscription || this.closed) {
				return;
			}
			this.stream = null;
			this.connected = false;
			this.closeTimer = this.engine.schedule(() -> execute(() -> {
				if (!this.connected) {
					close(CancelReason.VIEW_CLOSED);
				}
			}), this.engine.settings().disconnectGrace());
		});
	}

	/**
	 * Close the view on its mailbox: cancel its tasks, end its stream and forget it.
	 * @param reason why its tasks are cancelled
	 */
	public void closeLater(CancelReason reason) {
		execute(() -> close(reason));
	}

	/**
	 * Close the view if it has not connected by the time the timer fires.
	 * @param timer the connect timer, cancelled when the view closes so that it does not hold the view
	 */
	void expireUnlessConnected(java.util.function.Function<Runnable, ScheduledFuture<?>> timer) {
		this.connectTimer = timer.apply(this::closeIfNeverConnected);
	}

	/** Close the view if it never connected. */
	private void closeIfNeverConnected() {
		execute(() -> {
			if (!this.everConnected) {
				close(CancelReason.VIEW_CLOSED);
			}
		});
	}

	private void close(CancelReason reason) {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.connected = false;
		for (ScheduledFuture<?> timer : new ScheduledFuture<?>[] { this.connectTimer, this.closeTimer }) {
			if (timer != null) {
				timer.cancel(false);
			}
		}
		for (TaskRun run : List.copyOf(this.tasks.values())) {
			run.cancel(reason);
		}
		append("close", this.engine.json().object("reason", reason.code()), null);
		this.events.close();
		this.engine.registry().remove(this);
		if (logger.isDebugEnabled()) {
			logger.debug(this + " closed: " + reason.code());
		}
	}

	// ---- tasks -------------------------------------------------------------------------------------------

	private void start(String name, Set<String> keys, AsyncOptions options, AsyncTask<?> body) {
		if (this.closed) {
			throw new IllegalStateException(this + " is closed; its page must be reloaded");
		}
		TaskRun previous = this.tasks.get(name);
		int others = this.tasks.size() - ((previous != null) ? 1 : 0);
		if (others >= this.engine.settings().tasksPerView()) {
			throw new StrandLimitException("View runs " + others + " tasks already, the most strand.limits.tasks-per-view allows; "
					+ "cancel one or wait for one to end before starting '" + name + "'");
		}
		int running = this.engine.activeTasks() - ((previous != null && !previous.isSettled()) ? 1 : 0);
		if (this.everConnected && running >= this.engine.settings().tasks()) {
			throw new StrandLimitException("Strand runs " + running + " tasks already, the most strand.limits.tasks allows; "
					+ "try again when some have ended");
		}
		if (previous != null) {
			previous.cancel(CancelReason.REPLACED);
		}
		Duration timeout = (options.timeout() != null) ? options.timeout() : this.engine.settings().taskTimeout();
		TaskRun run = new TaskRun(this, name, ++this.generation, keys, body, timeout, this.engine.captureContext());
		this.tasks.put(name, run);
		if (this.everConnected) {
			run.launch(this.engine);
		}
	}

	private boolean cancel(String name, CancelReason reason) {
		TaskRun run = this.tasks.get(name);
		return run != null && run.cancel(reason);
	}

	private String taskName(String nameOrKey) {
		String owner = this.keyOwners.get(nameOrKey);
		return (owner != null) ? owner : nameOrKey;
	}

	private boolean isCurrent(TaskRun run) {
		return this.tasks.get(run.name) == run;
	}

	void pushChunk(TaskRun run, Object chunk) throws InterruptedException {
		Duration timeout = this.engine.settings().pushTimeout();
		if (!this.events.awaitCapacity(this.engine.settings().maxPending(), timeout)) {
			logger.warn(this + ": the browser fell more than " + this.engine.settings().maxPending()
					+ " events behind for " + timeout + "; its stream was dropped and it will resynchronise");
		}
		boolean permitted = this.chunkPermits.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
		if (!permitted) {
			logger.warn(this + ": @HandleChunk callbacks fell " + this.engine.settings().maxPending()
					+ " chunks behind task '" + run.name + "' for " + timeout + "; delivering anyway");
		}
		this.mailbox.execute(() -> {
			try {
				turn(() -> deliverChunk(run, chunk));
			}
			finally {
				if (permitted) {
					this.chunkPermits.release();
				}
			}
		});
	}

	private void deliverChunk(TaskRun run, Object chunk) {
		if (!isCurrent(run) || this.closed) {
			return;
		}
		if (this.callbacks.handlesChunk(run.name)) {
			try {
				this.callbacks.onChunk(run.name, chunk, this);
			}
			catch (Exception ex) {
				logger.error("@HandleChunk(\"" + run.name + "\") on " + this.callbacks.describe() + " threw; "
						+ this + " keeps running", ex);
			}
		}
		String html = (this.renderer != null) ? this.renderer.renderChunk(this, run.name, chunk) : null;
		if (html == null && chunk instanceof CharSequence text) {
			append("chunk", this.engine.json().textChunk(run.name, text), null); // the common case, without a Map
		}
		else {
			Map<String, Object> data = new LinkedHashMap<>();
			data.put("task", run.name);
			if (chunk instanceof CharSequence text) {
				data.put("text", text.toString());
			}
			else {
				data.put("json", chunk);
			}
			if (html != null) {
				data.put("html", html);
			}
			append("chunk", this.engine.json().write(data), null);
		}
		this.engine.metrics().chunkDelivered(run.name);
	}

	void deliverProgress(TaskRun run, @Nullable Progress progress) {
		turn(() -> {
			if (progress == null || !isCurrent(run) || this.closed) {
				return;
			}
			append("progress", this.engine.json().object("task", run.name, "done", progress.done(), "total", progress.total()),
					"progress:" + run.name);
			for (String key : resultKeys(run)) {
				if (this.assigns.get(key) instanceof AsyncResult<?> result) {
					assign(key, result.withProgress(progress));
				}
			}
		});
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	void deliverOutcome(TaskRun run, Outcome<?> outcome) {
		turn(() -> {
			if (!isCurrent(run)) {
				return; // replaced by a later start: its result is dropped
			}
			Set<String> keys = resultKeys(run);
			this.tasks.remove(run.name);
			run.keys.forEach((key) -> this.keyOwners.remove(key, run.name));
			Map<String, Object> data = new LinkedHashMap<>();
			data.put("task", run.name);
			data.put("kind", outcome.kind().tag());
			if (outcome instanceof Outcome.Ok<?> ok) {
				for (String key : keys) {
					Object value = run.keys.isEmpty() ? ok.value() : ((Map<String, ?>) ok.value()).get(key);
					assign(key, currentResult(key).toOk(value));
				}
			}
			else {
				AsyncResult.Failure failure = AsyncResult.Failure.of(outcome);
				data.put("code", failure.code());
				if (failure.ref() != null) {
					data.put("ref", failure.ref());
				}
				if (outcome instanceof Outcome.Cancelled<?> cancelled) {
					data.put("reason", cancelled.reason().code());
				}
				for (String key : keys) {
					assign(key, currentResult(key).toFailed(failure));
				}
			}
			if (!this.closed) {
				append("outcome", this.engine.json().write(data), null);
			}
			if (run.keys.isEmpty()) {
				try {
					this.callbacks.onOutcome(run.name, outcome, this);
				}
				catch (Exception ex) {
					logger.error("@HandleAsync(\"" + run.name + "\") on " + this.callbacks.describe() + " threw; "
							+ this + " keeps running", ex);
				}
			}
		});
	}

	/**
	 * Return the assigns that follow the run: the keys an {@code assignAsync} run still loads (a later
	 * {@code assignAsync} may have taken some over), or the task's own name if it holds an
	 * {@link AsyncResult}.
	 */
	private Set<String> resultKeys(TaskRun run) {
		if (!run.keys.isEmpty()) {
			Set<String> owned = new LinkedHashSet<>();
			for (String key : run.keys) {
				if (run.name.equals(this.keyOwners.get(key))) {
					owned.add(key);
				}
			}
			return owned;
		}
		return (this.assigns.get(run.name) instanceof AsyncResult<?>) ? Set.of(run.name) : Set.of();
	}

	/**
	 * Return a new loading result with no previous one. Not the shared {@link AsyncResult#pending()}: every
	 * key must hold its own instance, because {@link #cancelAsync(AsyncResult)} finds the key by identity.
	 */
	private static AsyncResult<Object> freshLoading() {
		return new AsyncResult<>(false, true, null, null, null);
	}

	@SuppressWarnings("unchecked")
	private AsyncResult<Object> currentResult(String key) {
		return (this.assigns.get(key) instanceof AsyncResult<?> result) ? (AsyncResult<Object>) result : AsyncResult.pending();
	}

	// ---- output ------------------------------------------------------------------------------------------

	private void append(String type, String data, @Nullable String key) {
		this.events.append(type, data, key);
	}

	private void flush() {
		if (this.changed.isEmpty() || this.renderer == null || this.closed) {
			return;
		}
		Set<String> keys = Set.copyOf(this.changed);
		this.changed.clear();
		for (ViewRenderer.Patch patch : this.renderer.render(this, keys)) {
			String data = this.engine.json().object("target", patch.target(), "op", patch.op(), "html", patch.html());
			append("patch", data, "replace".equals(patch.op()) ? "patch:" + patch.target() : null);
		}
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
