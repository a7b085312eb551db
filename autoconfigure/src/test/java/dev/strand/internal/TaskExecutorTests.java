package dev.strand.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.context.ContextRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

import dev.strand.AsyncOptions;
import dev.strand.AsyncResult;
import dev.strand.CancelReason;
import dev.strand.Outcome;
import tools.jackson.databind.json.JsonMapper;

import static dev.strand.internal.EngineTestSupport.connect;
import static dev.strand.internal.EngineTestSupport.drainMailbox;
import static dev.strand.internal.EngineTestSupport.eventually;
import static dev.strand.internal.EngineTestSupport.inTurn;
import static dev.strand.internal.EngineTestSupport.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * A task on an executor its options choose (LiveView's {@code supervisor:}): linking, cancel, timeout, one
 * outcome, metrics and context work as on the default one, and a refusal is an outcome, not a hang.
 */
class TaskExecutorTests {

	/** A one-thread pool with a queue: the second task waits for the first. */
	private final ThreadPoolExecutor reports = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
			Thread.ofPlatform().name("reports-", 0).factory());

	/** A one-thread pool without a queue, which refuses a second task. */
	private final ThreadPoolExecutor bounded = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new SynchronousQueue<>(),
			Thread.ofPlatform().name("bounded-", 0).factory());

	private final ExecutorService virtual = Executors
		.newThreadPerTaskExecutor(Thread.ofVirtual().name("test-task-", 0).factory());

	private final EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks();

	private final EngineTestSupport.RecordingMetrics metrics = new EngineTestSupport.RecordingMetrics();

	private final StrandEngine engine = new StrandEngine(EngineSettings.defaults(),
			EngineTestSupport.executors(this.virtual, Map.of("reports", this.reports, "bounded", this.bounded)),
			ObservationRegistry.NOOP, this.metrics, JsonMapper.builder().build(), RingMemory.HEAP);

	private final MemoryTabRegistry registry = new MemoryTabRegistry(this.engine);

	@AfterEach
	void shutDown() throws InterruptedException {
		EngineTestSupport.shutDown(this.engine, this.registry);
		for (ExecutorService executor : List.of(this.reports, this.bounded, this.virtual)) {
			executor.shutdownNow();
			assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	private TabActor connectedView() {
		TabActor view = this.registry.openLocal("session", SessionHandle.DETACHED, this.callbacks);
		connect(view);
		return view;
	}

	@Test
	void whenAStartNamesAnExecutorThenTheTaskRunsOnItAndIsMeasuredUnderItsName() {
		TabActor view = connectedView();
		inTurn(view, () -> view.view()
			.startAsync("export", AsyncOptions.executor("reports"), (task) -> Thread.currentThread())
			.startAsync("job", (task) -> Thread.currentThread()));
		Thread export = (Thread) ((Outcome.Ok<?>) this.callbacks.awaitOutcome("export")).value();
		Thread job = (Thread) ((Outcome.Ok<?>) this.callbacks.awaitOutcome("job")).value();
		assertThat(export.isVirtual()).isFalse();
		eventually().untilAsserted(() -> assertThat(export.getName()).isEqualTo("reports-0")); // given back its name
		assertThat(job.isVirtual()).isTrue();
		eventually().until(() -> this.metrics.total() == 2);
		assertThat(this.metrics.executors).containsEntry("export", List.of("reports"))
			.containsEntry("job", List.of(TaskExecutors.DEFAULT_NAME));
	}

	@Test
	void whenAStartPassesAnExecutorThenTheTaskRunsOnItAndIsMeasuredUnderItsBeanNameOrOther() {
		TabActor view = connectedView();
		ExecutorService adHoc = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("ad-hoc").factory());
		try {
			inTurn(view, () -> view.view()
				.startAsync("export", AsyncOptions.executor(this.reports), (task) -> Thread.currentThread().isVirtual())
				.assignAsync("org", AsyncOptions.executor(adHoc), () -> Thread.currentThread().isVirtual()));
			assertThat(this.callbacks.awaitOutcome("export")).isEqualTo(new Outcome.Ok<>(false));
			eventually().until(() -> this.metrics.total() == 2);
			assertThat(inTurn(view, () -> view.view().<Object>get("org"))).isEqualTo(AsyncResult.ok(false));
			assertThat(this.metrics.executors).containsEntry("export", List.of("reports"))
				.containsEntry("assignAsync", List.of(TaskExecutors.OTHER));
		}
		finally {
			adHoc.shutdownNow();
		}
	}

	@Test
	void whenAStartNamesAnExecutorThatDoesNotExistThenItFailsAtTheCallAndChangesNothing() {
		TabActor view = connectedView();
		inTurn(view, () -> view.view().assignAsync("org", () -> "Acme"));
		eventually().until(() -> AsyncResult.ok("Acme").equals(inTurn(view, () -> view.view().get("org"))));
		StartAsyncTests.Blocking job = new StartAsyncTests.Blocking();
		inTurn(view, () -> view.view().startAsync("job", job));
		job.awaitStarted();
		inTurn(view, () -> {
			assertThatIllegalArgumentException()
				.isThrownBy(() -> view.view().assignAsync("org", AsyncOptions.reset().withExecutor("reprots"), () -> "Other"))
				.withMessageContaining("'reprots'");
			assertThatIllegalArgumentException()
				.isThrownBy(() -> view.view().startAsync("job", AsyncOptions.executor("reprots"), (task) -> "replacement"))
				.withMessageContaining("'reprots'");
		});
		assertThat(inTurn(view, () -> view.view().<Object>get("org"))).isEqualTo(AsyncResult.ok("Acme"));
		assertThat(inTurn(view, () -> view.view().isRunning("job"))).isTrue();
		assertThat(job.interrupted).isNotDone();
		assertThat(this.callbacks.outcomes("job")).isEmpty();
	}

	@Test
	void whenATaskIsCancelledWhileQueuedOnAOneThreadPoolThenItEndsCancelledAtOnceAndNeverRuns() {
		TabActor view = connectedView();
		StartAsyncTests.Blocking first = new StartAsyncTests.Blocking();
		AtomicBoolean queuedRan = new AtomicBoolean();
		inTurn(view, () -> view.view().startAsync("first", AsyncOptions.executor("reports"), first));
		first.awaitStarted();
		inTurn(view, () -> view.view().startAsync("queued", AsyncOptions.executor("reports"), (task) -> {
			queuedRan.set(true);
			return "ran";
		}));
		assertThat(this.reports.getQueue()).hasSize(1);
		assertThat(this.engine.activeTasks()).isEqualTo(2);

		assertThat(inTurn(view, () -> view.view().cancelAsync("queued"))).isTrue();
		assertThat(this.callbacks.awaitOutcome("queued")).isEqualTo(new Outcome.Cancelled<>(CancelReason.REQUESTED));
		assertThat(inTurn(view, () -> view.view().isRunning("first"))).isTrue(); // the pool's thread is still busy
		assertThat(this.engine.activeTasks()).isEqualTo(1);

		inTurn(view, () -> view.view().cancelAsync("first"));
		assertThat(join(first.interrupted)).isTrue();
		eventually().until(() -> this.reports.getCompletedTaskCount() == 2); // the queued one was taken, and did nothing
		assertThat(queuedRan).isFalse();
		drainMailbox(view);
		assertThat(this.callbacks.outcomes("queued")).hasSize(1);
		assertThat(this.metrics.ended).containsEntry("queued", List.of(Outcome.Kind.CANCELLED));
		assertThat(this.metrics.executors).containsEntry("queued", List.of("reports"));
		assertThat(this.engine.activeTasks()).isZero();
		assertThat(this.engine.runningBodies()).isZero();
		assertThat(this.engine.lingeringTasks()).isZero();
	}

	@Test
	void whenAFullPoolRefusesATaskThenItEndsWithARejectedExitThatNamesTheExecutor() {
		TabActor view = connectedView();
		StartAsyncTests.Blocking first = new StartAsyncTests.Blocking();
		inTurn(view, () -> view.view().startAsync("first", AsyncOptions.executor("bounded"), first));
		first.awaitStarted();
		inTurn(view, () -> view.view()
			.startAsync("second", AsyncOptions.executor("bounded"), (task) -> "unreachable")
			.assignAsync("org", AsyncOptions.executor("bounded"), () -> "unreachable"));

		assertThat(this.callbacks.awaitOutcome("second")).isInstanceOfSatisfying(Outcome.Exit.class, (exit) -> {
			assertThat(exit.rejected()).isTrue();
			assertThat(exit.timedOut()).isFalse();
			assertThat(exit.error()).hasMessageStartingWith("Executor 'bounded' refused task 'second' (it is saturated or "
					+ "shut down), so it did not run;");
		});
		eventually().until(() -> inTurn(view, () -> view.view().get("org")) instanceof AsyncResult<?> result && !result.loading());
		AsyncResult<?> org = inTurn(view, () -> view.view().get("org"));
		assertThat(org.failed()).isNotNull();
		assertThat(org.failed().code()).isEqualTo("rejected");
		drainMailbox(view);
		assertThat(this.callbacks.outcomes("second")).hasSize(1);
		assertThat(this.metrics.ended).containsEntry("second", List.of(Outcome.Kind.EXIT))
			.containsEntry("assignAsync", List.of(Outcome.Kind.EXIT));
		assertThat(this.engine.activeTasks()).isEqualTo(1);
		assertThat(inTurn(view, () -> view.view().isRunning("first"))).isTrue();
		inTurn(view, () -> view.view().cancelAsync("first"));
		eventually().until(() -> this.engine.runningBodies() == 0 && this.engine.activeTasks() == 0);
	}

	@Test
	void whenAVirtualThreadExecutorAtItsConcurrencyLimitRefusesATaskThenItEndsRejected() {
		SimpleAsyncTaskExecutor limited = new SimpleAsyncTaskExecutor("limited-");
		limited.setVirtualThreads(true);
		limited.setConcurrencyLimit(1);
		limited.setRejectTasksWhenLimitReached(true); // without it, a start would wait for room on the tab's thread
		try {
			TabActor view = connectedView();
			StartAsyncTests.Blocking first = new StartAsyncTests.Blocking();
			inTurn(view, () -> view.view().startAsync("first", AsyncOptions.executor(limited), first));
			first.awaitStarted();
			inTurn(view, () -> view.view().startAsync("second", AsyncOptions.executor(limited), (task) -> "unreachable"));
			assertThat(this.callbacks.awaitOutcome("second")).isInstanceOfSatisfying(Outcome.Exit.class,
					(exit) -> assertThat(exit.rejected()).isTrue());
			inTurn(view, () -> view.view().cancelAsync("first"));
			eventually().until(() -> this.engine.runningBodies() == 0 && this.engine.activeTasks() == 0);
		}
		finally {
			limited.close();
		}
	}

	@Test
	void whenAnExecutorRunsTheTaskOnTheCallingThreadThenItIsRefusedAndTheTabKeepsRunning() {
		TabActor view = connectedView();
		AtomicBoolean ran = new AtomicBoolean();
		inTurn(view, () -> view.view().startAsync("inline", AsyncOptions.executor(Runnable::run), (task) -> {
			ran.set(true);
			return "ran on the tab's thread";
		}));
		assertThat(this.callbacks.awaitOutcome("inline")).isInstanceOfSatisfying(Outcome.Exit.class, (exit) -> {
			assertThat(exit.rejected()).isTrue();
			assertThat(exit.error()).hasMessageStartingWith("Executor 'other' ran task 'inline' on the thread that started it");
		});
		assertThat(ran).isFalse();
		inTurn(view, () -> view.view().startAsync("next", (task) -> "fine"));
		assertThat(this.callbacks.awaitOutcome("next")).isEqualTo(new Outcome.Ok<>("fine"));
		assertThat(this.engine.activeTasks()).isZero();
	}

	@Test
	void whenATaskOnAPoolIsCancelledThenItsThreadIsInterruptedAndTheNextTaskThereIsNot() {
		TabActor view = connectedView();
		StartAsyncTests.Blocking first = new StartAsyncTests.Blocking();
		inTurn(view, () -> view.view().startAsync("first", AsyncOptions.executor("reports"), first));
		first.awaitStarted();
		inTurn(view, () -> view.view().cancelAsync("first"));
		assertThat(join(first.interrupted)).isTrue();
		assertThat(this.callbacks.awaitOutcome("first")).isEqualTo(new Outcome.Cancelled<>(CancelReason.REQUESTED));
		inTurn(view, () -> view.view()
			.startAsync("next", AsyncOptions.executor("reports"), (task) -> Thread.currentThread().isInterrupted()));
		assertThat(this.callbacks.awaitOutcome("next")).isEqualTo(new Outcome.Ok<>(false));
		eventually().until(() -> this.reports.getCompletedTaskCount() == 2); // both ran on its one thread
	}

	@Test
	void whenATaskOnAPoolRunsPastItsTimeoutThenItExitsAndIsInterrupted() {
		TabActor view = connectedView();
		StartAsyncTests.Blocking body = new StartAsyncTests.Blocking();
		inTurn(view, () -> view.view()
			.startAsync("job", AsyncOptions.executor("reports").withTimeout(Duration.ofMillis(50)), body));
		assertThat(this.callbacks.awaitOutcome("job")).isInstanceOfSatisfying(Outcome.Exit.class,
				(exit) -> assertThat(exit.timedOut()).isTrue());
		assertThat(join(body.interrupted)).isTrue();
	}

	@Test
	void whenATabClosesThenItsTasksOnAPoolAreCancelledRunningOrQueued() {
		TabActor view = connectedView();
		StartAsyncTests.Blocking running = new StartAsyncTests.Blocking();
		inTurn(view, () -> view.view().startAsync("running", AsyncOptions.executor("reports"), running));
		running.awaitStarted();
		// it blocks too: once the running one is interrupted, the pool may take it before the close cancels it
		inTurn(view, () -> view.view().startAsync("queued", AsyncOptions.executor("reports"), new StartAsyncTests.Blocking()));
		assertThat(this.reports.getQueue()).hasSize(1);
		view.close(CancelReason.VIEW_CLOSED);
		assertThat(this.callbacks.awaitOutcome("running")).isEqualTo(new Outcome.Cancelled<>(CancelReason.VIEW_CLOSED));
		assertThat(this.callbacks.awaitOutcome("queued")).isEqualTo(new Outcome.Cancelled<>(CancelReason.VIEW_CLOSED));
		assertThat(join(running.interrupted)).isTrue();
		eventually().until(() -> this.engine.runningBodies() == 0 && this.engine.activeTasks() == 0);
	}

	@Test
	void whenATaskRunsOnAPoolThreadThenItSeesItsHandlersContextAndNothingLeftThereByOtherWork() throws Exception {
		ThreadLocal<String> user = new ThreadLocal<>();
		ContextRegistry.getInstance().registerThreadLocalAccessor("strand.test.user", user::get, user::set, user::remove);
		try {
			this.reports.submit(() -> user.set("left over")).get(); // other work on the pool leaves a value behind
			TabActor view = connectedView();
			inTurn(view, () -> {
				user.set("alice");
				try {
					view.view().startAsync("alice", AsyncOptions.executor("reports"), (task) -> user.get());
				}
				finally {
					user.remove();
				}
			});
			assertThat(this.callbacks.awaitOutcome("alice")).isEqualTo(new Outcome.Ok<>("alice"));
			inTurn(view, () -> view.view().startAsync("anonymous", AsyncOptions.executor("reports"), (task) -> user.get()));
			assertThat(this.callbacks.awaitOutcome("anonymous")).isEqualTo(new Outcome.Ok<>(null));
			assertThat(this.reports.submit(user::get).get()).isEqualTo("left over"); // the pool's thread is given it back
		}
		finally {
			ContextRegistry.getInstance().removeThreadLocalAccessor("strand.test.user");
		}
	}

	@Test
	void whenManyTasksShareAOneThreadPoolThenEachHasExactlyOneOutcome() throws InterruptedException {
		TabActor view = connectedView();
		CountDownLatch release = new CountDownLatch(1);
		inTurn(view, () -> view.view().startAsync("gate", AsyncOptions.executor("reports"), (task) -> {
			release.await();
			return "open";
		}));
		int tasks = 60; // with the gate, within strand.limits.tasks-per-view
		inTurn(view, () -> {
			for (int i = 0; i < tasks; i++) {
				int n = i;
				view.view().startAsync("t" + i, AsyncOptions.executor("reports"), (task) -> n);
				if (i % 3 == 0) {
					view.view().cancelAsync("t" + i);
				}
			}
		});
		release.countDown();
		eventually().until(() -> this.metrics.total() == tasks + 1);
		drainMailbox(view);
		for (int i = 0; i < tasks; i++) {
			assertThat(this.callbacks.outcomes("t" + i)).as("t" + i)
				.containsExactly((i % 3 == 0) ? new Outcome.Cancelled<>(CancelReason.REQUESTED) : new Outcome.Ok<>(i));
		}
		eventually().until(() -> this.engine.activeTasks() == 0 && this.engine.runningBodies() == 0);
	}

}
