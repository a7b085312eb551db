package dev.strand.internal;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.observation.Observation;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.strand.AsyncOptions;
import dev.strand.Outcome;
import dev.strand.TaskTimeoutException;
import tools.jackson.databind.json.JsonMapper;

import static dev.strand.internal.EngineTestSupport.connect;
import static dev.strand.internal.EngineTestSupport.eventually;
import static dev.strand.internal.EngineTestSupport.inTurn;
import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code strand.task} Observation around a task's body: its keys, its outcome, and the context of the
 * handler that started it.
 */
class ObservationTests {

	private final TestObservationRegistry observations = TestObservationRegistry.create();

	private final EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks();

	private final StrandEngine engine = new StrandEngine(EngineSettings.defaults(),
			Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("test-task-", 0).factory()), this.observations,
			StrandMetrics.NONE, JsonMapper.builder().build());

	private final MemoryTabRegistry registry = new MemoryTabRegistry(this.engine);

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
	void whenATaskReturnsThenItsObservationEndsOkWithoutAnError() {
		TabActor view = connectedView();
		inTurn(view, () -> view.view().startAsync("job", (task) -> "done"));
		this.callbacks.awaitOutcome("job");
		eventually().untilAsserted(() -> assertThat(this.observations).hasSingleObservationThat()
			.hasNameEqualTo("strand.task")
			.hasContextualNameEqualTo("strand job")
			.hasLowCardinalityKeyValue("strand.task", "job")
			.hasLowCardinalityKeyValue("strand.executor", "strandTaskExecutor")
			.hasLowCardinalityKeyValue("strand.outcome", "ok")
			.hasHighCardinalityKeyValue("strand.task.name", "job")
			.hasBeenStopped()
			.doesNotHaveError());
	}

	@Test
	void whenATaskFailsOrThrowsThenItsObservationEndsWithThatOutcomeAndItsError() {
		TabActor view = connectedView();
		IllegalStateException boom = new IllegalStateException("boom");
		inTurn(view, () -> view.view().startAsync("bad", (task) -> {
			throw task.fail("quota");
		}).startAsync("crash", (task) -> {
			throw boom;
		}));
		this.callbacks.awaitOutcome("bad");
		this.callbacks.awaitOutcome("crash");
		eventually().untilAsserted(() -> assertThat(this.observations)
			.hasAnObservation((observation) -> observation.hasLowCardinalityKeyValue("strand.task", "bad")
				.hasLowCardinalityKeyValue("strand.outcome", "failed")
				.hasError())
			.hasAnObservation((observation) -> observation.hasLowCardinalityKeyValue("strand.task", "crash")
				.hasLowCardinalityKeyValue("strand.outcome", "exit")
				.hasError(boom)));
	}

	@Test
	void whenATaskIsCancelledThenItsObservationEndsCancelledAndIsNotAnError() {
		TabActor view = connectedView();
		StartAsyncTests.Blocking body = new StartAsyncTests.Blocking();
		inTurn(view, () -> view.view().startAsync("job", body));
		body.awaitStarted();
		inTurn(view, () -> view.view().cancelAsync("job"));
		this.callbacks.awaitOutcome("job");
		eventually().untilAsserted(() -> assertThat(this.observations).hasSingleObservationThat()
			.hasBeenStopped()
			.doesNotHaveError()
			.hasLowCardinalityKeyValue("strand.outcome", "cancelled"));
	}

	@Test
	void whenATaskTimesOutThenItsObservationEndsAsAnExitWithTheTimeout() {
		TabActor view = connectedView();
		StartAsyncTests.Blocking body = new StartAsyncTests.Blocking();
		inTurn(view, () -> view.view().startAsync("job", AsyncOptions.timeout(Duration.ofMillis(50)), body));
		assertThat(this.callbacks.awaitOutcome("job")).isInstanceOf(Outcome.Exit.class);
		eventually().untilAsserted(() -> assertThat(this.observations).hasSingleObservationThat()
			.hasLowCardinalityKeyValue("strand.outcome", "exit")
			.hasBeenStopped()
			.assertThatError()
			.isInstanceOf(TaskTimeoutException.class));
	}

	@Test
	@SuppressWarnings("try")
	void whenAHandlerStartsATaskThenTheHandlersObservationIsItsParentAndItIsCurrentInTheBody() {
		TabActor view = connectedView();
		AtomicReference<Observation> inBody = new AtomicReference<>();
		Observation request = Observation.start("request", this.observations);
		inTurn(view, () -> {
			try (Observation.Scope scope = request.openScope()) {
				view.view().startAsync("job", (task) -> {
					inBody.set(this.observations.getCurrentObservation());
					return "done";
				});
			}
		});
		this.callbacks.awaitOutcome("job");
		request.stop();
		eventually().untilAsserted(() -> assertThat(this.observations).hasObservationWithNameEqualTo("strand.task")
			.that()
			.hasParentObservationEqualTo(request)
			.hasBeenStopped());
		assertThat(inBody.get()).isNotNull();
		assertThat(inBody.get().getContext().getName()).isEqualTo("strand.task");
		assertThat(this.observations.getCurrentObservation()).isNull();
	}

	@Test
	@SuppressWarnings("try")
	void whenATaskRunsOnAPoolThreadThenItsObservationIsTheSameAndThePoolThreadKeepsNone() throws Exception {
		ExecutorService pool = Executors.newSingleThreadExecutor();
		try {
			TabActor view = connectedView();
			Observation request = Observation.start("request", this.observations);
			inTurn(view, () -> {
				try (Observation.Scope scope = request.openScope()) {
					view.view().startAsync("job", AsyncOptions.executor(pool), (task) -> "done");
				}
			});
			this.callbacks.awaitOutcome("job");
			request.stop();
			eventually().untilAsserted(() -> assertThat(this.observations).hasObservationWithNameEqualTo("strand.task")
				.that()
				.hasParentObservationEqualTo(request)
				.hasLowCardinalityKeyValue("strand.executor", "other")
				.hasLowCardinalityKeyValue("strand.outcome", "ok")
				.hasBeenStopped());
			assertThat(pool.submit(this.observations::getCurrentObservation).get()).isNull();
		}
		finally {
			pool.shutdownNow();
			assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
	}

}
