package dev.strand.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
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

}
