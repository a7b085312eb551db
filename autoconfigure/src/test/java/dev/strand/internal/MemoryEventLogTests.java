package dev.strand.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** A tab's outgoing events: numbered, replayed after a reconnect, coalesced by key, never silently lost. */
class MemoryEventLogTests {

	private static final JsonMapper mapper = JsonMapper.builder().build();

	private final MemoryEventLog log = new MemoryEventLog(new MemoryEventLog.Limits(8, 1 << 20, 4, 1 << 20), new Json(mapper));

	/** Return "c1" for a chunk with text c1, and "p1" for progress with done=1. */
	private static List<String> read(EventLog.Subscription subscription) {
		List<String> data = new ArrayList<>();
		for (EventLog.Entry event = subscription.next(); event != null; event = subscription.next()) {
			JsonNode json = mapper.readTree(event.data());
			data.add(event.name().equals("chunk") ? json.get("text").asString() : "p" + json.get("done").asLong());
		}
		return data;
	}

	/** A log of up to 1,000 events and 1MB whose ring grows past its free bytes into this memory. */
	private static MemoryEventLog offHeapLog(CountingRingMemory memory) {
		return new MemoryEventLog(new MemoryEventLog.Limits(1000, 1 << 20, 10, 1 << 19, new BufferBudget(1 << 20, memory)),
				new Json(mapper));
	}

	private static WireEvent chunk(String text) {
		return WireEvent.Chunk.of("job", text, new Json(mapper));
	}

	private static WireEvent progress(int done) {
		return new WireEvent.Progress("job", done, 10);
	}

	@Test
	void whenStreamReconnectsThenItGetsOnlyWhatItMissed() {
		for (int n = 1; n <= 5; n++) {
			this.log.append(chunk("c" + n));
		}
		EventLog.Subscription subscription = this.log.subscribe(3, () -> {
		});
		assertThat(subscription.missed()).isFalse();
		assertThat(read(subscription)).containsExactly("c4", "c5");
	}

	@Test
	void whenMissedEventsAreNoLongerBufferedThenTheStreamIsToldToReset() {
		for (int n = 1; n <= 20; n++) {
			this.log.append(chunk("c" + n));
		}
		EventLog.Subscription subscription = this.log.subscribe(2, () -> {
		});
		assertThat(subscription.missed()).isTrue();
		assertThat(read(subscription)).isEmpty(); // the view then sends a reset with a full render
		this.log.append(chunk("c21"));
		assertThat(read(subscription)).containsExactly("c21");
	}

	@Test
	void whenStreamPresentsAnIdFromTheFutureThenItIsToldToReset() {
		this.log.append(chunk("c1"));
		assertThat(this.log.subscribe(99, () -> {
		}).missed()).isTrue();
	}

	@Test
	void whenKeyedEventsAreNotSentYetThenOnlyTheLatestIsSent() {
		EventLog.Subscription subscription = this.log.subscribe(0, () -> {
		});
		this.log.append(progress(1));
		this.log.append(chunk("c1"));
		this.log.append(progress(2));
		this.log.append(progress(3));
		assertThat(read(subscription)).containsExactly("c1", "p3");
		this.log.append(progress(4));
		assertThat(read(subscription)).containsExactly("p4");
	}

	@Test
	void whenStreamFallsBehindTheBufferThenItEndsRatherThanSkippingEvents() {
		EventLog.Subscription subscription = this.log.subscribe(0, () -> {
		});
		for (int n = 1; n <= 9; n++) {
			this.log.append(chunk("c" + n));
		}
		assertThat(subscription.overrun()).isTrue();
		assertThat(subscription.ended()).isTrue();
		assertThat(read(subscription)).isEmpty();
	}

	@Test
	void whenAnotherStreamAttachesThenTheFirstEnds() {
		AtomicInteger woken = new AtomicInteger();
		EventLog.Subscription first = this.log.subscribe(0, woken::incrementAndGet);
		EventLog.Subscription second = this.log.subscribe(0, () -> {
		});
		assertThat(first.ended()).isTrue();
		assertThat(second.ended()).isFalse();
		assertThat(woken).hasValue(1);
		this.log.append(chunk("c1"));
		assertThat(read(first)).isEmpty();
		assertThat(read(second)).containsExactly("c1");
	}

	@Test
	void whenEventIsAppendedThenTheStreamIsWokenAndIdsIncrease() {
		AtomicInteger woken = new AtomicInteger();
		EventLog.Subscription subscription = this.log.subscribe(0, woken::incrementAndGet);
		long first = this.log.append(chunk("c1"));
		long second = this.log.append(chunk("c2"));
		assertThat(second).isEqualTo(first + 1);
		assertThat(woken).hasValue(2);
		assertThat(subscription.next().id()).isEqualTo(first);
	}

	@Test
	void whenLogClosesThenTheStreamEnds() {
		EventLog.Subscription subscription = this.log.subscribe(0, () -> {
		});
		this.log.close();
		assertThat(subscription.ended()).isTrue();
	}

	@Test
	void whenTheLogClosesBeforeTheStreamReadsThenTheStreamStillGetsTheLastEventsAndThenEnds() {
		EventLog.Subscription subscription = this.log.subscribe(0, () -> {
		});
		this.log.append(chunk("c1"));
		this.log.append(chunk("last"));

		this.log.close(); // before the stream read them: a slow browser, or a stream that drains elsewhere

		assertThat(subscription.ended()).isTrue();
		assertThat(read(subscription)).containsExactly("c1", "last");
	}

	@Test
	void whenAnotherStreamTakesOverThenTheFirstReadsNothingMore() {
		EventLog.Subscription first = this.log.subscribe(0, () -> {
		});
		this.log.append(chunk("c1"));
		EventLog.Subscription second = this.log.subscribe(0, () -> {
		});
		this.log.close();

		assertThat(read(first)).isEmpty();
		assertThat(read(second)).containsExactly("c1");
	}

	@Test
	void whenTheRingGrowsAsEventsComeThenItReplaysWhatAFullSizeOneWould() {
		java.util.Random random = new java.util.Random(2);
		for (int trial = 0; trial < 2_000; trial++) {
			int capacity = 2 + random.nextInt(random.nextBoolean() ? 40 : 300);
			EventLog log = new MemoryEventLog(new MemoryEventLog.Limits(capacity, 1L << 30, capacity - 1, 1L << 30), new Json(mapper));
			int appended = random.nextInt(3 * capacity + 5);
			for (int i = 1; i <= appended; i++) {
				log.append(chunk("d" + i));
			}
			long lastEventId = random.nextInt(appended + 2);
			EventLog.Subscription subscription = log.subscribe(lastEventId, () -> {
			});
			List<Long> replayed = new ArrayList<>();
			for (EventLog.Entry event = subscription.next(); event != null; event = subscription.next()) {
				replayed.add(event.id());
			}
			long oldest = Math.max(1, appended - capacity + 1);
			boolean missed = lastEventId > appended || lastEventId + 1 < oldest;
			assertThat(subscription.missed()).as("missed, capacity %d, %d events, from %d", capacity, appended, lastEventId)
				.isEqualTo(missed);
			List<Long> expected = new ArrayList<>();
			for (long id = lastEventId + 1; !missed && id <= appended; id++) {
				expected.add(id);
			}
			assertThat(replayed).isEqualTo(expected);
		}
	}

	@Test
	void whenEventsOfEverySizeWrapRoundTheByteRingThenEachIsReadBackWholeAndKeyedOnesOnlyAtTheirLatest() {
		java.util.Random random = new java.util.Random(7);
		String[] alphabet = { "a", "b", "<", "&", "\"", "é", "—", "😀", "\n" }; // one to four bytes each in UTF-8
		for (int trial = 0; trial < 300; trial++) {
			long budget = 200 + random.nextInt(3_000);
			int events = 4 + random.nextInt(60);
			MemoryEventLog log = new MemoryEventLog(new MemoryEventLog.Limits(events, budget, events - 1, budget), new Json(mapper));
			java.util.Map<Long, String> texts = new java.util.HashMap<>();
			java.util.Map<String, Long> latestProgress = new java.util.HashMap<>();
			int count = random.nextInt(4 * events);
			for (int i = 1; i <= count; i++) {
				if (random.nextInt(4) == 0) {
					String task = "job" + random.nextInt(2);
					latestProgress.put(task, log.append(new WireEvent.Progress(task, i, 0)));
				}
				else {
					StringBuilder text = new StringBuilder("e" + i + ":");
					for (int n = random.nextInt(random.nextInt(8) == 0 ? 1_500 : 120); n > 0; n--) {
						text.append(alphabet[random.nextInt(alphabet.length)]);
					}
					texts.put(log.append(chunk(text.toString())), text.toString());
				}
				// 1,500 characters of up to 3 bytes each (an emoji is two of them, four bytes), as JSON: under 5,000
				assertThat(log.retainedBytes()).isLessThanOrEqualTo(Math.max(budget, 5_000));
			}
			// nobody read while they were appended: of each task's progress, only the latest may be sent
			EventLog.Subscription subscription = log.subscribe(random.nextInt(count + 1), () -> {
			});
			long previous = 0;
			for (EventLog.Entry event = subscription.next(); event != null; event = subscription.next()) {
				assertThat(event.id()).isGreaterThan(previous);
				previous = event.id();
				JsonNode json = mapper.readTree(event.data());
				if (event.name().equals("chunk")) {
					assertThat(json.get("text").asString()).as("event %d of trial %d", event.id(), trial)
						.isEqualTo(texts.get(event.id()));
				}
				else {
					assertThat(event.id()).isEqualTo(latestProgress.get(json.get("task").asString()));
				}
			}
		}
	}

	@Test
	void whenEventsPassTheByteBudgetThenTheOldestGoButTheNewestIsAlwaysKept() {
		MemoryEventLog log = new MemoryEventLog(new MemoryEventLog.Limits(100, 1000, 10, 500), new Json(mapper));
		EventLog.Subscription subscription = log.subscribe(0, () -> {
		});
		for (int n = 1; n <= 50; n++) {
			log.append(chunk("c" + n + "-" + "x".repeat(90)));
			read(subscription); // a reader that keeps up
			assertThat(log.retainedBytes()).as("after %d events", n).isLessThanOrEqualTo(1000);
		}
		assertThat(subscription.ended()).isFalse();
		log.append(chunk("huge-" + "x".repeat(5000)));
		assertThat(log.retainedBytes()).as("one event larger than the budget").isGreaterThan(5000).isLessThan(5100);
		assertThat(read(subscription)).singleElement().asString().startsWith("huge-");
		EventLog.Subscription late = log.subscribe(40, () -> {
		});
		assertThat(late.missed()).as("what the budget let go is no longer replayed").isTrue();
	}

	@Test
	void whenTheServersBufferBudgetIsSpentThenALogKeepsFewerEventsButAlwaysItsNewest() {
		BufferBudget spent = new BufferBudget(0);
		MemoryEventLog log = new MemoryEventLog(new MemoryEventLog.Limits(1000, 1 << 20, 10, 1 << 19, spent),
				new Json(mapper));
		EventLog.Subscription subscription = log.subscribe(0, () -> {
		});
		for (int n = 1; n <= 200; n++) {
			log.append(chunk("c" + n + "-" + "x".repeat(200)));
			assertThat(read(subscription)).singleElement().asString().contains("c" + n + "-"); // a reader that keeps up
			assertThat(log.retainedBytes()).isLessThanOrEqualTo(ByteRing.FREE_BYTES);
		}
		assertThat(subscription.ended()).isFalse();
		assertThat(log.subscribe(100, () -> {
		}).missed()).as("what the spent budget let go is no longer replayed").isTrue();
		EventLog.Subscription late = log.subscribe(195, () -> {
		});
		assertThat(late.missed()).isFalse();
		assertThat(read(late)).hasSize(5);
		assertThat(spent.taken()).isZero();
	}

	@Test
	void whenALogClosesThenItsRingGivesBackWhatItTookFromTheServersBudget() {
		BufferBudget budget = new BufferBudget(1 << 20);
		MemoryEventLog log = new MemoryEventLog(new MemoryEventLog.Limits(1000, 1 << 20, 10, 1 << 19, budget),
				new Json(mapper));
		for (int n = 1; n <= 300; n++) {
			log.append(chunk("c" + n + "-" + "x".repeat(300)));
		}
		assertThat(budget.taken()).isPositive();
		log.close();
		assertThat(budget.taken()).isZero();
	}

	@Test
	void whenALogWhoseRingIsOutsideTheHeapClosesThenItFreesItAndItsStreamsStillReadWhatItKept() {
		CountingRingMemory memory = new CountingRingMemory();
		MemoryEventLog log = offHeapLog(memory);
		EventLog.Subscription slow = log.subscribe(0, () -> {
		});
		for (int n = 1; n <= 300; n++) {
			log.append(chunk("c" + n + "-" + "x".repeat(300)));
			if (n <= 295) {
				slow.next(); // the stream falls behind by the last five
			}
		}
		assertThat(memory.live()).as("the ring outgrew its free bytes").isOne();
		log.close();
		assertThat(memory.live()).isZero();
		assertThat(read(slow)).extracting((text) -> text.substring(0, text.indexOf('-')))
			.containsExactly("c296", "c297", "c298", "c299", "c300");
		assertThat(slow.ended()).isTrue();
		EventLog.Subscription late = log.subscribe(295, () -> {
		});
		assertThat(late.missed()).as("a late stream from where the last one read").isFalse();
		assertThat(read(late)).hasSize(5).first().asString().startsWith("c296-");
	}

	@Test
	void whenALogClosesThenItKeepsOnlyWhatItsStreamHasNotReadAndNoStreamCanBeOwedMore() {
		CountingRingMemory memory = new CountingRingMemory();
		MemoryEventLog log = offHeapLog(memory);
		EventLog.Subscription stream = log.subscribe(0, () -> {
		});
		long readBytes = 0;
		for (int n = 1; n <= 300; n++) {
			log.append(chunk("c" + n + "-" + "x".repeat(300)));
			if (n <= 298) {
				stream.next();
				readBytes = log.retainedBytes();
			}
		}
		long lastTwo = log.retainedBytes() - readBytes;
		assertThat(log.retainedBytes()).as("some 90KB of replay, off the heap").isGreaterThan(64 * 1024);

		log.close(); // the read events would move onto the heap for nobody: the tab is gone, no browser reconnects to it

		assertThat(log.retainedBytes()).isEqualTo(lastTwo);
		assertThat(memory.live()).isZero();
		assertThat(read(stream)).extracting((text) -> text.substring(0, text.indexOf('-'))).containsExactly("c299", "c300");
		EventLog.Subscription behind = log.subscribe(100, () -> {
		});
		assertThat(behind.missed()).as("a late stream from before what was read").isTrue();
		assertThat(read(behind)).extracting((text) -> text.substring(0, text.indexOf('-'))).containsExactly("c300");
	}

	@Test
	void whenALogWithNoStreamClosesThenItKeepsEverythingForALateOne() {
		this.log.append(chunk("c1"));
		this.log.append(chunk("c2"));
		long kept = this.log.retainedBytes();

		this.log.close();

		assertThat(this.log.retainedBytes()).isEqualTo(kept);
		assertThat(read(this.log.subscribe(0, () -> {
		}))).containsExactly("c1", "c2");
	}

	@Test
	void whenAStreamCannotKeepTheEventsItHasNotReadThenItEndsRatherThanSkipOne() {
		MemoryEventLog log = new MemoryEventLog(new MemoryEventLog.Limits(100, 1000, 10, 500), new Json(mapper));
		EventLog.Subscription subscription = log.subscribe(0, () -> {
		});
		for (int n = 1; n <= 20; n++) {
			log.append(chunk("c" + n + "-" + "x".repeat(90)));
		}
		assertThat(subscription.overrun()).isTrue();
		assertThat(read(subscription)).isEmpty();
	}

	@Test
	void whenNoStreamIsAttachedThenATooLongBacklogStillHoldsAPushBack() throws InterruptedException {
		EventLog.Subscription subscription = this.log.subscribe(0, () -> {
		});
		for (int n = 1; n <= 3; n++) {
			this.log.append(chunk("c" + n));
		}
		assertThat(read(subscription)).containsExactly("c1", "c2", "c3");
		subscription.cancel();
		for (int n = 4; n <= 8; n++) {
			this.log.append(chunk("c" + n));
		}
		assertThat(this.log.reserve(1, java.time.Duration.ofMillis(20))).as("5 events behind, 4 allowed").isFalse();
		this.log.release(1);
		EventLog.Subscription again = this.log.subscribe(3, () -> {
		});
		assertThat(again.missed()).isFalse();
		assertThat(read(again)).containsExactly("c4", "c5", "c6", "c7", "c8");
		assertThat(this.log.reserve(1, java.time.Duration.ZERO)).isTrue();
		assertThat(this.log.reserve(1, java.time.Duration.ZERO)).isTrue();
		assertThat(this.log.reserve(1, java.time.Duration.ZERO)).isTrue();
		assertThat(this.log.reserve(1, java.time.Duration.ZERO)).isTrue();
		assertThat(this.log.reserve(1, java.time.Duration.ZERO)).as("four chunks reserved and not yet appended").isFalse();
	}

	@Test
	void whenATaskWaitsForRoomThenTheStreamReadingAnEventWakesIt() throws Exception {
		EventLog.Subscription subscription = this.log.subscribe(0, () -> {
		});
		for (int n = 1; n <= 4; n++) {
			this.log.append(chunk("c" + n));
		}
		CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> reserve(this.log, 60));
		Thread.sleep(100);
		assertThat(waiting).as("4 events behind, 4 allowed: no room for a fifth").isNotDone();
		assertThat(subscription.next()).isNotNull();
		assertThat(waiting.get(10, TimeUnit.SECONDS)).as("woken by the read, long before its timeout").isTrue();
	}

	@Test
	void whenATaskWaitsForRoomThenAnotherTaskGivingBackItsReservationWakesIt() throws Exception {
		for (int n = 1; n <= 4; n++) {
			assertThat(this.log.reserve(1, java.time.Duration.ZERO)).isTrue();
		}
		CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> reserve(this.log, 60));
		Thread.sleep(100);
		assertThat(waiting).as("four chunks reserved, four allowed").isNotDone();
		this.log.release(1);
		assertThat(waiting.get(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void whenAStreamReadsWhileATaskAppendsThenItGetsEveryEventOnceAndInOrder() throws Exception {
		int events = 20_000;
		MemoryEventLog log = new MemoryEventLog(new MemoryEventLog.Limits(1 << 16, 1 << 24, 1 << 16, 1 << 24), new Json(mapper));
		Semaphore woken = new Semaphore(0);
		EventLog.Subscription subscription = log.subscribe(0, woken::release);
		Thread task = Thread.ofVirtual().start(() -> {
			for (int n = 1; n <= events; n++) {
				log.append(chunk("c" + n));
			}
		});
		List<Long> ids = new ArrayList<>();
		while (ids.size() < events) {
			for (EventLog.Entry entry = subscription.next(); entry != null; entry = subscription.next()) {
				ids.add(entry.id());
			}
			if (ids.size() < events) {
				assertThat(woken.tryAcquire(10, TimeUnit.SECONDS)).as("woken after event " + ids.size()).isTrue();
			}
		}
		task.join();
		assertThat(ids).hasSize(events);
		for (int n = 0; n < events; n++) {
			assertThat(ids.get(n)).isEqualTo(n + 1L);
		}
		assertThat(subscription.next()).isNull();
	}

	private static boolean reserve(EventLog log, int seconds) {
		try {
			return log.reserve(1, java.time.Duration.ofSeconds(seconds));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

}
