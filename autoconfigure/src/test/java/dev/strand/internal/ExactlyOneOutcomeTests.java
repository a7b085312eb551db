package dev.strand.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import dev.strand.AsyncTask;
import dev.strand.CancelReason;
import dev.strand.Outcome;
import dev.strand.View;

import static dev.strand.internal.EngineTestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Exactly one outcome per task, whatever races its end: 10,000 tasks with random bodies, cancelled before,
 * while or after they return, replaced, or brought down with their view, on views connected before or after
 * the task starts; on virtual threads, and on a small pool where tasks also wait in its queue.
 */
class ExactlyOneOutcomeTests {

	private static final int TASKS = 10_000;

	private static final int IN_FLIGHT = 64;

	private static final int VIEWS = 8;

	private final long seed = System.nanoTime();

	private final SplittableRandom random = new SplittableRandom(this.seed);

	private final EngineTestSupport.RecordingMetrics metrics = new EngineTestSupport.RecordingMetrics();

	private final Semaphore inFlight = new Semaphore(IN_FLIGHT);

	private final Map<String, Expectation> expectations = new ConcurrentHashMap<>();

	private final EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks() {

		@Override
		public void onOutcome(String task, Outcome<?> outcome, View view) {
			super.onOutcome(task, outcome, view);
			ExactlyOneOutcomeTests.this.inFlight.release();
		}

	};

	private final ExecutorService pool = Executors.newFixedThreadPool(4, Thread.ofPlatform().name("pool-", 0).factory());

	private StrandEngine engine;

	private MemoryTabRegistry registry;

	private final Logger taskLogger = (Logger) LoggerFactory.getLogger(TaskRun.class);

	private Level taskLoggerLevel;

	@BeforeEach
	void quietExpectedCrashes() {
		this.taskLoggerLevel = this.taskLogger.getLevel();
		this.taskLogger.setLevel(Level.OFF); // thousands of crashes and lingering tasks are the point here
	}

	@AfterEach
	void closeEngine() throws InterruptedException {
		if (this.engine != null) {
			EngineTestSupport.shutDown(this.engine, this.registry);
		}
		this.pool.shutdownNow();
		assertThat(this.pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		this.taskLogger.setLevel(this.taskLoggerLevel);
	}

	@ParameterizedTest(name = "on {0}")
	@ValueSource(strings = { "virtual threads", "a four-thread pool" })
	void whenCancelRacesCompletionThenEveryTaskHasExactlyOneOutcome(String executor) throws InterruptedException {
		EngineSettings limits = EngineTestSupport.limits(1_000, 100_000, 100_000);
		this.engine = executor.equals("virtual threads") ? EngineTestSupport.engine(limits, this.metrics)
				: EngineTestSupport.engine(limits, this.pool, this.metrics);
		this.registry = new MemoryTabRegistry(this.engine);
		List<Slot> slots = new ArrayList<>();
		for (int i = 0; i < VIEWS; i++) {
			slots.add(newSlot(i));
		}
		for (int i = 0; i < TASKS; i++) {
			if (!this.inFlight.tryAcquire(EngineTestSupport.WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
				fail("Outcomes stopped arriving after " + i + " tasks (seed " + this.seed + "); missing: " + missing());
			}
			int index = this.random.nextInt(VIEWS);
			Slot slot = slots.get(index);
			slot.connectIfDue();
			if (run(slot, "t" + i)) {
				slots.set(index, newSlot(index));
			}
		}
		this.expectations.values().forEach((e) -> e.viewClosed |= slots.stream().anyMatch((slot) -> slot.view == e.view));
		slots.forEach((slot) -> slot.view.close(CancelReason.VIEW_CLOSED));
		// every view has closed, so every turn queued before its close (each plan's action) has run
		eventually().until(() -> this.registry.size() == 0);
		int expectedCallbacks = TASKS + (int) this.expectations.values().stream().filter((e) -> e.callbacks == 2).count();
		int expectedRuns = this.expectations.values().stream().mapToInt((e) -> e.runs).sum();
		eventually().until(() -> callbackCount() >= expectedCallbacks && this.metrics.total() >= expectedRuns);
		slots.forEach((slot) -> EngineTestSupport.drainMailbox(slot.view));
		eventually().until(() -> this.engine.runningBodies() == 0);

		assertThat(callbackCount()).as("callbacks (seed %d)", this.seed).isEqualTo(expectedCallbacks);
		assertThat(this.metrics.total()).as("taskEnded (seed %d)", this.seed).isEqualTo(expectedRuns);
		this.expectations.values().forEach(this::check);
		assertThat(this.engine.activeTasks()).isZero();
		assertThat(this.engine.lingeringTasks()).isZero();
		assertThat(this.registry.size()).isZero();
	}

	/** Start one task and race something against its end; return whether the view was closed. */
	private boolean run(Slot slot, String name) {
		TabActor view = slot.view;
		Body body = Body.values()[this.random.nextInt(Body.values().length)];
		Action action = pickAction(body);
		Expectation expectation = new Expectation(name, view);
		expectation.body = body;
		expectation.token = name + "#1";
		expectation.runs = 1;
		this.expectations.put(name, expectation);
		Body replacement = Body.values()[this.random.nextInt(Body.BLOCK.ordinal())]; // one that ends by itself
		int spin = this.random.nextInt(4) == 0 ? 0 : this.random.nextInt(2_000);
		view.execute(() -> {
			view.view().startAsync(name, task(body, expectation.token));
			if (action == Action.CANCEL_IN_SAME_TURN) {
				expectation.cancelSettled = view.view().cancelAsync(name);
			}
		});
		spin(spin);
		switch (action) {
			case CANCEL -> view.execute(() -> expectation.cancelSettled = view.view().cancelAsync(name));
			case REPLACE, CANCEL_THEN_REPLACE -> view.execute(() -> {
				boolean delivered = !this.callbacks.outcomes(name).isEmpty();
				if (action == Action.CANCEL_THEN_REPLACE) {
					view.view().cancelAsync(name); // dropped: the replacement below makes it stale at once
				}
				expectation.replaced(delivered, replacement);
				view.view().startAsync(name, task(replacement, expectation.token));
			});
			case CLOSE -> {
				this.expectations.values().stream().filter((e) -> e.view == view).forEach((e) -> e.viewClosed = true);
				view.close(CancelReason.VIEW_CLOSED);
				return true;
			}
			case NONE, CANCEL_IN_SAME_TURN -> {
			}
		}
		return false;
	}

	private Action pickAction(Body body) {
		while (true) {
			int roll = this.random.nextInt(100);
			Action action = (roll < 1) ? Action.CLOSE : (roll < 30) ? Action.CANCEL : (roll < 45) ? Action.REPLACE
					: (roll < 55) ? Action.CANCEL_THEN_REPLACE : (roll < 65) ? Action.CANCEL_IN_SAME_TURN : Action.NONE;
			if (body != Body.BLOCK || action != Action.NONE) {
				return action;
			}
		}
	}

	private AsyncTask<String> task(Body body, String token) {
		int spin = this.random.nextInt(2_000);
		return (task) -> switch (body) {
			case RETURN -> token;
			case SPIN -> {
				spin(spin);
				yield token;
			}
			case SWALLOW -> {
				for (int i = 0; i < spin; i++) {
					Thread.interrupted(); // ignores its interrupt and returns anyway
					Thread.onSpinWait();
				}
				yield token;
			}
			case FAIL -> throw task.fail(token);
			case THROW -> throw new Boom(token);
			case DIE -> throw new Death(token);
			case BLOCK -> {
				new CountDownLatch(1).await();
				yield token;
			}
		};
	}

	private void check(Expectation expected) {
		String about = expected.name + " " + expected + " (seed " + this.seed + ")";
		List<Outcome<?>> outcomes = this.callbacks.outcomes(expected.name);
		assertThat(outcomes).as(about).hasSize(expected.callbacks);
		assertThat(this.metrics.ended.get(expected.name)).as(about).hasSize(expected.runs);
		if (expected.callbacks == 2) {
			assertThat(fits(outcomes.get(0), expected.firstBody, expected.name + "#1", false, expected.viewClosed)).as(about)
				.isTrue();
		}
		Outcome<?> last = outcomes.getLast();
		if (Boolean.TRUE.equals(expected.cancelSettled)) {
			assertThat(last).as(about).isEqualTo(new Outcome.Cancelled<>(CancelReason.REQUESTED));
		}
		boolean cancelRequested = expected.cancelSettled != null;
		assertThat(fits(last, expected.body, expected.token, cancelRequested, expected.viewClosed)).as(about + ": " + last)
			.isTrue();
	}

	private static boolean fits(Outcome<?> outcome, Body body, String token, boolean cancelRequested, boolean viewClosed) {
		return switch (outcome) {
			case Outcome.Cancelled<?> cancelled -> (cancelled.reason() == CancelReason.REQUESTED && cancelRequested)
					|| (cancelled.reason() == CancelReason.VIEW_CLOSED && viewClosed);
			case Outcome.Ok<?> ok -> (body == Body.RETURN || body == Body.SPIN || body == Body.SWALLOW)
					&& token.equals(ok.value());
			case Outcome.Failed<?> failed -> body == Body.FAIL && token.equals(failed.reason());
			case Outcome.Exit<?> exit -> (body == Body.THROW && exit.error() instanceof Boom boom && token.equals(boom.getMessage()))
					|| (body == Body.DIE && exit.error() instanceof Death death && token.equals(death.getMessage()));
		};
	}

	private int callbackCount() {
		return this.callbacks.outcomes.values().stream().mapToInt(List::size).sum();
	}

	private List<String> missing() {
		return this.expectations.values()
			.stream()
			.filter((e) -> this.callbacks.outcomes(e.name).size() < e.callbacks)
			.map(Expectation::toString)
			.limit(10)
			.toList();
	}

	private Slot newSlot(int index) {
		TabActor view = this.registry.openLocal("session-" + index, SessionHandle.DETACHED, this.callbacks);
		// most views are connected at once; some only after a few of their tasks were started (or cancelled)
		int connectAfter = (this.random.nextInt(4) == 0) ? 1 + this.random.nextInt(20) : 0;
		Slot slot = new Slot(view, connectAfter);
		slot.connectIfDue();
		return slot;
	}

	private static void spin(int iterations) {
		for (int i = 0; i < iterations; i++) {
			Thread.onSpinWait();
		}
	}

	enum Body {

		RETURN, SPIN, SWALLOW, FAIL, THROW, DIE,
		/** Never ends by itself: its plan always cancels, replaces or closes. */
		BLOCK

	}

	enum Action {

		NONE, CANCEL, CANCEL_IN_SAME_TURN, REPLACE, CANCEL_THEN_REPLACE, CLOSE

	}

	private static final class Slot {

		final TabActor view;

		private int connectAfter;

		Slot(TabActor view, int connectAfter) {
			this.view = view;
			this.connectAfter = connectAfter;
		}

		void connectIfDue() {
			if (this.connectAfter-- == 0) {
				this.view.connect(0, () -> {
				}, (subscription) -> {
				});
			}
		}

	}

	/** What one task name must end with. Written on the view's mailbox or before its first turn. */
	private static final class Expectation {

		final String name;

		final TabActor view;

		volatile Body body;

		volatile Body firstBody;

		volatile String token;

		volatile int runs;

		volatile int callbacks = 1;

		volatile Boolean cancelSettled;

		volatile boolean viewClosed;

		Expectation(String name, TabActor view) {
			this.name = name;
			this.view = view;
		}

		void replaced(boolean firstDelivered, Body replacement) {
			this.firstBody = this.body;
			this.body = replacement;
			this.token = this.name + "#2";
			this.runs = 2;
			this.callbacks = firstDelivered ? 2 : 1;
		}

		@Override
		public String toString() {
			return "[body=" + this.body + ", first=" + this.firstBody + ", runs=" + this.runs + ", callbacks="
					+ this.callbacks + ", cancelSettled=" + this.cancelSettled + ", viewClosed=" + this.viewClosed + "]";
		}

	}

	static final class Boom extends RuntimeException {

		Boom(String message) {
			super(message, null, false, false);
		}

	}

	static final class Death extends Error {

		Death(String message) {
			super(message, null, false, false);
		}

	}

}
