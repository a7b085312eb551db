package dev.strand.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import dev.strand.AsyncTask;
import dev.strand.CancelReason;

import static dev.strand.internal.EngineTestSupport.connect;
import static dev.strand.internal.EngineTestSupport.drainMailbox;
import static dev.strand.internal.EngineTestSupport.eventually;
import static dev.strand.internal.EngineTestSupport.inTurn;
import static org.assertj.core.api.Assertions.assertThat;

/** Nothing is left behind: after many start/cancel and open/close cycles, every count is back to zero. */
class NoLeakTests {

	private static final int START_CANCEL_CYCLES = 10_000;

	private static final int VIEW_CYCLES = 1_000;

	private final SplittableRandom random = new SplittableRandom();

	private final EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks();

	private final EngineTestSupport.RecordingMetrics metrics = new EngineTestSupport.RecordingMetrics();

	private final StrandEngine engine = EngineTestSupport.engine(EngineSettings.defaults(), this.metrics);

	private final MemoryTabRegistry registry = new MemoryTabRegistry(this.engine);

	private final Logger taskLogger = (Logger) LoggerFactory.getLogger(TaskRun.class);

	private Level taskLoggerLevel;

	@BeforeEach
	void quietExpectedLingering() {
		this.taskLoggerLevel = this.taskLogger.getLevel();
		this.taskLogger.setLevel(Level.WARN);
	}

	@AfterEach
	void closeEngine() {
		EngineTestSupport.shutDown(this.engine, this.registry);
		this.taskLogger.setLevel(this.taskLoggerLevel);
	}

	private AsyncTask<String> anyBody() {
		return switch (this.random.nextInt(4)) {
			case 0 -> (task) -> "quick";
			case 1 -> (task) -> {
				new CountDownLatch(1).await(); // until cancelled
				return "unreachable";
			};
			case 2 -> (task) -> {
				for (int i = 0; i < 1_000; i++) {
					Thread.interrupted(); // ignores its interrupt for a while
					Thread.onSpinWait();
				}
				return "late";
			};
			default -> (task) -> {
				task.push("chunk");
				task.progress(1, 2);
				return "pushed";
			};
		};
	}

	@Test
	void whenTasksAreStartedAndCancelledManyTimesThenNothingIsLeftRunning() {
		TabActor view = this.registry.openLocal("session", SessionHandle.DETACHED, this.callbacks);
		connect(view);
		GaugeWatcher watcher = GaugeWatcher.start(this.engine);
		for (int i = 0; i < START_CANCEL_CYCLES; i++) {
			String name = "job-" + this.random.nextInt(8);
			AsyncTask<String> body = anyBody();
			boolean cancelInSameTurn = this.random.nextBoolean();
			view.execute(() -> {
				view.view().startAsync(name, body);
				if (cancelInSameTurn) {
					view.view().cancelAsync(name);
				}
			});
			view.execute(() -> view.view().cancelAsync(name));
			if (i % 500 == 0) {
				drainMailbox(view); // keep the queue short
			}
		}
		drainMailbox(view);
		eventually().until(() -> this.engine.runningBodies() == 0);
		drainMailbox(view);
		watcher.stop();
		assertThat(watcher.negative).as("the gauge that read below zero").isNull();
		assertThat(this.metrics.total()).as("tasks that ended").isEqualTo(START_CANCEL_CYCLES);
		assertThat(this.engine.activeTasks()).isZero();
		assertThat(this.engine.lingeringTasks()).isZero();
		assertThat(inTurn(view, view::taskCount)).isZero();
		view.close(CancelReason.VIEW_CLOSED);
		eventually().until(() -> this.registry.size() == 0 && this.registry.sessionCount() == 0);
	}

	@Test
	void whenViewsAreOpenedAndClosedManyTimesThenNothingIsLeftBehind() {
		for (int i = 0; i < VIEW_CYCLES; i++) {
			TabActor view = this.registry.openLocal("session-" + (i % 50), SessionHandle.DETACHED, this.callbacks);
			boolean connected = this.random.nextInt(4) != 0;
			if (connected) {
				view.connect(0, () -> {
				}, (subscription) -> {
				});
			}
			AsyncTask<String> body = anyBody();
			view.execute(() -> view.view().startAsync("job", body).assignAsync("org", () -> "acme"));
			switch (this.random.nextInt(3)) {
				case 0 -> view.close(CancelReason.VIEW_CLOSED);
				case 1 -> this.registry.closeSession(view.sessionKey());
				default -> view.execute(() -> view.close(CancelReason.VIEW_CLOSED));
			}
			if (this.registry.size() > 100) { // keep the number of open views bounded
				eventually().until(() -> this.registry.size() < 20);
			}
		}
		eventually().until(() -> this.registry.size() == 0 && this.registry.sessionCount() == 0);
		eventually().until(() -> this.engine.runningBodies() == 0);
		assertThat(this.engine.activeTasks()).isZero();
		assertThat(this.engine.lingeringTasks()).isZero();
		assertThat(this.metrics.total()).as("tasks that ended").isEqualTo(2 * VIEW_CYCLES);
	}

	@Test
	void whenViewsConnectThenTheyHoldNoTimer() {
		int before = this.engine.pendingTimers();
		List<TabActor> views = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			views.add(this.registry.openLocal("session-" + i, SessionHandle.DETACHED, this.callbacks));
		}
		assertThat(this.engine.pendingTimers()).as("connect timeouts while the views wait").isEqualTo(before + 100);
		views.forEach(EngineTestSupport::connect);
		views.forEach(EngineTestSupport::drainMailbox);
		assertThat(this.engine.pendingTimers()).as("timers left once every view connected").isEqualTo(before);
		views.forEach((view) -> view.close(CancelReason.VIEW_CLOSED));
		eventually().until(() -> this.registry.size() == 0);
	}

	@Test
	void whenViewsOfOneSessionOpenAndCloseConcurrentlyThenClosingTheSessionStillFindsEveryOne() throws Exception {
		StrandEngine engine = EngineTestSupport.engine(EngineTestSupport.limits(100_000, 64, 10_000), StrandMetrics.NONE);
		try {
			List<TabActor> kept = new CopyOnWriteArrayList<>();
			List<Thread> threads = new ArrayList<>();
			for (int t = 0; t < 4; t++) {
				threads.add(Thread.ofPlatform().start(() -> {
					SplittableRandom random = new SplittableRandom();
					for (int i = 0; i < VIEW_CYCLES / 4; i++) {
						TabActor view = registry.openLocal("alice", SessionHandle.DETACHED, this.callbacks);
						if (random.nextInt(4) == 0) {
							kept.add(view);
						}
						else {
							view.close(CancelReason.VIEW_CLOSED);
						}
					}
				}));
			}
			for (Thread thread : threads) {
				thread.join();
			}
			registry.closeSession("alice");
			eventually().until(() -> kept.stream().allMatch(TabActor::isClosed) && registry.size() == 0
					&& registry.sessionCount() == 0);
		}
		finally {
			engine.close();
		}
	}

	/** Reads the gauges all the time, as a metrics scrape might, and remembers whether one went negative. */
	private static final class GaugeWatcher implements Runnable {

		private final StrandEngine engine;

		private final Thread thread;

		private volatile boolean stopped;

		volatile @Nullable String negative;

		private GaugeWatcher(StrandEngine engine) {
			this.engine = engine;
			this.thread = Thread.ofPlatform().name("gauge-watcher").daemon().unstarted(this);
		}

		static GaugeWatcher start(StrandEngine engine) {
			GaugeWatcher watcher = new GaugeWatcher(engine);
			watcher.thread.start();
			return watcher;
		}

		@Override
		public void run() {
			while (!this.stopped) {
				if (this.engine.lingeringTasks() < 0) {
					this.negative = "lingeringTasks";
				}
				if (this.engine.runningBodies() < 0) {
					this.negative = "runningBodies";
				}
				if (this.engine.activeTasks() < 0) {
					this.negative = "activeTasks";
				}
				Thread.yield();
			}
		}

		void stop() {
			this.stopped = true;
			try {
				this.thread.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
