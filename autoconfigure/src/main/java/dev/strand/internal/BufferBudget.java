package dev.strand.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes that every tab's rings together (replay buffers and {@code strand:stream} histories) may take beyond
 * what each ring may always hold ({@link ByteRing#FREE_BYTES}), so that many busy tabs cannot fill the memory
 * those buffers come from ({@link #memory()}: the heap, or memory outside it). A ring takes from it as it grows
 * and gives back when it shrinks or its tab ends; a ring refused more keeps what it has and drops its oldest
 * records sooner. Thread-safe.
 */
public final class BufferBudget {

	/** A budget that never refuses and counts nothing: for rings outside a server's, and released ones. */
	public static final BufferBudget UNBOUNDED = new BufferBudget(Long.MAX_VALUE);

	private final long total;

	private final RingMemory memory;

	private final AtomicLong taken = new AtomicLong();

	/**
	 * Create a budget whose rings keep their buffers on the heap.
	 * @param total the bytes it holds
	 */
	public BufferBudget(long total) {
		this(total, RingMemory.HEAP);
	}

	/**
	 * Create a budget.
	 * @param total the bytes it holds
	 * @param memory where its rings' buffers larger than {@link ByteRing#FREE_BYTES} live
	 */
	public BufferBudget(long total, RingMemory memory) {
		if (total < 0) {
			throw new IllegalArgumentException("strand.stream.total-buffer-size must not be negative, but was " + total);
		}
		this.total = total;
		this.memory = memory;
	}

	/**
	 * Return where the rings' buffers larger than {@link ByteRing#FREE_BYTES} live.
	 * @return the memory
	 */
	public RingMemory memory() {
		return this.memory;
	}

	/**
	 * Return the bytes the budget holds.
	 * @return the bytes
	 */
	public long total() {
		return this.total;
	}

	/**
	 * Return the bytes the rings have taken.
	 * @return the bytes
	 */
	public long taken() {
		return this.taken.get();
	}

	/**
	 * Take bytes if the budget still has them.
	 * @param bytes how many
	 * @return whether they were taken
	 */
	boolean tryTake(long bytes) {
		if (this == UNBOUNDED) {
			return true;
		}
		long now;
		do {
			now = this.taken.get();
			if (bytes > this.total - now) {
				return false;
			}
		}
		while (!this.taken.compareAndSet(now, now + bytes));
		return true;
	}

	/**
	 * Take bytes whether the budget has them or not: for a record larger than all its ring holds, which is kept
	 * whatever its size.
	 * @param bytes how many
	 */
	void take(long bytes) {
		if (this != UNBOUNDED) {
			this.taken.addAndGet(bytes);
		}
	}

	/**
	 * Give bytes back.
	 * @param bytes how many
	 */
	void give(long bytes) {
		if (this != UNBOUNDED) {
			this.taken.addAndGet(-bytes);
		}
	}

}
