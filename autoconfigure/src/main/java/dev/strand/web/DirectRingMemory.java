package dev.strand.web;

import dev.strand.internal.RingMemory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Replay buffers and stream histories in direct memory, from Netty's allocator (the one Reactor Netty's server
 * uses), each freed as soon as its ring replaces or gives it back: the garbage collector neither copies nor
 * marks them. When direct memory is spent ({@code -XX:MaxDirectMemorySize}), a buffer comes from the heap
 * instead.
 */
public final class DirectRingMemory implements RingMemory {

	private final ByteBufAllocator allocator;

	/**
	 * Create the memory.
	 * @param allocator where the buffers come from
	 */
	public DirectRingMemory(ByteBufAllocator allocator) {
		this.allocator = allocator;
	}

	@Override
	public Block allocate(int size) {
		ByteBuf buffer;
		try {
			buffer = this.allocator.directBuffer(size, size);
		}
		catch (OutOfMemoryError ex) { // Netty's OutOfDirectMemoryError, or the JDK's for direct buffers
			return HEAP.allocate(size);
		}
		return new DirectBlock(buffer);
	}

	private record DirectBlock(ByteBuf buffer) implements Block {

		@Override
		public int size() {
			return this.buffer.capacity();
		}

		@Override
		public void write(int at, byte[] source, int from, int length) {
			this.buffer.setBytes(at, source, from, length);
		}

		@Override
		public void read(int at, byte[] target, int to, int length) {
			this.buffer.getBytes(at, target, to, length);
		}

		@Override
		public void free() {
			this.buffer.release();
		}

	}

}
