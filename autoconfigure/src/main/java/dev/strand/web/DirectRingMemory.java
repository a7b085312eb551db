package dev.strand.web;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import dev.strand.internal.RingMemory;

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
		if (buffer.nioBufferCount() != 1) { // not one piece of memory (no allocator of Netty's makes such a buffer)
			buffer.release();
			return HEAP.allocate(size);
		}
		return new DirectBlock(buffer);
	}

	/**
	 * A block of Netty's, read and written through a view of its memory made once: the ring's appends and reads
	 * then touch neither the buffer's object nor its reference count, which with many busy rings are rarely in
	 * the cache.
	 */
	private static final class DirectBlock implements Block {

		private final ByteBuf buffer;

		private final ByteBuffer memory;

		DirectBlock(ByteBuf buffer) {
			this.buffer = buffer;
			this.memory = buffer.nioBuffer(0, buffer.capacity());
		}

		@Override
		public int size() {
			return this.memory.capacity();
		}

		@Override
		public void write(int at, byte[] source, int from, int length) {
			this.memory.put(at, source, from, length);
		}

		@Override
		public void read(int at, byte[] target, int to, int length) {
			this.memory.get(at, target, to, length);
		}

		@Override
		public void free() {
			this.buffer.release();
		}

	}

}
