package dev.strand.internal;

/**
 * Where a {@link ByteRing}'s buffer lives once it is larger than {@link ByteRing#FREE_BYTES}: on the heap, or in
 * memory outside it, which the garbage collector neither copies nor marks. A busy server's rings hold hundreds of
 * megabytes for minutes; on the heap, that live set alone sets off G1's marking cycles, whose pauses and stolen
 * core are its streams' latency tail (BENCHMARKS.md, "sixteenth pass"). A ring frees the block it no longer uses,
 * and gives every block back when its owner releases it.
 */
@FunctionalInterface
public interface RingMemory {

	/** Buffers on the heap, as byte arrays. */
	RingMemory HEAP = HeapBlock::new;

	/**
	 * Return a block of bytes.
	 * @param size its size in bytes
	 * @return the block, whose contents are undefined
	 */
	Block allocate(int size);

	/** A ring's buffer: a fixed number of bytes, written and read at positions. Guarded by its ring's owner. */
	interface Block {

		/**
		 * Return the block's size.
		 * @return its size in bytes
		 */
		int size();

		/**
		 * Copy bytes into the block.
		 * @param at where in the block
		 * @param source the bytes
		 * @param from where in {@code source}
		 * @param length how many
		 */
		void write(int at, byte[] source, int from, int length);

		/**
		 * Copy bytes out of the block.
		 * @param at where in the block
		 * @param target where they go
		 * @param to where in {@code target}
		 * @param length how many
		 */
		void read(int at, byte[] target, int to, int length);

		/**
		 * Whether the block is on the heap: a ring then has nothing to give back when its owner releases it.
		 * @return whether it is
		 */
		default boolean onHeap() {
			return false;
		}

		/** Give the block's memory back; it is not used again. */
		void free();

	}

	/** A block that is a byte array. */
	final class HeapBlock implements Block {

		static final HeapBlock EMPTY = new HeapBlock(0);

		private final byte[] bytes;

		HeapBlock(int size) {
			this.bytes = new byte[size];
		}

		@Override
		public int size() {
			return this.bytes.length;
		}

		@Override
		public void write(int at, byte[] source, int from, int length) {
			System.arraycopy(source, from, this.bytes, at, length);
		}

		@Override
		public void read(int at, byte[] target, int to, int length) {
			System.arraycopy(this.bytes, at, target, to, length);
		}

		@Override
		public boolean onHeap() {
			return true;
		}

		@Override
		public void free() {
		}

	}

}
