package dev.strand.web;

import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import dev.strand.internal.BufferBudget;
import dev.strand.internal.ByteRing;
import dev.strand.internal.RingMemory;

import static org.assertj.core.api.Assertions.assertThat;

/** Replay buffers and stream histories in Netty's direct memory: read back whole, and given back when released. */
class DirectRingMemoryTests {

	@Test
	void whenARingGrowsInDirectMemoryThenItReadsBackWhatItKeptAndFreesEachBufferItReplaces() {
		PooledByteBufAllocator allocator = new PooledByteBufAllocator(true);
		ByteRing ring = new ByteRing(1 << 20, new BufferBudget(1 << 20, new DirectRingMemory(allocator)));
		StringBuilder all = new StringBuilder();
		for (int n = 0; n < 300; n++) {
			String record = n + "-" + "ü".repeat(300) + ";";
			ring.add(record.getBytes(StandardCharsets.UTF_8));
			all.append(record);
		}
		assertThat(ring.readAll()).isEqualTo(all.toString());
		assertThat(activeAllocations(allocator)).as("the buffer the ring has; those it grew out of are back").isOne();
		ring.release();
		assertThat(ring.readAll()).isEqualTo(all.toString());
		assertThat(activeAllocations(allocator)).as("every buffer the ring had is back").isZero();
	}

	private static long activeAllocations(PooledByteBufAllocator allocator) {
		return allocator.metric().directArenas().stream().mapToLong((arena) -> arena.numActiveAllocations()).sum();
	}

	@Test
	void whenABlockIsFreedThenItsBufferIsReleased() {
		Allocator allocator = new Allocator((size) -> UnpooledByteBufAllocator.DEFAULT.directBuffer(size, size));
		RingMemory.Block block = new DirectRingMemory(allocator).allocate(64);
		block.write(10, "hello".getBytes(StandardCharsets.UTF_8), 0, 5);
		byte[] read = new byte[5];
		block.read(10, read, 0, 5);
		assertThat(new String(read, StandardCharsets.UTF_8)).isEqualTo("hello");
		assertThat(block.onHeap()).isFalse();
		assertThat(block.size()).isEqualTo(64);
		block.free();
		assertThat(allocator.made.refCnt()).isZero();
	}

	@Test
	void whenDirectMemoryIsSpentThenABufferComesFromTheHeap() {
		RingMemory memory = new DirectRingMemory(new Allocator((size) -> {
			throw new OutOfMemoryError("Cannot reserve " + size + " bytes of direct buffer memory");
		}));
		RingMemory.Block block = memory.allocate(100_000);
		assertThat(block.onHeap()).isTrue();
		assertThat(block.size()).isEqualTo(100_000);
	}

	@Test
	void whenABufferComesInSeveralPiecesThenItGoesBackAndTheBlockComesFromTheHeap() {
		Allocator allocator = new Allocator((size) -> Unpooled.compositeBuffer(2)
			.addComponents(true, Unpooled.directBuffer(size / 2, size / 2),
					Unpooled.directBuffer(size - size / 2, size - size / 2)));
		RingMemory.Block block = new DirectRingMemory(allocator).allocate(64);
		assertThat(block.onHeap()).isTrue();
		assertThat(block.size()).isEqualTo(64);
		assertThat(allocator.made.refCnt()).isZero();
	}

	/** An allocator whose direct buffers a test makes, of the size asked for; it keeps the last one. */
	private static final class Allocator extends AbstractByteBufAllocator {

		private final IntFunction<ByteBuf> direct;

		private @Nullable ByteBuf made;

		Allocator(IntFunction<ByteBuf> direct) {
			this.direct = direct;
		}

		@Override
		protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
			this.made = this.direct.apply(initialCapacity);
			return this.made;
		}

		@Override
		protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
			throw new UnsupportedOperationException();
		}

		@Override
		public boolean isDirectBufferPooled() {
			return false;
		}

	}

}
