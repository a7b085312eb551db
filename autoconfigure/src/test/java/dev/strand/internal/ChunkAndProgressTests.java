package dev.strand.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.strand.AsyncResult;
import dev.strand.Outcome;
import dev.strand.View;
import dev.strand.Progress;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.strand.internal.EngineTestSupport.connect;
import static dev.strand.internal.EngineTestSupport.eventually;
import static dev.strand.internal.EngineTestSupport.inTurn;
import static dev.strand.internal.EngineTestSupport.join;
import static dev.strand.internal.StartAsyncTests.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Chunks reach {@code @HandleChunk} and the stream in order and none is lost; progress coalesces. */
class ChunkAndProgressTests {

	private static final int CHUNKS = 1_000;

	private final JsonMapper json = JsonMapper.builder().build();

	private final EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks();

	private final StrandEngine engine = StrandEngine.withDefaults();

	private final MemoryTabRegistry registry = new MemoryTabRegistry(this.engine);

	private final TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED, this.callbacks);

	private final View view = this.tab.view();

	@AfterEach
	void closeEngine() {
		EngineTestSupport.shutDown(this.engine, this.registry);
	}

	private List<Integer> chunkNumbers(List<EventLog.Entry> events) {
		List<Integer> numbers = new ArrayList<>();
		for (EventLog.Entry event : events) {
			if (event.name().equals("chunk")) {
				JsonNode data = this.json.readTree(event.data());
				assertThat(data.get("task").asString()).isEqualTo("job");
				numbers.add(data.get("json").asInt());
			}
		}
		return numbers;
	}

	@Test
	void whenTaskPushesChunksThenHandleChunkAndTheStreamGetEveryOneInOrder() {
		EngineTestSupport.Stream stream = connect(this.tab);
		inTurn(this.tab, () -> this.view.startAsync("job", (task) -> {
			for (int n = 1; n <= CHUNKS; n++) {
				task.push(n);
			}
			return "done";
		}));
		assertThat(this.callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Ok<>("done"));
		List<Integer> expected = IntStream.rangeClosed(1, CHUNKS).boxed().toList();
		assertThat(this.callbacks.chunks.get("job")).containsExactlyElementsOf(expected);
		assertThat(chunkNumbers(stream.events)).containsExactlyElementsOf(expected);
		List<Long> ids = stream.events.stream().map(EventLog.Entry::id).toList();
		assertThat(ids).isSorted().doesNotHaveDuplicates();
		assertThat(stream.events.getLast().name()).isEqualTo("outcome");
	}

	@Test
	void whenStreamIsSlowThenPushWaitsForItAndNoChunkIsLost() {
		// more chunks than the replay buffer holds: without backpressure the slow stream would lose some
		int chunks = this.engine.settings().replayBuffer() * 3;
		CompletableFuture<EventLog.Subscription> subscribed = new CompletableFuture<>();
		this.tab.connect(0, () -> {
		}, subscribed::complete); // nobody reads until the task is far ahead
		EventLog.Subscription subscription = join(subscribed);
		inTurn(this.tab, () -> this.view.startAsync("job", (task) -> {
			for (int n = 1; n <= chunks; n++) {
				task.push(n);
			}
			return "done";
		}));
		eventually().until(() -> this.tab.lastEventId() >= this.engine.settings().maxPending());
		List<EventLog.Entry> received = new ArrayList<>();
		eventually().until(() -> {
			for (EventLog.Entry event = subscription.next(); event != null; event = subscription.next()) {
				received.add(event);
			}
			return received.stream().anyMatch((event) -> event.name().equals("outcome"));
		});
		assertThat(subscription.ended()).isFalse();
		assertThat(chunkNumbers(received)).containsExactlyElementsOf(IntStream.rangeClosed(1, chunks).boxed().toList());
		assertThat(this.callbacks.chunks.get("job")).hasSize(chunks);
	}

	@Test
	void whenTaskIsCancelledThenPushThrowsAndLaterChunksAreNotDelivered() {
		connect(this.tab);
		CountDownLatch pushed = new CountDownLatch(1);
		CountDownLatch cancelled = new CountDownLatch(1);
		CompletableFuture<Throwable> pushAfterCancel = new CompletableFuture<>();
		inTurn(this.tab, () -> this.view.startAsync("job", (task) -> {
			task.push("before");
			pushed.countDown();
			while (!task.isCancelled()) {
				Thread.onSpinWait();
			}
			cancelled.countDown();
			try {
				task.push("after");
				pushAfterCancel.complete(null);
			}
			catch (Throwable ex) {
				pushAfterCancel.complete(ex);
			}
			return "unused";
		}));
		await(pushed);
		inTurn(this.tab, () -> this.view.cancelAsync("job"));
		await(cancelled);
		assertThat(join(pushAfterCancel)).isInstanceOf(java.util.concurrent.CancellationException.class);
		this.callbacks.awaitOutcome("job");
		EngineTestSupport.drainMailbox(this.tab);
		assertThat(this.callbacks.chunks.get("job")).containsExactly("before");
	}

	@Test
	void whenATaskIsCancelledThenItsChunkAndProgressStillQueuedAreDropped() {
		EngineTestSupport.Stream stream = connect(this.tab);
		CountDownLatch go = new CountDownLatch(1);
		CountDownLatch sent = new CountDownLatch(1);
		inTurn(this.tab, () -> this.view.assign("job", AsyncResult.idle()).startAsync("job", (task) -> {
			go.await();
			task.progress(1, 2);
			task.push("queued");
			sent.countDown();
			Thread.sleep(60_000);
			return "unused";
		}));
		// the task's chunk and progress reach the mailbox while this turn holds it, and are handled after it
		inTurn(this.tab, () -> {
			go.countDown();
			await(sent);
			this.view.cancelAsync("job");
		});
		this.callbacks.awaitOutcome("job");
		EngineTestSupport.drainMailbox(this.tab);
		assertThat(this.callbacks.chunks.get("job")).isNull();
		assertThat(stream.events).extracting(EventLog.Entry::name).doesNotContain("chunk", "progress").contains("outcome");
		assertThat(inTurn(this.tab, () -> this.view.<AsyncResult<?>>get("job").progress())).isNull();
	}

	// ---- a tab without @HandleChunk: a chunk is received on its task's thread when the tab is idle ------------

	private TabActor tabWithoutChunkCallbacks() {
		return this.registry.openLocal("session", SessionHandle.DETACHED,
				new EngineTestSupport.RecordingCallbacks().withoutChunkCallbacks());
	}

	@Test
	void whenNoCallbackTakesTheChunksThenTheStreamGetsEveryOneOfSeveralTasksInOrderBeforeEachOutcome() {
		TabActor tab = tabWithoutChunkCallbacks();
		EngineTestSupport.Stream stream = connect(tab);
		inTurn(tab, () -> {
			for (String name : List.of("a", "b", "c")) {
				tab.view().startAsync(name, (task) -> {
					for (int n = 1; n <= CHUNKS; n++) {
						task.push(n);
					}
					return "done";
				});
			}
		});
		eventually().until(() -> stream.events.stream().filter((event) -> event.name().equals("outcome")).count() == 3);
		for (String name : List.of("a", "b", "c")) {
			List<Integer> numbers = new ArrayList<>();
			int outcomeAt = -1;
			for (int i = 0; i < stream.events.size(); i++) {
				JsonNode data = this.json.readTree(stream.events.get(i).data());
				if (data.has("task") && data.get("task").asString().equals(name)) {
					if (stream.events.get(i).name().equals("chunk")) {
						assertThat(outcomeAt).as("a chunk of %s after its outcome", name).isEqualTo(-1);
						numbers.add(data.get("json").asInt());
					}
					else if (stream.events.get(i).name().equals("outcome")) {
						outcomeAt = i;
					}
				}
			}
			assertThat(numbers).containsExactlyElementsOf(IntStream.rangeClosed(1, CHUNKS).boxed().toList());
		}
		assertThat(stream.events.stream().map(EventLog.Entry::id).toList()).isSorted().doesNotHaveDuplicates();
	}

	@Test
	void whenATaskWithoutAChunkCallbackPushesDuringATurnThenItsChunkComesAfterThatTurnsChanges() {
		TabActor tab = tabWithoutChunkCallbacks();
		EngineTestSupport.Stream stream = connect(tab);
		CountDownLatch go = new CountDownLatch(1);
		CountDownLatch pushed = new CountDownLatch(1);
		inTurn(tab, () -> tab.view().startAsync("job", (task) -> {
			go.await();
			task.push("during the turn");
			pushed.countDown();
			return "done";
		}));
		inTurn(tab, () -> {
			go.countDown();
			await(pushed); // the push returned while this turn holds the tab: the chunk waits for it
			tab.view().flash("info", "the turn's change");
		});
		eventually().until(() -> stream.events.stream().anyMatch((event) -> event.name().equals("outcome")));
		assertThat(stream.events).extracting(EventLog.Entry::name).containsSubsequence("flash", "chunk", "outcome");
	}

	@Test
	void whenATaskWithoutAChunkCallbackIsCancelledThenItsQueuedChunkIsDroppedAndNothingFollowsTheOutcome() {
		TabActor tab = tabWithoutChunkCallbacks();
		EngineTestSupport.Stream stream = connect(tab);
		CountDownLatch go = new CountDownLatch(1);
		CountDownLatch sent = new CountDownLatch(1);
		inTurn(tab, () -> tab.view().startAsync("job", (task) -> {
			go.await();
			task.push("queued");
			sent.countDown();
			while (true) {
				task.push("after the cancel"); // throws once cancelled
			}
		}));
		inTurn(tab, () -> {
			go.countDown();
			await(sent);
			tab.view().cancelAsync("job");
		});
		eventually().until(() -> stream.events.stream().anyMatch((event) -> event.name().equals("outcome")));
		EngineTestSupport.drainMailbox(tab);
		List<String> names = stream.events.stream().map(EventLog.Entry::name).toList();
		assertThat(names).doesNotContain("chunk");
		assertThat(names.getLast()).isEqualTo("outcome");
	}

	@Test
	void whenPushIsGivenNullThenItFailsClearly() {
		connect(this.tab);
		inTurn(this.tab, () -> this.view.startAsync("job", (task) -> {
			task.push(null);
			return "unreachable";
		}));
		assertThat(this.callbacks.awaitOutcome("job")).isInstanceOfSatisfying(Outcome.Exit.class,
				(exit) -> assertThat(exit.error()).isInstanceOf(NullPointerException.class)
					.hasMessageContaining("chunk must not be null"));
	}

	@Test
	void whenProgressIsReportedFasterThanTheViewTakesItThenOnlyTheLatestIsDelivered() {
		EngineTestSupport.Stream stream = connect(this.tab);
		CountDownLatch go = new CountDownLatch(1);
		CountDownLatch reported = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		inTurn(this.tab, () -> this.view.assign("job", AsyncResult.idle()).startAsync("job", (task) -> {
			go.await();
			for (int n = 1; n <= 100; n++) {
				task.progress(n, 100);
			}
			reported.countDown();
			release.await();
			return "done";
		}));
		// hold the mailbox while the task reports: its reports wait there and coalesce
		CountDownLatch holding = new CountDownLatch(1);
		CountDownLatch unhold = new CountDownLatch(1);
		this.tab.execute(() -> {
			holding.countDown();
			await(unhold);
		});
		await(holding);
		go.countDown();
		await(reported);
		unhold.countDown();
		eventually().until(() -> !stream.ofType("progress").isEmpty());
		EngineTestSupport.drainMailbox(this.tab);
		assertThat(stream.ofType("progress")).singleElement()
			.satisfies((event) -> assertThat(this.json.readTree(event.data()).get("done").asInt()).isEqualTo(100));
		assertThat(inTurn(this.tab, () -> this.view.<AsyncResult<?>>get("job")).progress()).isEqualTo(new Progress(100, 100));
		release.countDown();
		this.callbacks.awaitOutcome("job");
		assertThat(inTurn(this.tab, () -> this.view.<AsyncResult<?>>get("job"))).isEqualTo(AsyncResult.ok("done"));
	}

	@Test
	void whenStreamIsSlowThenOnlyTheLatestProgressIsSent() {
		CompletableFuture<EventLog.Subscription> subscribed = new CompletableFuture<>();
		this.tab.connect(0, () -> {
		}, subscribed::complete);
		EventLog.Subscription subscription = join(subscribed);
		CountDownLatch release = new CountDownLatch(1);
		inTurn(this.tab, () -> this.view.startAsync("job", (task) -> {
			for (int n = 1; n <= 3; n++) {
				task.progress(n, 3);
				int reported = n;
				// wait until this report has been appended to the log, so that each one is a separate event
				eventually().until(() -> this.tab.lastEventId() >= reported);
			}
			release.await();
			return "done";
		}));
		eventually().until(() -> this.tab.lastEventId() >= 3);
		List<EventLog.Entry> sent = new ArrayList<>();
		for (EventLog.Entry event = subscription.next(); event != null; event = subscription.next()) {
			sent.add(event);
		}
		assertThat(sent).singleElement().satisfies((event) -> {
			assertThat(event.name()).isEqualTo("progress");
			assertThat(this.json.readTree(event.data()).get("done").asInt()).isEqualTo(3);
		});
		release.countDown();
	}

	@Test
	void whenProgressIsNegativeThenTheTaskExitsWithAClearError() {
		connect(this.tab);
		inTurn(this.tab, () -> this.view.startAsync("job", (task) -> {
			task.progress(-1, 10);
			return "unreachable";
		}));
		assertThat(this.callbacks.awaitOutcome("job")).isInstanceOfSatisfying(Outcome.Exit.class,
				(exit) -> assertThat(exit.error()).isInstanceOf(IllegalArgumentException.class)
					.hasMessageContaining("done=-1"));
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> new Progress(1, -1));
	}

	@Test
	void whenATaskPushesLargeChunksToAReaderThatKeepsUpThenTheTabKeepsNoMoreThanItsByteBudget() {
		EngineSettings settings = EngineSettings.builder().replayBufferSize(1024 * 1024).maxPendingSize(256 * 1024)
			.maxChunkSize(128 * 1024).build();
		StrandEngine engine = EngineTestSupport.engine(settings, StrandMetrics.NONE);
		MemoryTabRegistry registry = new MemoryTabRegistry(engine);
		try {
			TabActor tab = registry.openLocal("session", SessionHandle.DETACHED, this.callbacks);
			EngineTestSupport.Stream stream = connect(tab);
			String big = "x".repeat(100 * 1024);
			java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong();
			MemoryEventLog log = (MemoryEventLog) tab.log();
			inTurn(tab, () -> tab.view().startAsync("job", (task) -> {
				for (int n = 0; n < 200; n++) { // 20 MB through one tab
					task.push(n + big);
					peak.accumulateAndGet(log.retainedBytes(), Math::max);
				}
				return "done";
			}));
			this.callbacks.awaitOutcome("job");
			assertThat(peak.get()).as("bytes the tab's log held at most").isLessThanOrEqualTo(1024 * 1024);
			eventually().until(() -> stream.ofType("chunk").size() == 200);
			assertThat(stream.ofType("chunk")).extracting((event) -> this.json.readTree(event.data()).get("text").asString())
				.allSatisfy((text) -> assertThat(text).endsWith(big)).extracting((text) -> text.substring(0, text.indexOf('x')))
				.containsExactlyElementsOf(IntStream.range(0, 200).mapToObj(String::valueOf).toList());
		}
		finally {
			EngineTestSupport.shutDown(engine, registry);
		}
	}

	@Test
	void whenAChunkIsLargerThanTheMaximumThenPushFailsInTheTaskAndThePageGetsNothing() {
		EngineTestSupport.Stream stream = connect(this.tab);
		CompletableFuture<Throwable> refused = new CompletableFuture<>();
		inTurn(this.tab, () -> this.view.startAsync("job", (task) -> {
			try {
				task.push("x".repeat(65 * 1024));
			}
			catch (IllegalArgumentException ex) {
				refused.complete(ex);
			}
			task.push("small");
			return "done";
		}));
		assertThat(this.callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Ok<>("done"));
		assertThat(join(refused)).hasMessageContaining("strand.stream.max-chunk-size").hasMessageContaining("'job'");
		assertThat(this.callbacks.chunks.get("job")).containsExactly("small");
		assertThat(stream.ofType("chunk")).hasSize(1);
	}

	@Test
	void whenAChunkIsLargerThanTheMaximumInUtf8BytesThenPushFailsThoughItHasFewerCharacters() {
		EngineTestSupport.Stream stream = connect(this.tab);
		CompletableFuture<Throwable> refused = new CompletableFuture<>();
		String fits = "語".repeat(21 * 1024); // 63 KB as UTF-8, under the 64 KB maximum
		inTurn(this.tab, () -> this.view.startAsync("job", (task) -> {
			try {
				task.push("語".repeat(22 * 1024)); // 22K characters, 66 KB as UTF-8
			}
			catch (IllegalArgumentException ex) {
				refused.complete(ex);
			}
			task.push(fits);
			return "done";
		}));
		assertThat(this.callbacks.awaitOutcome("job")).isEqualTo(new Outcome.Ok<>("done"));
		assertThat(join(refused)).hasMessageContaining("a chunk of " + (22 * 1024 * 3 + 2) + " bytes");
		assertThat(this.callbacks.chunks.get("job")).containsExactly(fits);
		assertThat(stream.ofType("chunk")).hasSize(1);
	}

	@Test
	void whenNoStreamIsAttachedThenPushWaitsInsteadOfOverflowingTheReplayBuffer() {
		EngineTestSupport.Stream stream = connect(this.tab);
		java.util.concurrent.atomic.AtomicInteger pushed = new java.util.concurrent.atomic.AtomicInteger();
		int chunks = this.engine.settings().replayBuffer() * 2;
		this.tab.disconnect(stream.subscription.get());
		long lastSeen = this.tab.lastEventId();
		inTurn(this.tab, () -> this.view.startAsync("job", (task) -> {
			for (int n = 1; n <= chunks; n++) {
				task.push(n);
				pushed.incrementAndGet();
			}
			return "done";
		}));
		eventually().until(() -> pushed.get() >= this.engine.settings().maxPending());
		long held = pushed.get();
		try {
			Thread.sleep(200);
		}
		catch (InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
		assertThat(pushed.get()).as("pushes while no stream reads").isLessThanOrEqualTo((int) held + 1)
			.isLessThan(this.engine.settings().replayBuffer());
		EngineTestSupport.Stream again = new EngineTestSupport.Stream();
		CompletableFuture<Void> attached = new CompletableFuture<>();
		this.tab.connect(lastSeen, again, (subscription) -> {
			again.subscription.set(subscription);
			again.run();
			attached.complete(null);
		});
		join(attached);
		this.callbacks.awaitOutcome("job");
		eventually().until(() -> again.ofType("chunk").size() == chunks);
		assertThat(again.ofType("reset")).as("nothing was lost, so nothing needs a reset").isEmpty();
		assertThat(chunkNumbers(again.events)).containsExactlyElementsOf(IntStream.rangeClosed(1, chunks).boxed().toList());
	}

}
