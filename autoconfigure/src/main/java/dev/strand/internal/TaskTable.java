package dev.strand.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

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

/**
 * One tab's tasks: start, replace, cancel, and the {@link AsyncResult}s that follow them. The whole engine
 * rests on one rule, kept here: a run's outcome, chunks and progress count only while it is the current run
 * for its name ({@link #isCurrent}). Every method but the {@link TaskRun.Listener} ones runs on the tab's
 * mailbox; those run on task threads and only send messages (after waiting for room, for a chunk).
 */
final class TaskTable implements TaskRun.Listener {

	private static final Log logger = LogFactory.getLog(TaskTable.class);

	private final StrandEngine engine;

	/** The tab's name in the log. */
	private final String tab;

	private final Assigns assigns;

	private final EventLog log;

	private final Consumer<Message> inbox;

	/** The view's callbacks: whether a {@code @HandleChunk} method takes a task's chunks, and sends them on. */
	private final Callbacks callbacks;

	/** The runs, by name; sized for one, as most views run a task or two at a time. */
	private final Map<String, TaskRun> current = LinkedHashMap.newLinkedHashMap(1);

	/** The {@code assignAsync} run (by name) that loads each key; allocated by the first one. */
	private Map<String, String> keyOwners = Map.of();

	private long generation;

	TaskTable(StrandEngine engine, String tab, Assigns assigns, EventLog log, Callbacks callbacks,
			Consumer<Message> inbox) {
		this.engine = engine;
		this.tab = tab;
		this.assigns = assigns;
		this.log = log;
		this.callbacks = callbacks;
		this.inbox = inbox;
	}

	/**
	 * Start a run, replacing the current one with this name. Checks every limit before it changes anything.
	 * @param name the task's name: a {@code startAsync} name, or an {@code assignAsync} run's sorted keys
	 * @param tag the bounded name its meters and Observation carry: its {@code @HandleAsync} pattern, or
	 * {@code assignAsync}
	 * @param keys the keys an {@code assignAsync} run loads, or none
	 * @param options the options
	 * @param body the body
	 * @param started whether the tab's stream has attached, so that the run starts at once
	 * @throws StrandLimitException if a limit would be passed
	 * @throws IllegalArgumentException if the options name an executor that does not exist
	 */
	void start(String name, String tag, Set<String> keys, AsyncOptions options, AsyncTask<?> body, boolean started) {
		TaskExecutors.Named executor = this.engine.taskExecutors().choose(options);
		TaskRun previous = this.current.get(name);
		int others = this.current.size() - ((previous != null) ? 1 : 0);
		if (others >= this.engine.settings().tasksPerView()) {
			throw new StrandLimitException("View runs " + others + " tasks already, the most strand.limits.tasks-per-view allows; "
					+ "cancel one or wait for one to end before starting '" + name + "'");
		}
		int running = this.engine.activeTasks() - ((previous != null && !previous.isSettled()) ? 1 : 0);
		if (started && running >= this.engine.settings().tasks()) {
			throw new StrandLimitException("Strand runs " + running + " tasks already, the most strand.limits.tasks allows; "
					+ "try again when some have ended");
		}
		if (previous != null) {
			previous.cancel(new Outcome.Cancelled<>(CancelReason.REPLACED)); // no longer current: its result is dropped
		}
		Set<String> displaced = new LinkedHashSet<>();
		if (!keys.isEmpty() && !(this.keyOwners instanceof LinkedHashMap)) {
			this.keyOwners = new LinkedHashMap<>();
		}
		for (String key : keys) {
			String owner = this.keyOwners.put(key, name);
			if (owner != null && !owner.equals(name)) {
				displaced.add(owner);
			}
			loading(key, options);
		}
		if (keys.isEmpty() && this.assigns.read(name) instanceof AsyncResult<?>) {
			loading(name, options);
		}
		Duration timeout = (options.timeout() != null) ? options.timeout() : this.engine.settings().taskTimeout();
		TaskRun run = new TaskRun(this.engine, this, this.tab, name, tag, ++this.generation, keys, body, executor,
				timeout);
		TaskRun replaced = this.current.put(name, run);
		if (replaced != null) {
			replaced.current = false;
		}
		run.current = true;
		run.chunkCallback = this.callbacks.handlesChunk(name);
		run.chunkSent = !run.chunkCallback || this.callbacks.sendsChunk(name); // no second lookup for most tasks
		displaced.forEach((owner) -> cancel(owner, CancelReason.REPLACED, null)); // its other keys fail
		if (started) {
			run.launch();
		}
	}

	private void loading(String key, AsyncOptions options) {
		Object current = this.assigns.read(key);
		boolean fresh = options.resets(key) || !(current instanceof AsyncResult<?>);
		// a new instance per key, never the shared AsyncResult.pending(): cancelAsync(AsyncResult) finds keys by identity
		this.assigns.set(key, fresh ? new AsyncResult<>(false, true, null, null, null) : ((AsyncResult<?>) current).toLoading());
	}

	/** Launch the runs that waited for the tab's stream. */
	void launchWaiting() {
		for (TaskRun run : List.copyOf(this.current.values())) {
			if (!run.isLaunched()) {
				run.launch();
			}
		}
	}

	/**
	 * Cancel the current run with this name, or that loads this key. Its {@link AsyncResult}s fail at once;
	 * its outcome arrives as a message, and counts while it is still current.
	 * @param nameOrKey a task name or an {@code assignAsync} key
	 * @param reason why
	 * @param detail why, in the application's terms, or {@code null}
	 * @return whether a run was cancelled (not already ended)
	 */
	boolean cancel(String nameOrKey, CancelReason reason, @Nullable Object detail) {
		TaskRun run = this.current.get(taskName(nameOrKey));
		if (run == null) {
			return false;
		}
		Outcome.Cancelled<?> cancelled = new Outcome.Cancelled<>(reason, detail);
		if (!run.cancel(cancelled)) {
			return false;
		}
		settleResults(run, cancelled);
		return true;
	}

	/**
	 * Cancel every run, when the tab closes.
	 * @param reason why
	 */
	void cancelAll(CancelReason reason) {
		for (TaskRun run : List.copyOf(this.current.values())) {
			cancel(run.name, reason, null);
		}
	}

	/**
	 * Whether a run with this name, or that loads this key, is running or waiting for the stream.
	 * @param nameOrKey a task name or an {@code assignAsync} key
	 * @return whether it runs
	 */
	boolean isRunning(String nameOrKey) {
		TaskRun run = this.current.get(taskName(nameOrKey));
		return run != null && !run.isSettled();
	}

	/**
	 * Return the name of the run that loads this key, or the name itself.
	 * @param nameOrKey a task name or an {@code assignAsync} key
	 * @return the task's name
	 */
	String taskName(String nameOrKey) {
		String owner = this.keyOwners.get(nameOrKey);
		return (owner != null) ? owner : nameOrKey;
	}

	/**
	 * The generation rule: whether this run is the current one for its name.
	 * @param run the run
	 * @return whether its outcome, chunks and progress count
	 */
	boolean isCurrent(TaskRun run) {
		return run.current; // as this.current.get(run.name) == run, without a map lookup per chunk
	}

	/**
	 * Whether a run's chunks and progress count: it is current, and was not cancelled (a cancel takes effect in
	 * its turn, so what the run sent before it and is still queued is dropped). A run that ended by itself is
	 * still heard to its outcome, which comes after all it sent.
	 * @param run the run
	 * @return whether its chunks and progress reach the tab
	 */
	boolean isHeard(TaskRun run) {
		return isCurrent(run) && !run.resultsSettled;
	}

	/**
	 * Take in a run's outcome, if it counts: the run leaves the table and its {@link AsyncResult}s settle.
	 * @param run the run
	 * @param outcome its outcome
	 * @return whether it counted; {@code false} if a later start replaced it
	 */
	boolean settle(TaskRun run, Outcome<?> outcome) {
		if (!isCurrent(run)) {
			return false;
		}
		this.current.remove(run.name);
		run.current = false;
		settleResults(run, outcome);
		return true;
	}

	/**
	 * Take in a run's latest progress, if it counts.
	 * @param run the run
	 * @return the progress, or {@code null} if the run is no longer current or has none
	 */
	@Nullable Progress latestProgress(TaskRun run) {
		Progress progress = run.takeProgress();
		if (progress == null || !isHeard(run)) {
			return null;
		}
		for (String key : resultKeys(run)) {
			if (this.assigns.read(key) instanceof AsyncResult<?> result) {
				this.assigns.set(key, result.withProgress(progress));
			}
		}
		return progress;
	}

	/**
	 * A chunk message was handled, its chunk appended or dropped: give back the room it reserved in the log.
	 * @param chunk the message
	 */
	void chunkHandled(Message.Chunk chunk) {
		this.log.release(chunk.bytes());
	}

	int size() {
		return this.current.size();
	}

	/**
	 * Return the names of the runs that run or wait, for a {@link WireEvent.Reset}.
	 * @return their names
	 */
	List<String> runningNames() {
		List<String> names = new ArrayList<>(this.current.size());
		for (TaskRun run : this.current.values()) {
			if (!run.isSettled()) {
				names.add(run.name);
			}
		}
		return names;
	}

	/**
	 * Return the runs whose outcome has not been taken in yet, for a {@link TabSnapshot}.
	 * @return the runs
	 */
	List<TabSnapshot.Task> snapshot() {
		List<TabSnapshot.Task> tasks = new ArrayList<>(this.current.size());
		for (TaskRun run : this.current.values()) {
			TabSnapshot.State state = run.isSettled() ? TabSnapshot.State.ENDING
					: run.isLaunched() ? TabSnapshot.State.RUNNING : TabSnapshot.State.WAITING;
			tasks.add(new TabSnapshot.Task(run.name, run.keys, state));
		}
		return tasks;
	}

	/** Move the run's {@link AsyncResult}s to ok or failed, once; its keys are then no longer its own. */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private void settleResults(TaskRun run, Outcome<?> outcome) {
		for (String key : resultKeys(run)) {
			AsyncResult<Object> result = (this.assigns.read(key) instanceof AsyncResult<?> held) ? (AsyncResult<Object>) held
					: AsyncResult.pending();
			if (outcome instanceof Outcome.Ok<?> ok) {
				this.assigns.set(key, result.toOk(run.keys.isEmpty() ? ok.value() : ((Map<String, ?>) ok.value()).get(key)));
			}
			else {
				this.assigns.set(key, result.toFailed(AsyncResult.Failure.of(outcome)));
			}
		}
		if (!run.keys.isEmpty()) {
			run.keys.forEach((key) -> this.keyOwners.remove(key, run.name));
		}
		run.resultsSettled = true;
	}

	/**
	 * Return the assigns that follow the run: the keys an {@code assignAsync} run still loads (a later one may
	 * have taken some over), or the task's own name if it holds an {@link AsyncResult}.
	 */
	private Set<String> resultKeys(TaskRun run) {
		if (run.resultsSettled) {
			return Set.of();
		}
		if (!run.keys.isEmpty()) {
			Set<String> owned = new LinkedHashSet<>();
			for (String key : run.keys) {
				if (run.name.equals(this.keyOwners.get(key))) {
					owned.add(key);
				}
			}
			return owned;
		}
		return (this.assigns.read(run.name) instanceof AsyncResult<?>) ? Set.of(run.name) : Set.of();
	}

	// ---- TaskRun.Listener: on task threads ---------------------------------------------------------------

	@Override
	public void chunk(TaskRun run, Object chunk) throws InterruptedException {
		EngineSettings settings = this.engine.settings();
		WireEvent.Chunk event = WireEvent.Chunk.of(run.name, chunk, this.engine.json());
		int size = Json.utf8Length(event.value());
		if (size > settings.maxChunkSize()) {
			throw new IllegalArgumentException("Task '" + run.name + "' pushed a chunk of " + size + " bytes, more than "
					+ "strand.stream.max-chunk-size (" + settings.maxChunkSize() + " bytes) allows; push it in smaller "
					+ "pieces, or raise the limit");
		}
		Duration timeout = settings.pushTimeout();
		if (!this.log.reserve(size, timeout)) {
			logger.warn(this.tab + ": its page fell more than " + settings.maxPending() + " events or "
					+ settings.maxPendingSize() + " bytes behind for " + timeout + "; it will resynchronise");
		}
		this.inbox.accept(new Message.Chunk(run, chunk, event, size));
	}

	@Override
	public void progress(TaskRun run) {
		this.inbox.accept(new Message.Progress(run));
	}

	@Override
	public void ended(TaskRun run, Outcome<?> outcome) {
		this.inbox.accept(new Message.Ended(run, outcome));
	}

	/** Where the table reads and writes the {@link AsyncResult}s that follow its runs. */
	interface Assigns {

		@Nullable Object read(String key);

		/**
		 * Set an assign on behalf of a task: it is re-rendered, and a failing callback's rollback keeps it.
		 * @param key the key
		 * @param value the value
		 */
		void set(String key, @Nullable Object value);

	}

}
