package dev.strand.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

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
 * once, by whichever comes first of completion, cancellation and timeout; the view then receives it on its
 * mailbox and keeps it only if this run is still the current one for its name.
 */
final class TaskRun implements TaskContext {

	private static final Log logger = LogFactory.getLog(TaskRun.class);

	private static final ThreadLocal<TaskRun> CURRENT = new ThreadLocal<>();

	final ViewState view;

	final String name;

	final long generation;

	/** The assigns this run loads ({@code assignAsync}), or empty. */
	final Set<String> keys;

	private final AsyncTask<?> body;

	private final Duration timeout;

	private final ContextSnapshot context;

	private final AtomicReference<@Nullable Outcome<?>> outcome = new AtomicReference<>();

	private final AtomicReference<@Nullable Progress> progress = new AtomicReference<>();

	private final AtomicBoolean progressQueued = new AtomicBoolean();

	private @Nullable Thread thread;

	private boolean bodyRunning;

	private boolean lingering;

	private boolean warnedLingering;

	private boolean launched;

	private long startNanos;

	private @Nullable ScheduledFuture<?> timer;

	TaskRun(ViewState view, String name, long generation, Set<String> keys, AsyncTask<?> body, Duration timeout,
			ContextSnapshot context) {
		this.view = view;
		this.name = name;
		this.generation = generation;
		this.keys = keys;
		this.body = body;
		this.timeout = timeout;
		this.context = context;
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
		this.view.pushChunk(this, chunk);
	}

	@Override
	public void progress(long done, long total) {
		this.progress.set(new Progress(done, total));
		if (this.progressQueued.compareAndSet(false, true)) {
			this.view.mailbox().execute(() -> {
				this.progressQueued.set(false);
				this.view.deliverProgress(this, this.progress.get());
			});
		}
	}

	@Override
	public boolean isCancelled() {
		return this.outcome.get() instanceof Outcome.Cancelled<?>;
	}

	boolean isSettled() {
		return this.outcome.get() != null;
	}

	/** Start the body on the engine's executor; called on the view's mailbox once it is connected. */
	void launch(StrandEngine engine) {
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
		}
		this.timer = engine.schedule(this::timedOut, this.timeout);
		try {
			engine.taskExecutor().execute(this::runBody);
		}
		catch (RuntimeException ex) {
			settle(new Outcome.Exit<>(ex, engine.newRef()));
		}
	}

	private void runBody() {
		StrandEngine engine = this.view.engine();
		synchronized (this) {
			if (isSettled()) {
				return;
			}
			this.thread = Thread.currentThread();
			this.bodyRunning = true;
		}
		engine.bodyStarted();
		String threadName = Thread.currentThread().getName();
		Thread.currentThread().setName("strand-task-" + this.name);
		CURRENT.set(this);
		Outcome<?> result;
		try (ContextSnapshot.Scope scope = this.context.setThreadLocals()) {
			Observation observation = Observation.createNotStarted("strand.task", engine.observations())
				.contextualName("strand " + this.name)
				.lowCardinalityKeyValue("strand.task", this.name);
			Object value = observation.observeChecked(() -> this.body.run(this));
			result = new Outcome.Ok<>(value);
		}
		catch (TaskFailedException ex) {
			result = new Outcome.Failed<>(ex.getReason(), engine.newRef());
		}
		catch (Throwable ex) {
			result = new Outcome.Exit<>(ex, engine.newRef());
		}
		finally {
			CURRENT.remove();
			Thread.currentThread().setName(threadName);
		}
		settle(result);
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
			logger.info("Task '" + this.name + "' of view " + this.view.id() + " ended "
					+ TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.startNanos) + " ms after it started, after it was stopped");
		}
	}

	/**
	 * Cancel this run. Its outcome becomes {@link Outcome.Cancelled} at once, unless it already had one.
	 * @param reason why
	 * @return whether this call settled the outcome
	 */
	boolean cancel(CancelReason reason) {
		return stop(new Outcome.Cancelled<>(reason));
	}

	private void timedOut() {
		if (stop(new Outcome.Exit<>(new TaskTimeoutException(this.name, this.timeout), this.view.engine().newRef()))) {
			logger.warn("Task '" + this.name + "' of view " + this.view.id() + " timed out after " + this.timeout);
		}
	}

	private boolean stop(Outcome<?> stopped) {
		if (!this.outcome.compareAndSet(null, stopped)) {
			return false;
		}
		StrandEngine engine = this.view.engine();
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
		// handed to the view only now, so that its callback already sees the body counted as lingering
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
		logger.warn("Task '" + this.name + "' of view " + this.view.id()
				+ " is still running after it was stopped: it ignores interrupts. It is reported as ended; "
				+ "make it check TaskContext.isCancelled() or let InterruptedException propagate");
	}

	/**
	 * Set the outcome if it is not set yet, and hand it to the view's mailbox.
	 * @param result the outcome
	 * @return whether this call set it
	 */
	private boolean settle(Outcome<?> result) {
		if (!this.outcome.compareAndSet(null, result)) {
			return false;
		}
		ended(result);
		return true;
	}

	/**
	 * Release what the run held, record it and hand its outcome, just settled, to the view's mailbox.
	 * @param result the outcome
	 */
	private void ended(Outcome<?> result) {
		ScheduledFuture<?> pending = this.timer;
		if (pending != null) {
			pending.cancel(false);
		}
		StrandEngine engine = this.view.engine();
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
		engine.metrics().taskEnded(this.name, result.kind(), nanos);
		this.view.mailbox().execute(() -> this.view.deliverOutcome(this, result));
	}

	private void logOutcome(Outcome<?> result) {
		switch (result) {
			case Outcome.Exit<?> exit when !exit.timedOut() && !(exit.error() instanceof CancellationException) ->
				logger.error("Task '" + this.name + "' of view " + this.view.id() + " crashed [ref " + exit.ref() + "]",
						exit.error());
			case Outcome.Failed<?> failed -> logger.info("Task '" + this.name + "' of view " + this.view.id()
					+ " failed with " + failed.reason() + " [ref " + failed.ref() + "]");
			default -> {
				if (logger.isDebugEnabled()) {
					logger.debug("Task '" + this.name + "' of view " + this.view.id() + " ended: " + result.kind());
				}
			}
		}
	}

}
