package dev.strand.internal;

import java.nio.charset.StandardCharsets;

/**
 * The newest bytes of a stream of records, such as a tab's events or the chunks a container shows, kept as
 * UTF-8 in one circular buffer instead of as an object per record: what a busy tab keeps for seconds or minutes
 * is then nothing the garbage collector copies or promotes. The owner says where each record ends and drops the
 * oldest first; positions are counted in bytes added since the ring began. The buffer is made with the first
 * record, grows by doubling up to a budget (beyond it only for a record larger than the budget) and shrinks back
 * once such a record is gone. Beyond its first {@link #FREE_BYTES}, its buffer takes its bytes from a budget it
 * shares with every other ring of the server ({@link BufferBudget}): once that is spent, the ring keeps the buffer
 * it has and {@link #limit} tells its owner to drop its oldest records sooner. A buffer larger than
 * {@link #FREE_BYTES} comes from the budget's {@link RingMemory}, which may be outside the heap; the ring frees
 * a buffer it replaces, and moves what it keeps onto the heap when its owner releases it. Not thread-safe: its
 * owner guards it.
 */
public final class ByteRing {

	/** The bytes a ring's buffer may always have, whatever the shared budget has left. */
	public static final int FREE_BYTES = 16 * 1024;

	private static final int INITIAL_BYTES = 256;

	private final long budget;

	/** What the buffer takes its bytes from beyond {@link #FREE_BYTES}: always what that part of it has. */
	private BufferBudget shared;

	private RingMemory.Block data = RingMemory.HeapBlock.EMPTY;

	/** The bytes added since the ring began: where the newest record ends. */
	private long end;

	/** The bytes kept, the newest ones. */
	private long kept;

	/**
	 * Create a ring whose growth no shared budget limits.
	 * @param budget the bytes it is sized for; one record larger than that still fits
	 */
	public ByteRing(long budget) {
		this(budget, BufferBudget.UNBOUNDED);
	}

	/**
	 * Create a ring.
	 * @param budget the bytes it is sized for; one record larger than that still fits
	 * @param shared the budget its buffer takes from beyond {@link #FREE_BYTES}
	 */
	public ByteRing(long budget, BufferBudget shared) {
		this.budget = budget;
		this.shared = shared;
	}

	/**
	 * Return the most bytes the owner may keep once it adds a record of this length, having grown the buffer to
	 * hold them if the shared budget has the bytes: the ring's own budget, or, when the shared budget refuses,
	 * what its buffer holds now (never less than the record). The owner drops its oldest records until the kept
	 * bytes and the record are within it, then adds the record.
	 * @param length the record's length in bytes
	 * @return the bytes it may keep, the record's included
	 */
	public long limit(int length) {
		long keep = Math.min(this.kept + length, Math.max(this.budget, length));
		int capacity = this.data.size();
		if (keep <= capacity || tryGrow(grownSize(keep))) {
			return this.budget;
		}
		return Math.max(capacity, length);
	}

	/**
	 * Give back to the shared budget what the buffer took, and its memory if it is outside the heap: its owner is
	 * done with it. It may still read what the ring kept, which moves onto the heap, and add more, which is no
	 * longer counted.
	 */
	public void release() {
		this.shared.give(cost(this.data.size()));
		this.shared = BufferBudget.UNBOUNDED;
		RingMemory.Block outside = this.data;
		if (!outside.onHeap()) {
			try {
				resize(this.kept);
			}
			finally {
				if (this.data == outside) { // no heap for the copy: the block goes back all the same, and what it kept
					outside.free();
					this.data = RingMemory.HeapBlock.EMPTY;
					this.kept = 0;
				}
			}
		}
	}

	/**
	 * Return where the newest record ends: the bytes added since the ring began.
	 * @return the position
	 */
	public long end() {
		return this.end;
	}

	/**
	 * Return the bytes kept.
	 * @return the bytes
	 */
	public long kept() {
		return this.kept;
	}

	/** The buffer's size, for tests: what a ring holds on to. */
	int capacity() {
		return this.data.size();
	}

	/** Whether the buffer is on the heap, for tests. */
	boolean onHeap() {
		return this.data.onHeap();
	}

	/**
	 * Add a record after the others; the owner has dropped what must go to keep within its budget.
	 * @param utf8 the record, as UTF-8 ({@link String#getBytes}: the JDK's encoder is several times faster than a
	 * loop over the chars, and the array it makes dies young)
	 * @return where it ends
	 */
	public long add(byte[] utf8) {
		int length = utf8.length;
		if (length == 0) {
			return this.end; // nothing to keep (and perhaps no buffer yet)
		}
		fit(length);
		write(this.data, this.end, utf8, length);
		this.end += length;
		this.kept += length;
		return this.end;
	}

	/**
	 * Drop the oldest bytes kept.
	 * @param bytes how many: the oldest record's length, or several's
	 */
	public void drop(long bytes) {
		this.kept -= bytes;
	}

	/** Drop everything kept. */
	public void clear() {
		this.kept = 0;
	}

	/**
	 * Return kept bytes as text.
	 * @param end where they end
	 * @param length how many
	 * @return the text they encode
	 */
	public String read(long end, int length) {
		return new String(bytes(end, length), StandardCharsets.UTF_8);
	}

	/**
	 * Return a copy of kept bytes.
	 * @param end where they end
	 * @param length how many
	 * @return the bytes
	 */
	public byte[] bytes(long end, int length) {
		byte[] copy = new byte[length];
		if (length == 0) {
			return copy;
		}
		read(this.data, end - length, copy, length);
		return copy;
	}

	/**
	 * Return everything kept as text.
	 * @return the text
	 */
	public String readAll() {
		return (this.kept == 0) ? "" : read(this.end, (int) this.kept);
	}

	/**
	 * Make room for the kept bytes and this many more, growing or shrinking the buffer as the budget says. A
	 * growth the shared budget refuses is one its owner was told of ({@link #limit}): only a record larger than
	 * the buffer, which gets a buffer of just its size, counted whatever the shared budget has left.
	 */
	private void fit(int bytes) {
		long needed = this.kept + bytes;
		int capacity = this.data.size();
		if (needed <= capacity && (capacity <= this.budget || needed > this.budget)) {
			return;
		}
		long size = grownSize(needed);
		if (size < capacity) {
			this.shared.give(cost(capacity) - cost(size));
			resize(size);
		}
		else if (!tryGrow(size)) {
			this.shared.take(cost(needed) - cost(capacity));
			resize(needed);
		}
	}

	/** Grow the buffer to this size if the shared budget has what it takes beyond the present one. */
	private boolean tryGrow(long size) {
		long more = cost(size) - cost(this.data.size());
		if (more > 0 && !this.shared.tryTake(more)) {
			return false;
		}
		resize(size);
		return true;
	}

	/** Move what is kept into a new buffer of this size (at least the kept bytes), and free the old one. */
	private void resize(long size) {
		RingMemory.Block resized = (size == 0) ? RingMemory.HeapBlock.EMPTY
				: ((size > FREE_BYTES) ? this.shared.memory() : RingMemory.HEAP).allocate((int) size);
		byte[] run = new byte[(int) Math.min(this.kept, FREE_BYTES)];
		for (long at = this.end - this.kept; at < this.end;) {
			int length = (int) Math.min(run.length, this.end - at);
			read(this.data, at, run, length);
			write(resized, at, run, length);
			at += length;
		}
		this.data.free();
		this.data = resized;
	}

	/** Write bytes at a position of the ring (bytes added since it began) into a buffer, across its wrap. */
	private static void write(RingMemory.Block block, long position, byte[] source, int length) {
		int size = block.size();
		int at = (int) (position % size);
		int first = Math.min(length, size - at);
		block.write(at, source, 0, first);
		if (first < length) {
			block.write(0, source, first, length - first); // it wraps: once per turn of the ring
		}
	}

	/** Read the bytes at a position of the ring out of a buffer, across its wrap. */
	private static void read(RingMemory.Block block, long position, byte[] target, int length) {
		int size = block.size();
		int at = (int) (position % size);
		int first = Math.min(length, size - at);
		block.read(at, target, 0, first);
		if (first < length) {
			block.read(0, target, first, length - first);
		}
	}

	private long grownSize(long needed) {
		long size = Math.max(needed, Math.min(Math.max(INITIAL_BYTES, 2L * this.data.size()), this.budget));
		if (size > Integer.MAX_VALUE - 8) {
			throw new IllegalStateException("A Strand ring cannot keep " + size + " bytes");
		}
		return size;
	}

	private static long cost(long size) {
		return Math.max(0, size - FREE_BYTES);
	}

}
