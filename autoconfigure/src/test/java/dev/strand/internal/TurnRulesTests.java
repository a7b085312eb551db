package dev.strand.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.strand.AsyncResult;
import dev.strand.CancelReason;
import dev.strand.Outcome;
import dev.strand.StrandLimitException;
import dev.strand.View;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.strand.internal.EngineTestSupport.connect;
import static dev.strand.internal.EngineTestSupport.drainMailbox;
import static dev.strand.internal.EngineTestSupport.eventually;
import static dev.strand.internal.EngineTestSupport.inTurn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What one turn of a tab may change, and what happens when it cannot: a refused start changes nothing, a
 * cancel shows in the turn that made it, a failing callback changes nothing, and a closed tab's callbacks
 * run quietly.
 */
@ExtendWith(OutputCaptureExtension.class)
class TurnRulesTests {

	private final JsonMapper json = JsonMapper.builder().build();

	private final EngineTestSupport.RecordingMetrics metrics = new EngineTestSupport.RecordingMetrics();

	private final StrandEngine engine = EngineTestSupport.engine(EngineTestSupport.limits(32, 2, 10_000), this.metrics);

	private final MemoryTabRegistry registry = new MemoryTabRegistry(this.engine);

	@AfterEach
	void shutDown() {
		EngineTestSupport.shutDown(this.engine, this.registry);
	}

	private TabActor connected(Callbacks callbacks) {
		TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED, callbacks);
		connect(tab);
		return tab;
	}

	@Test
	void whenAStartIsRefusedByALimitThenTheTurnChangesNothing() {
		EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks();
		TabActor tab = connected(callbacks);
		View view = tab.view();
		StartAsyncTests.Blocking first = new StartAsyncTests.Blocking();
		StartAsyncTests.Blocking second = new StartAsyncTests.Blocking();
		inTurn(tab, () -> view.assign("job", AsyncResult.ok("earlier")).startAsync("a", first));
		inTurn(tab, () -> view.assignAsync("org", () -> {
			second.run(null);
			return "never";
		}));
		first.awaitStarted();
		second.awaitStarted();
		java.util.Set<String> changedBefore = inTurn(tab, view::changed);
		assertThatExceptionOfType(StrandLimitException.class)
			.isThrownBy(() -> inTurn(tab, () -> view.startAsync("job", (task) -> "refused")));
		assertThatExceptionOfType(StrandLimitException.class)
			.isThrownBy(() -> inTurn(tab, () -> view.assignAsync(java.util.Set.of("org", "rank"), () -> Map.of())));
		inTurn(tab, () -> {
			assertThat(view.<AsyncResult<?>>get("job")).isEqualTo(AsyncResult.ok("earlier"));
			assertThat(view.<AsyncResult<?>>get("org").loading()).isTrue();
			assertThat(view.assigns()).doesNotContainKey("rank");
			assertThat(view.isRunning("org")).isTrue(); // the refused start did not cancel the key's loader
			assertThat(view.isRunning("a")).isTrue();
			assertThat(view.changed()).isEqualTo(changedBefore);
		});
		assertThat(first.interrupted).isNotDone();
		assertThat(second.interrupted).isNotDone();
	}

	@Test
	void whenAKeyIsCancelledThenItsResultFailsInTheSameTurnAndTheCallbackRunsOnce() {
		EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks();
		TabActor tab = connected(callbacks);
		View view = tab.view();
		StartAsyncTests.Blocking loader = new StartAsyncTests.Blocking();
		StartAsyncTests.Blocking job = new StartAsyncTests.Blocking();
		inTurn(tab, () -> view.assignAsync("org", () -> loader.run(null)).assign("job", AsyncResult.idle()).startAsync("job", job));
		loader.awaitStarted();
		job.awaitStarted();
		inTurn(tab, () -> {
			assertThat(view.cancelAsync(view.<AsyncResult<?>>get("org"))).isTrue();
			assertThat(view.cancelAsync("job")).isTrue();
			for (String key : List.of("org", "job")) {
				AsyncResult<?> result = view.get(key);
				assertThat(result.loading()).as(key).isFalse();
				assertThat(result.failed()).as(key).isEqualTo(
						new AsyncResult.Failure(Outcome.Kind.CANCELLED, "cancelled", null, CancelReason.REQUESTED));
				assertThat(view.isRunning(key)).as(key).isFalse();
			}
		});
		assertThat(callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Cancelled<>(CancelReason.REQUESTED));
		drainMailbox(tab);
		assertThat(callbacks.outcomes("job")).hasSize(1);
		assertThat(inTurn(tab, () -> view.<AsyncResult<?>>get("job").failed().code())).isEqualTo("cancelled");
	}

	@Test
	void whenHandleAsyncThrowsThenItsChangesAreDiscardedAndThePageGetsAnErrorFlashWithARef(CapturedOutput output) {
		EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks() {

			@Override
			public void onOutcome(String task, Outcome<?> outcome, View view) {
				view.assign("title", "half an update").flash("info", "Completed!");
				super.onOutcome(task, outcome, view);
				throw new IllegalStateException("secret detail");
			}

		};
		TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED, callbacks);
		EngineTestSupport.Stream stream = connect(tab);
		View view = tab.view();
		inTurn(tab, () -> view.assign("title", "before").assign("job", AsyncResult.idle()).startAsync("job", (task) -> "done"));
		callbacks.awaitOutcome("job");
		drainMailbox(tab);
		inTurn(tab, () -> {
			assertThat(view.<String>get("title")).isEqualTo("before");
			assertThat(view.<AsyncResult<?>>get("job")).isEqualTo(AsyncResult.ok("done")); // the task's own state stands
		});
		List<JsonNode> flashes = stream.ofType("flash").stream().map((event) -> this.json.readTree(event.data())).toList();
		assertThat(flashes).singleElement().satisfies((flash) -> {
			assertThat(flash.get("kind").asString()).isEqualTo("error");
			assertThat(flash.get("message").asString()).matches("Something went wrong \\(ref [0-9a-f]{12}\\)\\.")
				.doesNotContain("secret");
		});
		String ref = flashes.get(0).get("message").asString().replaceAll(".*ref ([0-9a-f]+).*", "$1");
		assertThat(output).contains("[ref " + ref + "]").contains("secret detail").contains("at dev.strand");
		assertThat(stream.ofType("outcome")).hasSize(1);
		assertThat(this.metrics.failedCallbacks).containsExactly("@HandleAsync");
	}

	@Test
	void whenHandleChunkThrowsThenTheChunkAndTheCallbacksChangesAreDropped() {
		List<Object> seen = new CopyOnWriteArrayList<>();
		EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks() {

			@Override
			public void onChunk(String task, Object chunk, View view) {
				seen.add(chunk);
				view.update("count", (Integer count) -> count + 1);
				if (chunk.equals("bad")) {
					throw new IllegalArgumentException("cannot take it");
				}
			}

		};
		TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED, callbacks);
		EngineTestSupport.Stream stream = connect(tab);
		View view = tab.view();
		inTurn(tab, () -> view.assign("count", 0).startAsync("job", (task) -> {
			task.push("good");
			task.push("bad");
			task.push("fine");
			return "done";
		}));
		callbacks.awaitOutcome("job");
		drainMailbox(tab);
		assertThat(seen).containsExactly("good", "bad", "fine");
		assertThat(inTurn(tab, () -> view.<Integer>get("count"))).isEqualTo(2);
		assertThat(stream.ofType("chunk")).extracting((event) -> this.json.readTree(event.data()).get("text").asString())
			.containsExactly("good", "fine");
		assertThat(stream.ofType("flash")).hasSize(1);
		assertThat(this.metrics.failedCallbacks).containsExactly("@HandleChunk");
	}

	@Test
	void whenATabClosesThenItsCallbacksRunOnceAndWhatTheyStartIsIgnoredQuietly(CapturedOutput output) {
		List<Outcome<?>> delivered = new CopyOnWriteArrayList<>();
		EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks() {

			@Override
			public void onOutcome(String task, Outcome<?> outcome, View view) {
				delivered.add(outcome);
				view.assign("status", "cleaning up").flash("info", "Cancelled");
				view.startAsync("again", (t) -> "must not run");
				view.assignAsync("org", () -> "must not run either");
				assertThat(view.isRunning("again")).isFalse();
				super.onOutcome(task, outcome, view);
			}

		};
		TabActor tab = connected(callbacks);
		StartAsyncTests.Blocking body = new StartAsyncTests.Blocking();
		inTurn(tab, () -> tab.view().startAsync("job", body));
		body.awaitStarted();
		tab.close(CancelReason.VIEW_CLOSED);
		assertThat(callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Cancelled<>(CancelReason.VIEW_CLOSED));
		eventually().until(() -> this.engine.runningBodies() == 0 && this.engine.activeTasks() == 0);
		assertThat(delivered).hasSize(1);
		assertThat(callbacks.outcomes("again")).isEmpty();
		assertThat(this.metrics.ended).containsOnlyKeys("job");
		assertThat(this.metrics.failedCallbacks).isEmpty();
		assertThat(output).doesNotContain("ERROR").doesNotContain("must not");
	}

	@Test
	void whenAMessageCannotBeHandledThenThePageIsSentAFullRenderAndAnErrorFlash(CapturedOutput output) {
		EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks() {

			@Override
			public void onChunk(String task, Object chunk, View view) {
				if (chunk.equals("heavy")) {
					throw new OutOfMemoryError("Java heap space (simulated)");
				}
				super.onChunk(task, chunk, view);
			}

		};
		TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED, callbacks);
		tab.renderer((buffers) -> new TabRenderer() {

			@Override
			public List<WireEvent.Patch> render(java.util.Set<String> changed) {
				return List.of();
			}

			@Override
			public List<WireEvent.Patch> renderAll() {
				return List.of(new WireEvent.Patch("page", WireEvent.Op.REPLACE, "<main id=\"page\">all</main>"));
			}

			@Override
			public WireEvent.Chunk chunk(WireEvent.Chunk event, Object chunk) {
				return event;
			}

		});
		EngineTestSupport.Stream stream = connect(tab);
		inTurn(tab, () -> tab.view().startAsync("job", (task) -> {
			task.push("light");
			task.push("heavy");
			task.push("after");
			return "done";
		}));
		callbacks.awaitOutcome("job");
		drainMailbox(tab);
		assertThat(stream.events).extracting(EventLog.Entry::name).containsSubsequence("chunk", "reset", "flash", "chunk", "outcome");
		assertThat(callbacks.chunks.get("job")).containsExactly("light", "after");
		JsonNode flash = this.json.readTree(stream.ofType("flash").get(0).data());
		assertThat(flash.get("message").asString()).startsWith("Something went wrong (ref ");
		String ref = flash.get("message").asString().replaceAll(".*ref ([0-9a-f]+).*", "$1");
		assertThat(output).contains("[ref " + ref + "]").contains("simulated");
		assertThat(tab.isClosed()).isFalse();
	}

	/**
	 * A web request ends its turn on its own thread, once its response is sent. If the flush then fails (a stream's
	 * connection that had just ended once threw from its drain), the tab must still be let go of: else every later
	 * page event of the tab waits for a turn that never comes.
	 */
	@Test
	void whenARequestsTurnFailsToFlushAsItEndsThenTheTabGrantsItsNextTurn(CapturedOutput output) {
		TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED, new EngineTestSupport.RecordingCallbacks());
		AtomicBoolean failNext = new AtomicBoolean();
		EngineTestSupport.Stream reader = new EngineTestSupport.Stream();
		CompletableFuture<Void> attached = new CompletableFuture<>();
		tab.connect(0, () -> {
			if (failNext.getAndSet(false)) {
				throw new IllegalStateException("simulated: the stream's connection has just ended");
			}
			reader.run();
		}, (subscription) -> {
			reader.subscription.set(subscription);
			attached.complete(null);
		});
		EngineTestSupport.join(attached);
		CompletableFuture<Tab.PageTurn> first = new CompletableFuture<>();
		tab.requestTurn(null, first::complete);
		Tab.PageTurn turn = EngineTestSupport.join(first);
		turn.view().flash("info", "changed by the first request");
		failNext.set(true);
		try {
			turn.end(); // on the request's thread, as StrandWebFilter ends it
		}
		catch (RuntimeException ex) {
			// what the request's thread does with it is not what this test is about
		}
		CompletableFuture<Tab.PageTurn> second = new CompletableFuture<>();
		tab.requestTurn(null, second::complete);
		EngineTestSupport.join(second).end();
		assertThat(output).contains("simulated: the stream's connection has just ended");
		assertThat(tab.isClosed()).isFalse();
	}

	/**
	 * A page event's turn on an idle tab is granted on the thread that asks for it (an event loop, for a web
	 * request): no hand-off to a mailbox thread and back before its handler can run.
	 */
	@Test
	void whenTheTabIsIdleThenARequestsTurnIsGrantedOnTheRequestsOwnThread() {
		TabActor tab = connected(new EngineTestSupport.RecordingCallbacks());
		eventually().until(tab::isIdle); // the last turn is released just after its action has run
		AtomicReference<Thread> grantedOn = new AtomicReference<>();
		tab.requestTurn(null, (turn) -> {
			grantedOn.set(Thread.currentThread());
			turn.end();
		});
		assertThat(grantedOn).hasValue(Thread.currentThread());
	}

	@Test
	void whenATurnIsHeldThenTheNextRequestsTurnWaitsForItsEndAndTheTasksChunkComesAfterItsChanges() throws InterruptedException {
		TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED,
				new EngineTestSupport.RecordingCallbacks().withoutChunkCallbacks());
		EngineTestSupport.Stream reader = connect(tab);
		CompletableFuture<Tab.PageTurn> first = new CompletableFuture<>();
		tab.requestTurn(null, first::complete);
		Tab.PageTurn held = EngineTestSupport.join(first);
		CountDownLatch pushed = new CountDownLatch(1);
		held.view().startAsync("job", (task) -> {
			task.push("chunk");
			pushed.countDown();
			return "done";
		});
		held.view().flash("info", "changed by the first request");
		CompletableFuture<Tab.PageTurn> second = new CompletableFuture<>();
		tab.requestTurn(null, second::complete);
		assertThat(pushed.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(second).isNotDone();
		assertThat(reader.ofType("chunk")).isEmpty();
		held.end();
		EngineTestSupport.join(second).end();
		eventually().until(() -> !reader.ofType("outcome").isEmpty());
		List<String> names = reader.events.stream().map(EventLog.Entry::name).toList();
		assertThat(names).containsSubsequence("flash", "chunk", "outcome");
	}

}
