package dev.strand.web;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.web.server.ServerWebExchange;
import reactor.netty.Connection;

/**
 * Whether a stream's connection takes more bytes now, and a way to hear when it does again. On Reactor Netty
 * this is the channel's writability: its outbound buffer is under Netty's high-water mark. A stream encodes its
 * next batch only then, so what it has taken from its tabs' logs and not yet written stays within that mark
 * plus one batch, however slowly the browser reads. Elsewhere (another server, a mock exchange) a connection
 * is always writable, and the response's own demand is the only bound. It also says what buffers a stream
 * encodes its batches into: ones the connection writes as they are.
 */
interface Writability {

	/** A connection whose writability is not known: the response's demand alone paces it. */
	Writability ALWAYS = new Writability() {

		@Override
		public boolean writable() {
			return true;
		}

		@Override
		public Runnable whenWritable(Runnable action) {
			return () -> {
			};
		}

		@Override
		public DataBufferFactory batches() {
			return DefaultDataBufferFactory.sharedInstance;
		}

	};

	/**
	 * Whether the connection takes more now.
	 * @return whether it is writable
	 */
	boolean writable();

	/**
	 * Run an action whenever the connection becomes writable again.
	 * @param action the action, run on the connection's event loop
	 * @return stops it; run when the response ends
	 */
	Runnable whenWritable(Runnable action);

	/**
	 * Return where a stream's batches are made: heap buffers, as the thread that encodes one is usually a task's
	 * virtual thread, where taking one from Netty's pool costs more (it has no thread-local cache there) than
	 * the copy into a direct buffer the event loop then makes.
	 * @return the factory
	 */
	DataBufferFactory batches();

	/**
	 * Return the writability of an exchange's connection.
	 * @param exchange the exchange
	 * @return its writability, or {@link #ALWAYS} if it is not known
	 */
	static Writability of(ServerWebExchange exchange) {
		return TcpTimeouts.REACTOR_NETTY ? NettyWritability.of(exchange) : ALWAYS;
	}

	/** Kept apart so that {@link Writability} loads without Reactor Netty. */
	final class NettyWritability implements Writability {

		/**
		 * Netty's own heap buffers, unpooled, which Reactor Netty's response hands to the channel as they are: it
		 * copies any other kind of buffer into a new one first. Without leak detection, as a heap buffer that is
		 * never released is only garbage.
		 */
		private static final DataBufferFactory BATCHES = new NettyDataBufferFactory(new UnpooledByteBufAllocator(false, true));

		private static final String HANDLER = "strand.writability";

		private final Connection connection;

		private NettyWritability(Connection connection) {
			this.connection = connection;
		}

		static Writability of(ServerWebExchange exchange) {
			return (TcpTimeouts.nativeRequest(exchange.getRequest()) instanceof Connection connection)
					? new NettyWritability(connection) : ALWAYS;
		}

		@Override
		public boolean writable() {
			return this.connection.channel().isWritable();
		}

		@Override
		public Runnable whenWritable(Runnable action) {
			this.connection.addHandlerLast(HANDLER, new ChannelInboundHandlerAdapter() {

				@Override
				public void channelWritabilityChanged(ChannelHandlerContext context) {
					context.fireChannelWritabilityChanged();
					if (context.channel().isWritable()) {
						action.run();
					}
				}

			});
			// a keep-alive connection serves further requests: the next stream on it adds its own
			return () -> this.connection.removeHandler(HANDLER);
		}

		@Override
		public DataBufferFactory batches() {
			return BATCHES;
		}

	}

}
