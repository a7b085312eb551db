package dev.strand.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.strand.AsyncOptions;
import dev.strand.AsyncResult;
import dev.strand.AsyncTask;
import dev.strand.CancelReason;
import dev.strand.Outcome;
import dev.strand.View;
import dev.strand.Progress;
import dev.strand.TaskTimeoutException;

import static dev.strand.internal.EngineTestSupport.connect;
import static dev.strand.internal.EngineTestSupport.drainMailbox;
import static dev.strand.internal.EngineTestSupport.eventually;
import static dev.strand.internal.EngineTestSupport.inTurn;
import static dev.strand.internal.EngineTestSupport.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * LiveView's {@code start_async} scenarios, run against the engine: one outcome per task, delivered to
 * {@code @HandleAsync} on the view's mailbox.
 */
class StartAsyncTests {

	private final EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks("unhandled");

	private StrandEngine engine = StrandEngine.withDefaults();

	private MemoryTabRegistry registry = new MemoryTabRegistry(this.engine);

	@AfterEach
	void closeEngine() {
		EngineTestSupport.shutDown(this.engine, this.registry);
	}

	private TabActor connectedView() {
		TabActor view = this.registry.openLocal("session", SessionHandle.DETACHED, this.callbacks);
		connect(view);
		return view;
	}

	@Test
	void whenTaskReturnsThenHandleAsyncGetsOk() {
		TabActor view = connectedView();
		inTurn(view, () -> view.view().startAsync("job", (task) -> "done"));
		assertThat(this.callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Ok<>("done"));
	}

	@Test
	void whenTaskReturnsNullThenHandleAsyncGetsOkWithNull() {
		TabActor view = connectedView();
		inTurn(view, () -> view.view().startAsync("job", (task) -> null));
		assertThat(this.callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Ok<>(null));
	}

	@Test
	void whenTaskFailsWithAReasonThenHandleAsyncGetsFailed() {
		TabActor view = connectedView();
		inTurn(view, () -> view.view().startAsync("job", (task) -> {
			throw task.fail("quota exceeded");
		}));
		Outcome<?> outcome = this.callbacks.awaitOutcome("job");
		assertThat(outcome).isInstanceOfSatisfying(Outcome.Failed.class, (failed) -> {
			assertThat(failed.reason()).isEqualTo("quota exceeded");
			assertThat(failed.ref()).isNotBlank();
		});
	}

	@Test
	void whenTaskThrowsThenHandleAsyncGetsExit() {
		TabActor view = connectedView();
		IllegalStateException boom = new IllegalStateException("boom");
		inTurn(view, () -> view.view().startAsync("job", (task) -> {
			throw boom;
		}));
		Outcome<?> outcome = this.callbacks.awaitOutcome("job");
		assertThat(outcome).isInstanceOfSatisfying(Outcome.Exit.class, (exit) -> {
			assertThat(exit.error()).isSameAs(boom);
			assertThat(exit.timedOut()).isFalse();
			assertThat(exit.ref()).isNotBlank();
		});
	}

	@Test
	void whenTaskThreadDiesThenHandleAsyncGetsExitAndTheViewKeepsRunning() {
		TabActor view = connectedView();
		Error death = new StackOverflowError("thread died");
		inTurn(view, () -> view.view().startAsync("job", (task) -> {
			throw death;
		}));
		assertThat(this.callbacks.awaitOutcome("job")).isInstanceOfSatisfying(Outcome.Exit.class,
				(exit) -> assertThat(exit.error()).isSameAs(death));
		inTurn(view, () -> view.view().startAsync("again", (task) -> "still alive"));
		assertThat(this.callbacks.awaitOutcome("again")).isEqualTo(new Outcome.Ok<>("still alive"));
		assertThat(view.isClosed()).isFalse();
	}

	@Test
	void whenTaskIsCancelledThenHandleAsyncGetsCancelledAndTheBodyIsInterrupted() {
		TabActor view = connectedView();
		Blocking body = new Blocking();
		inTurn(view, () -> view.view().startAsync("job", body));
		body.awaitStarted();
		assertThat(inTurn(view, () -> view.view().cancelAsync("job"))).isTrue();
		assertThat(this.callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Cancelled<>(CancelReason.REQUESTED));
		assertThat(join(body.interrupted)).isTrue();
		eventually().until(() -> this.engine.runningBodies() == 0);
		drainMailbox(view);
		assertThat(this.callbacks.outcomes("job")).hasSize(1);
		assertThat(inTurn(view, () -> view.view().isRunning("job"))).isFalse();
		assertThat(inTurn(view, () -> view.view().cancelAsync("job"))).isFalse();
	}

	@Test
	void whenATaskIsCancelledWithAReasonThenHandleAsyncGetsItBesideRequestedAndThePageDoesNot() {
		TabActor view = this.registry.openLocal("session", SessionHandle.DETACHED, this.callbacks);
		EngineTestSupport.Stream stream = connect(view);
		Blocking body = new Blocking();
		inTurn(view, () -> view.view().startAsync("job", body));
		body.awaitStarted();
		assertThat(inTurn(view, () -> view.view().cancelAsync("job", "the user left"))).isTrue();
		assertThat(this.callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Cancelled<>(CancelReason.REQUESTED, "the user left"));
		assertThat(join(body.interrupted)).isTrue();
		assertThat(inTurn(view, () -> view.view().cancelAsync("job", "again"))).isFalse();
		drainMailbox(view);
		assertThat(this.callbacks.outcomes("job")).hasSize(1);
		eventually().until(() -> !stream.ofType("outcome").isEmpty());
		assertThat(stream.ofType("outcome")).singleElement()
			.satisfies((event) -> assertThat(event.data()).contains("\"reason\":\"requested\"").doesNotContain("the user left"));
	}

	@Test
	void whenNothingRunsThenCancelAsyncReturnsFalse() {
		TabActor view = connectedView();
		assertThat(inTurn(view, () -> view.view().cancelAsync("job"))).isFalse();
	}

	@Test
	void whenViewClosesThenItsTasksAreCancelledAndInterrupted() {
		TabActor view = connectedView();
		Blocking first = new Blocking();
		Blocking second = new Blocking();
		inTurn(view, () -> view.view().startAsync("first", first).startAsync("second", second));
		first.awaitStarted();
		second.awaitStarted();
		view.close(CancelReason.VIEW_CLOSED);
		assertThat(this.callbacks.awaitOutcome("first")).isEqualTo(new Outcome.Cancelled<>(CancelReason.VIEW_CLOSED));
		assertThat(this.callbacks.awaitOutcome("second")).isEqualTo(new Outcome.Cancelled<>(CancelReason.VIEW_CLOSED));
		assertThat(join(first.interrupted)).isTrue();
		assertThat(join(second.interrupted)).isTrue();
		assertThat(view.isClosed()).isTrue();
		assertThat(this.registry.size()).isZero();
		assertThat(this.registry.findLocal("session", null, view.id()).status())
			.isEqualTo(TabRegistry.Lookup.Status.GONE);
		eventually().until(() -> this.engine.runningBodies() == 0 && this.engine.activeTasks() == 0);
	}

	@Test
	void whenTaskIsStartedAgainThenTheLaterStartWinsAndTheEarlierIsInterrupted() {
		TabActor view = connectedView();
		CountDownLatch release = new CountDownLatch(1);
		SwallowsInterrupts first = new SwallowsInterrupts(release, "stale");
		inTurn(view, () -> view.view().startAsync("job", first));
		first.awaitStarted();
		inTurn(view, () -> view.view().startAsync("job", (task) -> "fresh"));
		assertThat(this.callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Ok<>("fresh"));
		eventually().until(() -> first.interrupts.get() > 0);
		release.countDown(); // the stale body now returns its value
		eventually().until(() -> this.engine.runningBodies() == 0);
		drainMailbox(view);
		assertThat(this.callbacks.outcomes("job")).containsExactly(new Outcome.Ok<>("fresh"));
	}

	@Test
	void whenAnEndedTaskIsReplacedBeforeItsOutcomeIsDeliveredThenItsResultIsDropped() {
		EngineTestSupport.RecordingMetrics metrics = new EngineTestSupport.RecordingMetrics();
		EngineTestSupport.shutDown(this.engine, this.registry);
		this.engine = EngineTestSupport.engine(EngineSettings.defaults(), metrics);
		this.registry = new MemoryTabRegistry(this.engine);
		TabActor view = connectedView();
		CountDownLatch go = new CountDownLatch(1);
		inTurn(view, () -> view.view().startAsync("job", (task) -> {
			go.await();
			return "stale";
		}));
		inTurn(view, () -> {
			go.countDown();
			// the first run ends while this turn holds the mailbox: its outcome waits behind this turn
			eventually().until(() -> metrics.ended.containsKey("job"));
			view.view().startAsync("job", (task) -> "fresh");
		});
		assertThat(this.callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Ok<>("fresh"));
		drainMailbox(view);
		assertThat(this.callbacks.outcomes("job")).containsExactly(new Outcome.Ok<>("fresh"));
		assertThat(metrics.ended.get("job")).containsExactly(Outcome.Kind.OK, Outcome.Kind.OK);
	}

	@Test
	void whenControllerHasNoHandleAsyncThenStartAsyncFailsClearly() {
		TabActor view = connectedView();
		assertThatIllegalStateException().isThrownBy(() -> inTurn(view, () -> view.view().startAsync("unhandled", (task) -> 1)))
			.withMessageContaining("startAsync(\"unhandled\")")
			.withMessageContaining("@HandleAsync(\"unhandled\")")
			.withMessageContaining("RecordingCallbacks");
		assertThat(this.engine.activeTasks()).isZero();
		assertThat(inTurn(view, () -> view.view().isRunning("unhandled"))).isFalse();
	}

	@Test
	void whenViewIsNotConnectedThenNoTaskRunsUntilItIs() {
		RecordingExecutor executor = new RecordingExecutor();
		EngineTestSupport.shutDown(this.engine, this.registry);
		this.engine = EngineTestSupport.engine(EngineSettings.defaults(), executor, StrandMetrics.NONE);
		this.registry = new MemoryTabRegistry(this.engine);
		TabActor view = this.registry.openLocal("session", SessionHandle.DETACHED, this.callbacks);
		inTurn(view, () -> view.view().assign("job", AsyncResult.idle()).startAsync("job", (task) -> "done"));
		assertThat(executor.executed).hasValue(0);
		assertThat(this.engine.activeTasks()).isZero();
		assertThat(inTurn(view, () -> view.view().isRunning("job"))).isTrue();
		assertThat(inTurn(view, () -> view.view().<AsyncResult<?>>get("job"))).isEqualTo(AsyncResult.pending());
		assertThat(view.isConnected()).isFalse();
		connect(view);
		assertThat(view.isConnected()).isTrue();
		assertThat(this.callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Ok<>("done"));
		assertThat(executor.executed).hasValue(1);
		assertThat(inTurn(view, () -> view.view().<AsyncResult<?>>get("job"))).isEqualTo(AsyncResult.ok("done"));
	}

	@Test
	void whenTaskFollowsAnAsyncResultAssignThenItShowsLoadingProgressAndOk() {
		TabActor view = connectedView();
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch reported = new CountDownLatch(1);
		inTurn(view, () -> view.view().assign("job", AsyncResult.ok("previous")).startAsync("job", (task) -> {
			task.progress(3, 4);
			reported.countDown();
			release.await();
			return "next";
		}));
		AsyncResult<?> loading = inTurn(view, () -> view.view().get("job"));
		assertThat(loading.loading()).isTrue();
		assertThat(loading.ok()).isTrue();
		assertThat(loading.result()).isEqualTo("previous");
		await(reported);
		eventually().until(() -> inTurn(view, () -> view.view().<AsyncResult<?>>get("job")).progress() != null);
		assertThat(inTurn(view, () -> view.view().<AsyncResult<?>>get("job")).progress()).isEqualTo(new Progress(3, 4));
		release.countDown();
		this.callbacks.awaitOutcome("job");
		assertThat(inTurn(view, () -> view.view().<AsyncResult<?>>get("job"))).isEqualTo(AsyncResult.ok("next"));
	}

	@Test
	void whenTaskRunsPastItsTimeoutThenItExitsWithATimeoutAndIsInterrupted() {
		TabActor view = connectedView();
		Blocking body = new Blocking();
		inTurn(view, () -> view.view().assign("job", AsyncResult.idle())
			.startAsync("job", AsyncOptions.timeout(Duration.ofMillis(50)), body));
		Outcome<?> outcome = this.callbacks.awaitOutcome("job");
		assertThat(outcome).isInstanceOfSatisfying(Outcome.Exit.class, (exit) -> {
			assertThat(exit.timedOut()).isTrue();
			assertThat(exit.error()).isInstanceOfSatisfying(TaskTimeoutException.class,
					(timeout) -> assertThat(timeout.getTimeout()).isEqualTo(Duration.ofMillis(50)));
			assertThat(exit.error()).hasMessageContaining("strand.tasks.timeout");
		});
		assertThat(join(body.interrupted)).isTrue();
		AsyncResult<?> result = inTurn(view, () -> view.view().get("job"));
		assertThat(result.loading()).isFalse();
		assertThat(result.failed()).isNotNull();
		assertThat(result.failed().code()).isEqualTo("timeout");
		assertThat(result.failed().kind()).isEqualTo(Outcome.Kind.EXIT);
	}

	@Test
	void whenTaskSwallowsItsInterruptThenItIsReportedCancelledAtOnceAndCountedAsLingeringUntilItEnds() {
		List<Integer> lingeringWhenReported = new ArrayList<>();
		EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks() {

			@Override
			public void onOutcome(String task, Outcome<?> outcome, dev.strand.View view) {
				lingeringWhenReported.add(StartAsyncTests.this.engine.lingeringTasks());
				super.onOutcome(task, outcome, view);
			}

		};
		TabActor view = this.registry.openLocal("session", SessionHandle.DETACHED, callbacks);
		connect(view);
		CountDownLatch release = new CountDownLatch(1);
		SwallowsInterrupts body = new SwallowsInterrupts(release, "late");
		inTurn(view, () -> view.view().startAsync("job", body));
		body.awaitStarted();
		inTurn(view, () -> view.view().cancelAsync("job"));
		assertThat(callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Cancelled<>(CancelReason.REQUESTED));
		assertThat(lingeringWhenReported).containsExactly(1);
		assertThat(this.engine.lingeringTasks()).isEqualTo(1);
		assertThat(this.engine.runningBodies()).isEqualTo(1);
		assertThat(this.engine.activeTasks()).isZero();
		release.countDown();
		eventually().until(() -> this.engine.lingeringTasks() == 0 && this.engine.runningBodies() == 0);
		drainMailbox(view);
		assertThat(callbacks.outcomes("job")).hasSize(1);
	}

	@Test
	void whenTaskThatSwallowsItsInterruptTimesOutThenItsExitAlreadyCountsItAsLingering() {
		List<Integer> lingeringWhenReported = new ArrayList<>();
		EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks() {

			@Override
			public void onOutcome(String task, Outcome<?> outcome, dev.strand.View view) {
				lingeringWhenReported.add(StartAsyncTests.this.engine.lingeringTasks());
				super.onOutcome(task, outcome, view);
			}

		};
		TabActor view = this.registry.openLocal("session", SessionHandle.DETACHED, callbacks);
		connect(view);
		CountDownLatch release = new CountDownLatch(1);
		SwallowsInterrupts body = new SwallowsInterrupts(release, "late");
		inTurn(view, () -> view.view().startAsync("job", AsyncOptions.timeout(Duration.ofMillis(20)), body));
		assertThat(callbacks.awaitOutcome("job")).isInstanceOfSatisfying(Outcome.Exit.class,
				(exit) -> assertThat(exit.timedOut()).isTrue());
		assertThat(lingeringWhenReported).containsExactly(1);
		release.countDown();
		eventually().until(() -> this.engine.lingeringTasks() == 0 && this.engine.runningBodies() == 0);
	}

	@Test
	void whenViewIsUsedOutsideATurnThenItThrows() {
		TabActor view = connectedView();
		// the connect's own turn may still be ending (a turn's waiter is woken before it ends), and a view used then is
		// not caught: wait until a read is refused
		EngineTestSupport.eventually()
			.untilAsserted(() -> assertThatIllegalStateException().isThrownBy(() -> view.view().get("key")));
		assertThatIllegalStateException().isThrownBy(() -> view.view().assign("key", 1))
			.withMessageContaining("outside its mailbox");
		assertThatIllegalStateException().isThrownBy(() -> view.view().startAsync("job", (task) -> 1))
			.withMessageContaining("outside its mailbox");
		assertThatIllegalStateException().isThrownBy(() -> view.view().get("key"));
		assertThatIllegalStateException().isThrownBy(() -> view.view().cancelAsync("job"));
		assertThat(this.engine.activeTasks()).isZero();
	}

	@Test
	void whenTaskUsesTheViewThenItExitsWithAClearError() {
		TabActor view = connectedView();
		inTurn(view, () -> view.view().startAsync("job", (task) -> {
			view.view().assign("sneaky", 1);
			return "unreachable";
		}));
		Outcome<?> outcome = this.callbacks.awaitOutcome("job");
		assertThat(outcome).isInstanceOfSatisfying(Outcome.Exit.class, (exit) -> assertThat(exit.error())
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("outside its mailbox")
			.hasMessageContaining("@HandleChunk"));
		assertThat(inTurn(view, () -> view.view().assigns())).doesNotContainKey("sneaky");
	}

	@Test
	void whenHandleAsyncThrowsThenTheViewKeepsRunning() {
		EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks() {

			@Override
			public void onOutcome(String task, Outcome<?> outcome, dev.strand.View view) {
				super.onOutcome(task, outcome, view);
				if (task.equals("bad")) {
					throw new IllegalStateException("callback bug");
				}
			}

		};
		TabActor view = this.registry.openLocal("session", SessionHandle.DETACHED, callbacks);
		connect(view);
		inTurn(view, () -> view.view().startAsync("bad", (task) -> 1));
		callbacks.awaitOutcome("bad");
		inTurn(view, () -> view.view().startAsync("good", (task) -> 2));
		assertThat(callbacks.awaitOutcome("good")).isEqualTo(new Outcome.Ok<>(2));
		assertThat(view.isClosed()).isFalse();
	}

	static void await(CountDownLatch latch) {
		try {
			assertThat(latch.await(EngineTestSupport.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A body that blocks until it is interrupted. */
	static final class Blocking implements AsyncTask<String> {

		final CountDownLatch started = new CountDownLatch(1);

		final CompletableFuture<Boolean> interrupted = new CompletableFuture<>();

		@Override
		public String run(dev.strand.TaskContext task) throws Exception {
			this.started.countDown();
			try {
				new CountDownLatch(1).await();
			}
			catch (InterruptedException ex) {
				this.interrupted.complete(true);
				throw ex;
			}
			return "unreachable";
		}

		void awaitStarted() {
			await(this.started);
		}

	}

	/** A body that ignores interrupts until it is released, then returns a value. */
	static final class SwallowsInterrupts implements AsyncTask<String> {

		final CountDownLatch started = new CountDownLatch(1);

		final AtomicInteger interrupts = new AtomicInteger();

		private final CountDownLatch release;

		private final String value;

		SwallowsInterrupts(CountDownLatch release, String value) {
			this.release = release;
			this.value = value;
		}

		@Override
		public String run(dev.strand.TaskContext task) {
			this.started.countDown();
			while (true) {
				try {
					if (this.release.await(EngineTestSupport.WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
						return this.value;
					}
				}
				catch (InterruptedException ex) {
					this.interrupts.incrementAndGet(); // swallowed, as badly written code does
				}
			}
		}

		void awaitStarted() {
			await(this.started);
		}

	}

	/** Runs tasks on virtual threads and counts them. */
	static final class RecordingExecutor implements Executor {

		final AtomicInteger executed = new AtomicInteger();

		private final Executor delegate = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().factory());

		@Override
		public void execute(Runnable command) {
			this.executed.incrementAndGet();
			this.delegate.execute(command);
		}

	}

}
