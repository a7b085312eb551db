package dev.strand.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A ring memory for tests that counts the blocks it gave out and has not had back, and fails a block used after
 * it was freed, as memory outside the heap would be reused.
 */
public final class CountingRingMemory implements RingMemory {

	private final RingMemory memory;

	private final AtomicInteger allocated = new AtomicInteger();

	private final AtomicInteger live = new AtomicInteger();

	private final AtomicLong liveBytes = new AtomicLong();

	/** Count blocks on the heap, flagged as outside it. */
	public CountingRingMemory() {
		this(HEAP);
	}

	/**
	 * Count the blocks of another memory.
	 * @param memory where they come from
	 */
	public CountingRingMemory(RingMemory memory) {
		this.memory = memory;
	}

	/** Return the blocks given out so far. */
	public int allocated() {
		return this.allocated.get();
	}

	/** Return the blocks given out and not freed. */
	public int live() {
		return this.live.get();
	}

	/** Return the bytes of the blocks given out and not freed. */
	public long liveBytes() {
		return this.liveBytes.get();
	}

	@Override
	public Block allocate(int size) {
		Block block = this.memory.allocate(size);
		this.allocated.incrementAndGet();
		this.live.incrementAndGet();
		this.liveBytes.addAndGet(size);
		return new Block() {

			private boolean freed;

			@Override
			public int size() {
				return block.size();
			}

			@Override
			public void write(int at, byte[] source, int from, int length) {
				check();
				block.write(at, source, from, length);
			}

			@Override
			public void read(int at, byte[] target, int to, int length) {
				check();
				block.read(at, target, to, length);
			}

			@Override
			public void free() {
				check();
				this.freed = true;
				CountingRingMemory.this.live.decrementAndGet();
				CountingRingMemory.this.liveBytes.addAndGet(-size);
				block.free();
			}

			private void check() {
				if (this.freed) {
					throw new IllegalStateException("block used after it was freed");
				}
			}

		};
	}

}
