package dev.strand.internal;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.strand.View;

import static dev.strand.internal.EngineTestSupport.connect;
import static dev.strand.internal.EngineTestSupport.drainMailbox;
import static dev.strand.internal.EngineTestSupport.inTurn;
import static dev.strand.internal.StartAsyncTests.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Messages that queue in a tab's mailbox behind one another share one render when they put out nothing of
 * their own, and the page still gets every event in the order the messages made them.
 */
class QueuedRenderTests {

	private static final int CHUNKS = 5;

	private final StrandEngine engine = StrandEngine.withDefaults();

	private final MemoryTabRegistry registry = new MemoryTabRegistry(this.engine);

	/**
	 * The {@code @HandleChunk} of each task assigns its chunk to the task's name, and navigates to a chunk that
	 * starts with a slash and flashes one that starts with "!"; a chunk that starts with "slow" takes longer than
	 * a frame. Only task "sent" sends its
	 * chunks.
	 */
	private final EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks() {

		@Override
		public void onChunk(String task, Object chunk, View view) {
			super.onChunk(task, chunk, view);
			view.assign(task, chunk);
			if (chunk.toString().startsWith("/")) {
				view.navigate(chunk.toString());
			}
			if (chunk.toString().startsWith("!")) {
				view.flash("info", chunk.toString());
			}
			if (chunk.toString().startsWith("slow")) {
				sleepPastAFrame();
			}
		}

		@Override
		public boolean sendsChunk(String task) {
			return task.equals("sent");
		}

	};

	private final TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED, this.callbacks);

	/** What each render was asked for: the keys that changed. */
	private final List<Set<String>> renders = new CopyOnWriteArrayList<>();

	QueuedRenderTests() {
		View view = this.tab.view();
		this.tab.renderer((buffers) -> new TabRenderer() {

			@Override
			public List<WireEvent.Patch> render(Set<String> changed) {
				QueuedRenderTests.this.renders.add(changed);
				return changed.stream()
					.sorted()
					.map((key) -> new WireEvent.Patch(key, WireEvent.Op.REPLACE,
							"<output id=\"" + key + "\">" + view.get(key) + "</output>"))
					.toList();
			}

			@Override
			public List<WireEvent.Patch> renderAll() {
				return List.of();
			}

			@Override
			public WireEvent.Chunk chunk(WireEvent.Chunk event, Object chunk) {
				return event;
			}

		});
	}

	@AfterEach
	void closeEngine() {
		EngineTestSupport.shutDown(this.engine, this.registry);
	}

	/** Start a task that pushes its chunks once {@code go} opens, then opens {@code pushed}. */
	private void startPushing(String name, List<String> chunks, CountDownLatch go, CountDownLatch pushed) {
		inTurn(this.tab, () -> this.tab.view().startAsync(name, (task) -> {
			await(go);
			for (String chunk : chunks) {
				task.push(chunk);
			}
			pushed.countDown();
			return "done";
		}));
	}

	/**
	 * Connect a stream, have task "kept" push its chunks while the tab's mailbox is held, so that they queue
	 * behind one another, and wait until the tab has handled them and the task's outcome.
	 */
	private EngineTestSupport.Stream pushQueued(String... chunks) {
		EngineTestSupport.Stream stream = connect(this.tab);
		CountDownLatch go = new CountDownLatch(1);
		CountDownLatch pushed = new CountDownLatch(1);
		startPushing("kept", List.of(chunks), go, pushed);
		this.tab.execute(() -> {
			go.countDown();
			await(pushed);
		});
		this.callbacks.awaitOutcome("kept");
		drainMailbox(this.tab);
		return stream;
	}

	@Test
	void whenChunksThatStayOffThePageQueueBehindOneAnotherThenTheirChangesAreRenderedOnce() {
		EngineTestSupport.Stream stream = pushQueued("1", "2", "3", "4", "5");
		assertThat(this.callbacks.chunks.get("kept")).containsExactly("1", "2", "3", "4", "5");
		assertThat(this.renders).containsExactly(Set.of("kept"));
		assertThat(stream.ofType("patch")).singleElement()
			.satisfies((patch) -> assertThat(patch.data()).contains("<output id=\\\"kept\\\">5</output>"));
		assertThat(stream.events).extracting(EventLog.Entry::name).containsSubsequence("patch", "outcome");
		assertThat(stream.events).extracting(EventLog.Entry::name).doesNotContain("chunk");
	}

	@Test
	void whenAQueuedMessagePutsOutAnEventThenTheChangesQueuedBeforeItAreRenderedFirst() {
		EngineTestSupport.Stream stream = connect(this.tab);
		CountDownLatch go = new CountDownLatch(1);
		CountDownLatch keptPushed = new CountDownLatch(1);
		CountDownLatch allPushed = new CountDownLatch(2);
		startPushing("kept", List.of("k1", "k2"), go, keptPushed);
		// "sent" pushes only once "kept" has pushed both its chunks: they queue ahead of its chunk
		inTurn(this.tab, () -> this.tab.view().startAsync("sent", (task) -> {
			await(keptPushed);
			task.push("s1");
			allPushed.countDown();
			return "done";
		}));
		this.tab.execute(() -> {
			go.countDown();
			await(keptPushed);
			allPushed.countDown();
			await(allPushed);
		});
		this.callbacks.awaitOutcome("kept");
		this.callbacks.awaitOutcome("sent");
		drainMailbox(this.tab);
		List<String> order = stream.events.stream()
			.filter((event) -> !event.name().equals("outcome"))
			.map((event) -> event.name() + ":" + (event.data().contains("k2") ? "k2" : event.data().contains("s1") ? "s1" : "?"))
			.toList();
		// the two kept chunks' changes, rendered once and before the sent chunk; then the sent chunk's own change
		assertThat(order).containsExactly("patch:k2", "chunk:s1", "patch:s1");
		assertThat(this.renders).containsExactly(Set.of("kept"), Set.of("sent"));
	}

	@Test
	void whenAChunkArrivesWhileNothingElseIsQueuedThenItsChangeIsRenderedAtOnce() {
		EngineTestSupport.Stream stream = connect(this.tab);
		CountDownLatch go = new CountDownLatch(1);
		CountDownLatch pushed = new CountDownLatch(1);
		inTurn(this.tab, () -> this.tab.view().startAsync("kept", (task) -> {
			task.push("first");
			await(go);
			task.push("second");
			pushed.countDown();
			return "done";
		}));
		EngineTestSupport.eventually().until(() -> stream.ofType("patch").size() == 1);
		assertThat(stream.ofType("patch").get(0).data()).contains("first");
		go.countDown();
		this.callbacks.awaitOutcome("kept");
		drainMailbox(this.tab);
		assertThat(stream.ofType("patch")).hasSize(2);
		assertThat(this.renders).containsExactly(Set.of("kept"), Set.of("kept"));
	}

	@Test
	void whenQueuedChunksEachNavigateThenEveryNavigationGoesOut() {
		EngineTestSupport.Stream stream = pushQueued("/first", "/second", "3");
		assertThat(stream.ofType("navigate")).hasSize(2);
		assertThat(stream.ofType("navigate").get(0).data()).contains("/first");
		assertThat(stream.ofType("navigate").get(1).data()).contains("/second");
		assertThat(stream.ofType("patch").getLast().data()).contains(">3</output>");
	}

	@Test
	void whenQueuedChunksEachFlashThenEveryFlashGoesOutAfterTheChangesMadeBeforeIt() {
		EngineTestSupport.Stream stream = pushQueued("1", "!first", "!second", "4");
		assertThat(stream.ofType("flash")).extracting(EventLog.Entry::data)
			.satisfiesExactly((first) -> assertThat(first).contains("!first"),
					(second) -> assertThat(second).contains("!second"));
		List<String> order = stream.events.stream()
			.filter((event) -> !event.name().equals("outcome"))
			.map((event) -> event.name())
			.toList();
		// "1" waited for "!first", whose flash goes out in the same flush, first as always
		assertThat(order).containsExactly("flash", "patch", "flash", "patch", "patch");
	}

	@Test
	void whenQueuedChunksKeepTheTabBusyForLongerThanAFrameThenTheirChangesAreFlushedWithoutWaitingForTheQueueToEmpty() {
		EngineTestSupport.Stream stream = pushQueued("1", "slow2", "3", "4", "5");
		// "1" and "slow2" waited together for more than a frame: flushed after "slow2"; then the rest together
		assertThat(stream.ofType("patch")).extracting(EventLog.Entry::data)
			.satisfiesExactly((first) -> assertThat(first).contains(">slow2</output>"),
					(second) -> assertThat(second).contains(">5</output>"));
		assertThat(this.renders).hasSize(2);
	}

	private static void sleepPastAFrame() {
		try {
			Thread.sleep(TimeUnit.NANOSECONDS.toMillis(TabActor.MAX_UNFLUSHED_NANOS) * 2);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
