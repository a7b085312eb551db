package dev.strand.internal;

import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.context.ThreadLocalAccessor;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import tools.jackson.databind.json.JsonMapper;

/**
 * What every tab runs on: the executors for task bodies and mailboxes, the timer, the settings, and the
 * counts behind the gauges. One per application.
 */
public final class StrandEngine implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(StrandEngine.class);

	private final EngineSettings settings;

	private final TaskExecutors taskExecutors;

	private final ExecutorService mailboxExecutor = Executors
		.newThreadPerTaskExecutor(Thread.ofVirtual().name("strand-mailbox-", 0).factory());

	private final ScheduledThreadPoolExecutor timer;

	private final Timeouts timeouts;

	private final ObservationRegistry observations;

	private final StrandMetrics metrics;

	private final Json json;

	private final ContextRegistry contexts = ContextRegistry.getInstance();

	/** Sets every thread-local a task's handler had, and clears the others: a pooled thread may hold a stale one. */
	private final ContextSnapshotFactory snapshots = ContextSnapshotFactory.builder()
		.contextRegistry(this.contexts)
		.clearMissing(true)
		.build();

	/** The context of a handler whose thread has none. */
	private final ContextSnapshot noContext = this.snapshots.captureFrom();

	private final AtomicInteger activeTasks = new AtomicInteger();

	private final AtomicInteger runningBodies = new AtomicInteger();

	private final AtomicInteger lingeringTasks = new AtomicInteger();

	private final BufferBudget buffers;

	private volatile boolean closed;

	/**
	 * Create an engine whose tasks run on one executor, unless their options pass another.
	 * @param settings the settings
	 * @param taskExecutor the executor for task bodies
	 * @param observations where the {@code strand.task} Observations go
	 * @param metrics where the metrics go
	 * @param jsonMapper writes chunks as JSON
	 */
	public StrandEngine(EngineSettings settings, Executor taskExecutor, ObservationRegistry observations,
			StrandMetrics metrics, JsonMapper jsonMapper) {
		this(settings, TaskExecutors.only(taskExecutor), observations, metrics, jsonMapper, RingMemory.HEAP);
	}

	/**
	 * Create an engine whose tasks run on the default executor, or on one their options choose.
	 * @param settings the settings
	 * @param taskExecutors the executors for task bodies
	 * @param observations where the {@code strand.task} Observations go
	 * @param metrics where the metrics go
	 * @param jsonMapper writes chunks as JSON
	 * @param ringMemory where replay buffers and stream histories larger than {@link ByteRing#FREE_BYTES} live
	 */
	public StrandEngine(EngineSettings settings, TaskExecutors taskExecutors, ObservationRegistry observations,
			StrandMetrics metrics, JsonMapper jsonMapper, RingMemory ringMemory) {
		this.settings = settings;
		this.taskExecutors = taskExecutors;
		this.observations = observations;
		this.metrics = metrics;
		this.json = new Json(jsonMapper);
		this.timer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("strand-timer").daemon().factory());
		this.timer.setRemoveOnCancelPolicy(true);
		this.timeouts = new Timeouts(this.timer, Duration.ofMillis(10), 512);
		this.buffers = new BufferBudget(settings.totalBufferSize(), ringMemory);
	}

	/**
	 * Return the budget every tab's rings share: replay buffers and {@code strand:stream} histories.
	 * @return the budget
	 */
	public BufferBudget buffers() {
		return this.buffers;
	}

	/**
	 * Return what a tab's event log keeps, its ring sharing this engine's budget.
	 * @return the limits
	 */
	public MemoryEventLog.Limits logLimits() {
		return this.settings.logLimits(this.buffers);
	}

	/**
	 * Return an engine with default settings, a virtual thread per task and no metrics; for tests and tools.
	 * @return the engine
	 */
	public static StrandEngine withDefaults() {
		return new StrandEngine(EngineSettings.defaults(),
				Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("strand-task-", 0).factory()),
				ObservationRegistry.NOOP, StrandMetrics.NONE, JsonMapper.builder().build());
	}

	/**
	 * Return the settings.
	 * @return the settings
	 */
	public EngineSettings settings() {
		return this.settings;
	}

	/**
	 * Return the writer of wire events' data.
	 * @return the JSON writer
	 */
	public Json json() {
		return this.json;
	}

	/**
	 * Return the number of tasks running: started and not yet ended.
	 * @return the number of active tasks
	 */
	public int activeTasks() {
		return this.activeTasks.get();
	}

	/**
	 * Return the number of task bodies still executing, including cancelled ones that ignore interrupts.
	 * @return the number of running bodies
	 */
	public int runningBodies() {
		return this.runningBodies.get();
	}

	/**
	 * Return the number of tasks reported as ended whose body is still executing.
	 * @return the number of lingering tasks
	 */
	public int lingeringTasks() {
		return this.lingeringTasks.get();
	}

	/**
	 * Return a new correlation id for the log and the browser.
	 * @return the id
	 */
	public String newRef() {
		return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(0, 12);
	}

	TaskExecutors taskExecutors() {
		return this.taskExecutors;
	}

	Executor mailboxExecutor() {
		return this.mailboxExecutor;
	}

	ObservationRegistry observations() {
		return this.observations;
	}

	StrandMetrics metrics() {
		return this.metrics;
	}

	/**
	 * Capture the calling thread's context (its Observation, say), for a task to run in.
	 * @return the context, or {@code null} if the thread has none
	 */
	@Nullable ContextSnapshot captureContext() {
		return hasContext((key) -> true) ? this.snapshots.captureAll() : null;
	}

	/**
	 * Set a task's context on the thread that runs it, clearing what the thread has that it does not.
	 * @param context the context, as {@link #captureContext()} captured it
	 * @return the scope that gives the thread back what it had
	 */
	ContextSnapshot.Scope enterContext(@Nullable ContextSnapshot context) {
		// with none, only what the thread has is cleared: a thread with nothing (one made for the task) keeps
		// nothing to give back while the task runs
		return (context != null) ? context.setThreadLocals()
				: this.noContext.setThreadLocals((key) -> hasContext(key::equals));
	}

	private boolean hasContext(Predicate<Object> keys) {
		for (ThreadLocalAccessor<?> accessor : this.contexts.getThreadLocalAccessors()) {
			if (keys.test(accessor.key()) && accessor.getValue() != null) {
				return true;
			}
		}
		return false;
	}

	/** The timer actions not yet run or cancelled: a tab or task that is done must hold none. */
	int pendingTimers() {
		return this.timeouts.size()
				+ (int) this.timer.getQueue().stream().filter((task) -> !this.timeouts.isTurning(task)).count();
	}

	/**
	 * Run an action once a delay has passed, unless it is cancelled first: a timeout, on the engine's wheel of them.
	 * @param action the action
	 * @param delay the delay
	 * @return the timeout, to cancel it
	 */
	Timeouts.Timeout schedule(Runnable action, Duration delay) {
		return this.timeouts.schedule(action, delay);
	}

	/**
	 * Run an action periodically on the engine's timer until it is cancelled or the engine closes.
	 * @param action the action
	 * @param delay the delay between the end of one run and the start of the next
	 * @return the schedule, to cancel it
	 */
	public ScheduledFuture<?> scheduleWithFixedDelay(Runnable action, Duration delay) {
		return this.timer.scheduleWithFixedDelay(logFailure(action), delay.toNanos(), delay.toNanos(), TimeUnit.NANOSECONDS);
	}

	/** A timer action that logs its failure: an exception would cancel a periodic one silently. */
	private static Runnable logFailure(Runnable action) {
		return () -> {
			try {
				action.run();
			}
			catch (RuntimeException ex) {
				logger.error("A Strand timer action failed", ex);
			}
		};
	}

	boolean tryAcquireTask() {
		if (this.closed) {
			return false;
		}
		if (this.activeTasks.incrementAndGet() > this.settings.tasks()) {
			this.activeTasks.decrementAndGet();
			return false;
		}
		return true;
	}

	void releaseTask() {
		this.activeTasks.decrementAndGet();
	}

	void bodyStarted() {
		this.runningBodies.incrementAndGet();
	}

	void bodyEnded(boolean wasLingering) {
		this.runningBodies.decrementAndGet();
		if (wasLingering) {
			this.lingeringTasks.decrementAndGet();
		}
	}

	void lingering(int delta) {
		this.lingeringTasks.addAndGet(delta);
	}

	/**
	 * Wait until a condition holds, checking it every 10 ms, up to a timeout.
	 * @param condition the condition
	 * @param timeout how long to wait
	 * @return whether it holds
	 */
	public boolean await(java.util.function.BooleanSupplier condition, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() >= deadline) {
				return false;
			}
			try {
				Thread.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return condition.getAsBoolean();
			}
		}
		return true;
	}

	/** Refuse new tasks, and stop the engine's timer and mailbox threads. */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.timer.shutdownNow();
		this.mailboxExecutor.shutdown();
	}

}
