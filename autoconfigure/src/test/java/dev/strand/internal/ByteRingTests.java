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
				ends.addLast(ring.add(utf8(record)));
				kept.addLast(record);
				assertThat(ring.readAll()).isEqualTo(String.join("", kept));
				assertThat(ring.read(ends.getLast(), size)).isEqualTo(record);
				assertThat(ring.read(ends.getFirst(), utf8(kept.getFirst()).length)).isEqualTo(kept.getFirst());
			}
		}
	}

	@Test
	void whenARecordLargerThanTheBudgetIsGoneThenTheRingShrinksBackToItsBudget() {
		ByteRing ring = new ByteRing(100);
		assertThat(ring.readAll()).isEmpty();
		assertThat(ring.capacity()).as("nothing until the first record").isZero();
		ring.add(utf8("x".repeat(5_000)));
		assertThat(ring.kept()).isEqualTo(5_000);
		assertThat(ring.capacity()).isEqualTo(5_000);
		ring.drop(5_000);
		ring.add(utf8("small"));
		assertThat(ring.capacity()).isEqualTo(100);
		assertThat(ring.readAll()).isEqualTo("small");
		assertThat(ring.kept()).isEqualTo(5);
		assertThat(ring.end()).isEqualTo(5_005);
		ring.clear();
		assertThat(ring.readAll()).isEmpty();
	}

}
