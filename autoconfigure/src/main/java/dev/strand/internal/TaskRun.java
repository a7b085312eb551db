package dev.strand.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.micrometer.context.ContextSnapshot;
import io.micrometer.observation.Observation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.strand.AsyncTask;
import dev.strand.CancelReason;
import dev.strand.Outcome;
import dev.strand.Progress;
import dev.strand.TaskContext;
import dev.strand.TaskFailedException;
import dev.strand.TaskTimeoutException;

/**
 * One run of a task: its generation, its thread and its single outcome. The outcome is settled exactly
 * once, by whichever comes first of completion, cancellation and timeout. A run only reports to its
 * {@link Listener}; it never touches its tab.
 */
final class TaskRun implements TaskContext {

	private static final Log logger = LogFactory.getLog(TaskRun.class);

	private static final ThreadLocal<TaskRun> CURRENT = new ThreadLocal<>();

	private static final VarHandle OUTCOME;

	private static final VarHandle PROGRESS_QUEUED;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			OUTCOME = lookup.findVarHandle(TaskRun.class, "outcome", Outcome.class);
			PROGRESS_QUEUED = lookup.findVarHandle(TaskRun.class, "progressQueued", boolean.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final StrandEngine engine;

	private final Listener listener;

	/** The tab's name in the log. */
	private final String tab;

	final String name;

	/** The bounded name its meters and Observation carry: its {@code @HandleAsync} pattern, or {@code assignAsync}. */
	final String tag;

	final long generation;

	/** The assigns this run loads ({@code assignAsync}), or empty. */
	final Set<String> keys;

	/** Whether its {@code AsyncResult}s have settled; touched only on the tab's mailbox. */
	boolean resultsSettled;

	/** Whether the tab's task table holds it under its name; touched only on the tab's mailbox. */
	boolean current;

	/** Whether a {@code @HandleChunk} method takes its chunks; set by the task table before it launches. */
	boolean chunkCallback;

	/** Whether its chunks go on to the page ({@code @HandleChunk(send = false)} keeps them); set with {@link #chunkCallback}. */
	boolean chunkSent;

	private final AsyncTask<?> body;

	private final TaskExecutors.Named executor;

	private final Duration timeout;

	private final @Nullable ContextSnapshot context;

	/** Set once, through {@link #OUTCOME}. These are fields, not atomic objects: a parked task keeps 48 bytes less. */
	private volatile @Nullable Outcome<?> outcome;

	private volatile @Nullable Progress progress;

	/** Whether a report is queued: set through {@link #PROGRESS_QUEUED}, cleared when it is taken. */
	private volatile boolean progressQueued;

	private @Nullable Thread thread;

	private boolean bodyRunning;

	private boolean lingering;

	private boolean warnedLingering;

	private boolean launched;

	/** The thread handing the body to its executor, while it does: an executor that runs it there is refused. */
	private @Nullable Thread launching;

	private long startNanos;

	private Timeouts.@Nullable Timeout timer;

	TaskRun(StrandEngine engine, Listener listener, String tab, String name, String tag, long generation,
			Set<String> keys, AsyncTask<?> body, TaskExecutors.Named executor, Duration timeout) {
		this.engine = engine;
		this.listener = listener;
		this.tab = tab;
		this.name = name;
		this.tag = tag;
		this.generation = generation;
		this.keys = keys;
		this.body = body;
		this.executor = executor;
		this.timeout = timeout;
		this.context = engine.captureContext();
	}

	/**
	 * Whether the calling thread is running a task body.
	 * @return whether it is a task thread
	 */
	static boolean onTaskThread() {
		return CURRENT.get() != null;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public void push(Object chunk) throws InterruptedException {
		Objects.requireNonNull(chunk, "A chunk must not be null");
		checkCancelled();
		this.listener.chunk(this, chunk);
	}

	@Override
	public void progress(long done, long total) {
		this.progress = new Progress(done, total);
		if (PROGRESS_QUEUED.compareAndSet(this, false, true)) {
			this.listener.progress(this);
		}
	}

	/**
	 * Return the latest progress and let the next report notify the listener again.
	 * @return the latest progress
	 */
	@Nullable Progress takeProgress() {
		this.progressQueued = false;
		return this.progress;
	}

	@Override
	public boolean isCancelled() {
		return this.outcome instanceof Outcome.Cancelled<?>;
	}

	boolean isSettled() {
		return this.outcome != null;
	}

	boolean isLaunched() {
		synchronized (this) {
			return this.launched;
		}
	}

	/**
	 * Hand the body to its executor; called on the tab's mailbox once it is connected. An executor that refuses
	 * it, or runs it on the calling thread (which would block the tab), ends it with an {@link Outcome.Exit}.
	 */
	void launch() {
		StrandEngine engine = this.engine;
		if (isSettled()) {
			return;
		}
		if (!engine.tryAcquireTask()) {
			settle(new Outcome.Exit<>(new dev.strand.StrandLimitException("Strand runs " + engine.settings().tasks()
					+ " tasks already (strand.limits.tasks); task '" + this.name + "' was not started"), engine.newRef()));
			return;
		}
		synchronized (this) {
			this.launched = true;
			this.startNanos = System.nanoTime();
			this.launching = Thread.currentThread();
		}
		this.timer = engine.schedule(this::timedOut, this.timeout);
		try {
			this.executor.executor().execute(this::runBody);
		}
		catch (RejectedExecutionException ex) {
			settle(new Outcome.Exit<>(rejected("refused task '" + this.name + "' (it is saturated or shut down), so it did "
					+ "not run; give the executor more threads or a longer queue, or start the task again later", ex),
					engine.newRef()));
		}
		catch (RuntimeException ex) {
			settle(new Outcome.Exit<>(ex, engine.newRef()));
		}
		finally {
			synchronized (this) {
				this.launching = null;
			}
		}
	}

	private RejectedExecutionException rejected(String what, @Nullable Throwable cause) {
		return new RejectedExecutionException("Executor '" + this.executor.name() + "' " + what, cause);
	}

	@SuppressWarnings("try") // the scopes are held, not read
	private void runBody() {
		StrandEngine engine = this.engine;
		boolean inline;
		synchronized (this) {
			if (isSettled()) {
				return; // cancelled or timed out while it waited in the executor's queue
			}
			inline = this.launching == Thread.currentThread();
			if (!inline) {
				this.thread = Thread.currentThread();
				this.bodyRunning = true;
			}
		}
		if (inline) {
			settle(new Outcome.Exit<>(rejected("ran task '" + this.name + "' on the thread that started it (a synchronous "
					+ "executor, or a caller-runs policy when it is full), where it would block its tab, so it did not run; "
					+ "use an executor that runs tasks on threads of their own, or that refuses them when full", null),
					engine.newRef()));
			return;
		}
		engine.bodyStarted();
		String threadName = Thread.currentThread().getName();
		Thread.currentThread().setName("strand-task-" + this.name);
		CURRENT.set(this);
		Observation observation = Observation.NOOP;
		Outcome<?> result;
		Throwable thrown = null;
		boolean observed = !engine.observations().isNoop();
		try (ContextSnapshot.Scope context = engine.enterContext(this.context)) {
			if (observed) {
				// started within the handler's context, so that the handler's Observation is its parent
				observation = Observation.createNotStarted("strand.task", engine.observations())
					.contextualName("strand " + this.tag)
					.lowCardinalityKeyValue("strand.task", this.tag)
					.lowCardinalityKeyValue("strand.executor", this.executor.name())
					.highCardinalityKeyValue("strand.task.name", this.name)
					.start();
			}
			// with observations off, no scope either: the thread would keep it in its locals for as long as it runs
			try (Observation.Scope scope = observed ? observation.openScope() : null) {
				result = new Outcome.Ok<>(this.body.run(this));
			}
		}
		catch (TaskFailedException ex) {
			thrown = ex;
			result = new Outcome.Failed<>(ex.getReason(), engine.newRef());
		}
		catch (Throwable ex) {
			thrown = ex;
			result = new Outcome.Exit<>(ex, engine.newRef());
		}
		finally {
			CURRENT.remove();
			Thread.currentThread().setName(threadName);
		}
		settle(result);
		observed(observation, Objects.requireNonNull(this.outcome), thrown);
		boolean wasLingering;
		boolean wasWarned;
		synchronized (this) {
			this.bodyRunning = false;
			this.thread = null;
			wasLingering = this.lingering;
			wasWarned = this.warnedLingering;
			Thread.interrupted(); // never leak our interrupt to a pooled thread
		}
		engine.bodyEnded(wasLingering);
		if (wasWarned) {
			logger.info("Task '" + this.name + "' of " + this.tab + " ended "
					+ TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.startNanos) + " ms after it started, after it was stopped");
		}
	}

	/**
	 * End the body's Observation with the outcome that counted, which a cancel or timeout may have settled
	 * first: a cancellation is not an error.
	 */
	private static void observed(Observation observation, Outcome<?> outcome, @Nullable Throwable thrown) {
		observation.lowCardinalityKeyValue("strand.outcome", outcome.kind().tag());
		switch (outcome) {
			case Outcome.Exit<?> exit -> observation.error(exit.error());
			case Outcome.Failed<?> failed when thrown != null -> observation.error(thrown);
			default -> {
			}
		}
		observation.stop();
	}

	/**
	 * Cancel this run. Its outcome becomes this one at once, unless it already had one.
	 * @param cancelled the outcome, with why
	 * @return whether this call settled the outcome
	 */
	boolean cancel(Outcome.Cancelled<?> cancelled) {
		return stop(cancelled);
	}

	private void timedOut() {
		if (stop(new Outcome.Exit<>(new TaskTimeoutException(this.name, this.timeout), this.engine.newRef()))) {
			logger.warn("Task '" + this.name + "' of " + this.tab + " timed out after " + this.timeout);
		}
	}

	private boolean stop(Outcome<?> stopped) {
		if (!OUTCOME.compareAndSet(this, null, stopped)) {
			return false;
		}
		StrandEngine engine = this.engine;
		boolean interrupted = false;
		synchronized (this) {
			if (this.bodyRunning && this.thread != null) {
				// counted under the lock that runBody takes to end: the count is never lowered before it is raised
				this.lingering = true;
				engine.lingering(+1);
				this.thread.interrupt();
				interrupted = true;
			}
		}
		// reported only now, so that the callback already sees the body counted as lingering
		ended(stopped);
		if (interrupted) {
			engine.schedule(this::warnIfLingering, engine.settings().lingerWarning());
		}
		return true;
	}

	private void warnIfLingering() {
		synchronized (this) {
			if (!this.bodyRunning) {
				return;
			}
			this.warnedLingering = true;
		}
		logger.warn("Task '" + this.name + "' of " + this.tab
				+ " is still running after it was stopped: it ignores interrupts. It is reported as ended; "
				+ "make it check TaskContext.isCancelled() or let InterruptedException propagate");
	}

	/**
	 * Set the outcome if it is not set yet, and report it.
	 * @param result the outcome
	 * @return whether this call set it
	 */
	private boolean settle(Outcome<?> result) {
		if (!OUTCOME.compareAndSet(this, null, result)) {
			return false;
		}
		ended(result);
		return true;
	}

	/**
	 * Release what the run held, record it and report its outcome, just settled.
	 * @param result the outcome
	 */
	private void ended(Outcome<?> result) {
		Timeouts.Timeout pending = this.timer;
		if (pending != null) {
			pending.cancel();
		}
		StrandEngine engine = this.engine;
		boolean wasLaunched;
		long nanos;
		synchronized (this) {
			wasLaunched = this.launched;
			nanos = wasLaunched ? System.nanoTime() - this.startNanos : 0;
		}
		if (wasLaunched) {
			engine.releaseTask();
		}
		logOutcome(result);
		engine.metrics().taskEnded(this.tag, this.executor.name(), result.kind(), nanos);
		this.listener.ended(this, result);
	}

	private void logOutcome(Outcome<?> result) {
		switch (result) {
			case Outcome.Exit<?> exit when exit.rejected() ->
				logger.warn(exit.error().getMessage() + " [" + this.tab + ", ref " + exit.ref() + "]");
			case Outcome.Exit<?> exit when !exit.timedOut() && !(exit.error() instanceof CancellationException) ->
				logger.error("Task '" + this.name + "' of " + this.tab + " crashed [ref " + exit.ref() + "]",
						exit.error());
			case Outcome.Failed<?> failed -> logger.info("Task '" + this.name + "' of " + this.tab
					+ " failed with " + failed.reason() + " [ref " + failed.ref() + "]");
			default -> {
				if (logger.isDebugEnabled()) {
					logger.debug("Task '" + this.name + "' of " + this.tab + " ended: " + result.kind());
				}
			}
		}
	}

	/** Where a run reports: its chunks, its progress and its single outcome. */
	interface Listener {

		/**
		 * The task pushed a chunk; may block while its stream lags (backpressure).
		 * @param run the run
		 * @param chunk the chunk
		 * @throws InterruptedException if the task is cancelled while it waits
		 */
		void chunk(TaskRun run, Object chunk) throws InterruptedException;

		/**
		 * The task reported progress, and no earlier report is waiting; read it with {@link #takeProgress()}.
		 * @param run the run
		 */
		void progress(TaskRun run);

		/**
		 * The run's outcome was settled; called exactly once, by whichever settled it.
		 * @param run the run
		 * @param outcome the outcome
		 */
		void ended(TaskRun run, Outcome<?> outcome);

	}

}
