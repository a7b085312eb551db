package dev.strand.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The byte ring keeps the newest records whole, across its wrap, its growth and its shrinking back. */
class ByteRingTests {

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static long add(ByteRing ring, String text) {
		return ring.add(utf8(text));
	}

	@Test
	void whenRecordsAreAddedAndTheOldestDroppedThenTheKeptOnesReadBackWholeAcrossTheWrap() {
		Random random = new Random(11);
		for (int trial = 0; trial < 200; trial++) {
			long budget = 64 + random.nextInt(2_000);
			ByteRing ring = new ByteRing(budget);
			ArrayDeque<String> kept = new ArrayDeque<>();
			ArrayDeque<Long> ends = new ArrayDeque<>();
			for (int n = 0; n < 300; n++) {
				String record = "r" + n + "é".repeat(random.nextInt(random.nextInt(10) == 0 ? 3_000 : 40));
				int size = utf8(record).length;
				while (!kept.isEmpty() && ring.kept() + size > budget) {
					ring.drop(utf8(kept.removeFirst()).length);
					ends.removeFirst();
				}
				ends.addLast(add(ring, record));
				kept.addLast(record);
				assertThat(ring.readAll()).isEqualTo(String.join("", kept));
				assertThat(ring.read(ends.getLast(), size)).isEqualTo(record);
				assertThat(ring.bytes(ends.getLast(), size)).isEqualTo(utf8(record));
				assertThat(ring.read(ends.getFirst(), utf8(kept.getFirst()).length)).isEqualTo(kept.getFirst());
				assertThat(ring.bytes(ends.getFirst(), utf8(kept.getFirst()).length)).isEqualTo(utf8(kept.getFirst()));
			}
		}
	}

	@Test
	void whenARecordLargerThanTheBudgetIsGoneThenTheRingShrinksBackToItsBudget() {
		ByteRing ring = new ByteRing(100);
		assertThat(ring.readAll()).isEmpty();
		assertThat(ring.capacity()).as("nothing until the first record").isZero();
		add(ring, "x".repeat(5_000));
		assertThat(ring.kept()).isEqualTo(5_000);
		assertThat(ring.capacity()).isEqualTo(5_000);
		ring.drop(5_000);
		add(ring, "small");
		assertThat(ring.capacity()).isEqualTo(100);
		assertThat(ring.readAll()).isEqualTo("small");
		assertThat(ring.kept()).isEqualTo(5);
		assertThat(ring.end()).isEqualTo(5_005);
		ring.clear();
		assertThat(ring.readAll()).isEmpty();
	}

	@Test
	void whenTextOfEveryKindIsAddedAcrossTheWrapThenItReadsBackAsItsUtf8() {
		Random random = new Random(5);
		char[] kinds = { 'a', '\n', '"', 'é', 'ߐ', 'ࠀ', '€', '\uFFFF', '\uD83D', '\uDE00' }; // lone surrogates among them
		for (int trial = 0; trial < 2_000; trial++) {
			StringBuilder text = new StringBuilder();
			for (int i = random.nextInt(30); i > 0; i--) {
				if (random.nextInt(4) == 0) {
					text.appendCodePoint(0x1F600 + random.nextInt(80)); // a pair
				}
				else {
					text.append(kinds[random.nextInt(kinds.length)]);
				}
			}
			byte[] expected = utf8(text.toString());
			ByteRing ring = new ByteRing(64);
			add(ring, "x".repeat(random.nextInt(64))); // so that some wrap
			ring.drop(ring.kept());
			long end = ring.add(expected);
			assertThat(ring.read(end, expected.length)).as("text of %s", text).isEqualTo(new String(expected, StandardCharsets.UTF_8));
		}
	}

	@Test
	void whenTheFirstRecordIsEmptyThenTheRingKeepsItAndReadsItBack() {
		ByteRing ring = new ByteRing(100);
		long end = add(ring, "");
		assertThat(end).isZero();
		assertThat(ring.read(end, 0)).isEmpty();
		assertThat(ring.readAll()).isEmpty();
	}

	/** An owner as the log and the histories are: ask the ring's limit, drop the oldest to fit, then add. */
	private static void keep(ByteRing ring, ArrayDeque<byte[]> kept, byte[] record) {
		long room = ring.limit(record.length);
		while (!kept.isEmpty() && ring.kept() + record.length > room) {
			ring.drop(kept.removeFirst().length);
		}
		ring.add(record);
		kept.addLast(record);
	}

	private static String joined(ArrayDeque<byte[]> kept) {
		StringBuilder all = new StringBuilder();
		kept.forEach((record) -> all.append(new String(record, StandardCharsets.UTF_8)));
		return all.toString();
	}

	@Test
	void whenTheSharedBudgetIsSpentThenARingKeepsTheBufferItHasAndDropsItsOldestSooner() {
		BufferBudget shared = new BufferBudget(0);
		ByteRing ring = new ByteRing(1 << 20, shared);
		ArrayDeque<byte[]> kept = new ArrayDeque<>();
		for (int n = 0; n < 200; n++) {
			keep(ring, kept, utf8(n + ":" + "x".repeat(995)));
			assertThat(ring.readAll()).isEqualTo(joined(kept));
		}
		assertThat(ring.capacity()).as("what a ring may always have").isLessThanOrEqualTo(ByteRing.FREE_BYTES)
			.isGreaterThan(ByteRing.FREE_BYTES / 2);
		assertThat(kept).hasSize(ring.capacity() / 1_000);
		assertThat(new String(kept.getLast(), StandardCharsets.UTF_8)).startsWith("199:");
		assertThat(shared.taken()).isZero();
	}

	@Test
	void whenRingsGrowShrinkAndAreReleasedThenTheSharedBudgetCountsWhatTheirBuffersHoldBeyondTheFreeBytes() {
		Random random = new Random(3);
		for (int trial = 0; trial < 30; trial++) {
			long total = random.nextInt(400_000);
			BufferBudget shared = new BufferBudget(total);
			List<ByteRing> rings = new ArrayList<>();
			List<ArrayDeque<byte[]>> kepts = new ArrayList<>();
			long[] largest = new long[6];
			for (int r = 0; r < 6; r++) {
				rings.add(new ByteRing(16_000 + random.nextInt(200_000), shared));
				kepts.add(new ArrayDeque<>());
			}
			for (int n = 0; n < 1_000; n++) {
				int r = random.nextInt(rings.size());
				ByteRing ring = rings.get(r);
				// now and then a record larger than all a ring holds, which it keeps whatever the budget says
				int size = (random.nextInt(300) == 0) ? 100_000 + random.nextInt(300_000) : 1 + random.nextInt(3_000);
				byte[] record = utf8("r" + n + "-" + "y".repeat(size));
				largest[r] = Math.max(largest[r], record.length);
				keep(ring, kepts.get(r), record);
				assertThat(ring.readAll()).isEqualTo(joined(kepts.get(r)));
				long held = rings.stream().mapToLong((each) -> Math.max(0, each.capacity() - ByteRing.FREE_BYTES)).sum();
				assertThat(shared.taken()).as("trial %d, record %d", trial, n).isEqualTo(held);
				// beyond the total by at most what each ring's largest record made it take anyway
				long forced = Arrays.stream(largest).map((length) -> Math.max(0, length - ByteRing.FREE_BYTES)).sum();
				assertThat(held).isLessThanOrEqualTo(total + forced);
			}
			rings.forEach(ByteRing::release);
			assertThat(shared.taken()).isZero();
		}
	}

	@Test
	void whenARingIsReleasedThenAnotherCanGrowIntoWhatItGaveBack() {
		BufferBudget shared = new BufferBudget(48 * 1024);
		ByteRing first = new ByteRing(1 << 20, shared);
		ByteRing second = new ByteRing(1 << 20, shared);
		ArrayDeque<byte[]> firstKept = new ArrayDeque<>();
		ArrayDeque<byte[]> secondKept = new ArrayDeque<>();
		for (int n = 0; n < 100; n++) {
			keep(first, firstKept, utf8("x".repeat(1_000)));
		}
		int grown = first.capacity(); // doubled from its first record's size while the budget lasted
		assertThat(grown).isGreaterThan(2 * ByteRing.FREE_BYTES);
		assertThat(shared.taken()).isEqualTo(grown - ByteRing.FREE_BYTES).isLessThanOrEqualTo(48 * 1024);
		for (int n = 0; n < 100; n++) {
			keep(second, secondKept, utf8("x".repeat(1_000)));
		}
		assertThat(second.capacity()).as("the budget is spent").isLessThanOrEqualTo(ByteRing.FREE_BYTES);
		first.release();
		assertThat(shared.taken()).isZero();
		for (int n = 0; n < 100; n++) {
			keep(second, secondKept, utf8("x".repeat(1_000)));
		}
		assertThat(second.capacity()).isEqualTo(grown);
		assertThat(shared.taken()).isEqualTo(grown - ByteRing.FREE_BYTES);
		keep(first, firstKept, utf8("after"));
		assertThat(shared.taken()).as("what a released ring does is not counted").isEqualTo(grown - ByteRing.FREE_BYTES);
	}

	@Test
	void whenTheSharedBudgetIsSpentThenARecordLargerThanTheBufferIsStillKeptInABufferOfItsOwnSize() {
		BufferBudget shared = new BufferBudget(0);
		ByteRing ring = new ByteRing(1 << 20, shared);
		ArrayDeque<byte[]> kept = new ArrayDeque<>();
		keep(ring, kept, utf8("small"));
		keep(ring, kept, utf8("z".repeat(40_000)));
		assertThat(kept).hasSize(1);
		assertThat(ring.readAll()).isEqualTo("z".repeat(40_000));
		assertThat(ring.capacity()).as("not doubled past it").isEqualTo(40_000);
		assertThat(shared.taken()).isEqualTo(40_000 - ByteRing.FREE_BYTES);
		ring.release();
		assertThat(shared.taken()).isZero();
	}


	@Test
	void whenARingOutgrowsItsFreeBytesThenItsBufferComesFromTheBudgetsMemoryAndEachBufferItReplacesIsFreed() {
		CountingRingMemory memory = new CountingRingMemory();
		ByteRing ring = new ByteRing(1 << 20, new BufferBudget(1 << 20, memory));
		ArrayDeque<byte[]> kept = new ArrayDeque<>();
		for (int n = 0; n < 16; n++) {
			keep(ring, kept, utf8("a".repeat(1_000)));
		}
		assertThat(ring.onHeap()).as("within its free bytes").isTrue();
		assertThat(memory.allocated()).isZero();
		for (int n = 0; n < 200; n++) {
			keep(ring, kept, utf8(n + "b".repeat(1_000)));
		}
		assertThat(ring.onHeap()).isFalse();
		assertThat(memory.allocated()).as("32KB, 64KB, 128KB, 256KB").isEqualTo(4);
		assertThat(memory.live()).isOne();
		assertThat(memory.liveBytes()).isEqualTo(ring.capacity());
		assertThat(ring.readAll()).isEqualTo(joined(kept));
	}

	@Test
	void whenARingOutsideTheHeapIsReleasedThenItFreesItsBufferAndStillReadsAndAddsOnTheHeap() {
		CountingRingMemory memory = new CountingRingMemory();
		BufferBudget shared = new BufferBudget(1 << 20, memory);
		ByteRing ring = new ByteRing(1 << 20, shared);
		ArrayDeque<byte[]> kept = new ArrayDeque<>();
		for (int n = 0; n < 50; n++) {
			keep(ring, kept, utf8(n + "é".repeat(500)));
		}
		long end = ring.end();
		String last = ring.read(end, kept.getLast().length);
		ring.release();
		assertThat(memory.live()).isZero();
		assertThat(shared.taken()).isZero();
		assertThat(ring.onHeap()).isTrue();
		assertThat(ring.readAll()).isEqualTo(joined(kept));
		assertThat(ring.read(end, kept.getLast().length)).isEqualTo(last);
		for (int n = 0; n < 50; n++) {
			keep(ring, kept, utf8("after" + n + "x".repeat(1_000)));
		}
		assertThat(ring.readAll()).isEqualTo(joined(kept));
		assertThat(memory.allocated()).as("32KB and 64KB: nothing more once released").isEqualTo(2);
		assertThat(shared.taken()).isZero();
	}

	@Test
	void whenRecordsOfAnySizeComeAndGoThenARingKeepsThemWholeAndHoldsAtMostOneBlockOutsideTheHeap() {
		Random random = new Random(17);
		for (int trial = 0; trial < 30; trial++) {
			CountingRingMemory memory = new CountingRingMemory();
			BufferBudget shared = new BufferBudget(random.nextInt(200_000), memory);
			ByteRing ring = new ByteRing(20_000 + random.nextInt(100_000), shared);
			ArrayDeque<byte[]> kept = new ArrayDeque<>();
			for (int n = 0; n < 400; n++) {
				int size = random.nextInt(50) == 0 ? 150_000 + random.nextInt(50_000) : random.nextInt(2_000);
				keep(ring, kept, utf8(n + "y".repeat(size)));
				assertThat(ring.readAll()).as("trial %d, record %d", trial, n).isEqualTo(joined(kept));
				assertThat(memory.live()).as("trial %d, record %d", trial, n).isEqualTo(ring.onHeap() ? 0 : 1);
			}
			ring.release();
			assertThat(memory.live()).isZero();
			assertThat(shared.taken()).isZero();
			assertThat(ring.readAll()).isEqualTo(joined(kept));
		}
	}

}
