package dev.strand.web;

import java.util.NoSuchElementException;
import java.util.concurrent.RejectedExecutionException;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.web.server.ServerWebExchange;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;

/**
 * Whether a stream's connection takes more bytes now, and a way to hear when it does again. On Reactor Netty
 * this is the channel's writability: its outbound buffer is under Netty's high-water mark. A stream encodes its
 * next batch only then, so what it has taken from its tabs' logs and not yet written stays within that mark
 * plus one batch, however slowly the browser reads. Elsewhere (another server, a mock exchange) a connection
 * is always writable, and the response's own demand is the only bound. It also says where a stream drains (on
 * Reactor Netty, on its connection's event loop) and what buffers it encodes its batches into: ones the
 * connection writes as they are.
 */
interface Writability {

	/** A connection whose writability is not known: the response's demand alone paces it. */
	Writability ALWAYS = new Always();

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
	 * Run a stream's drain where its writes belong: on Reactor Netty, on the connection's event loop (at once if
	 * already there), so that each write is made at once, in order, and the writability it then reads counts
	 * it; elsewhere, at once.
	 * @param drain the drain
	 */
	void drain(Runnable drain);

	/**
	 * Return where a stream's batches are made: on Reactor Netty, the channel's own buffers, which a drain on its
	 * event loop takes from the pool's cache there and the channel writes as they are.
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

	/** Always writable, drained at once, with heap buffers: a connection whose writability is not known. */
	class Always implements Writability {

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
		public void drain(Runnable drain) {
			drain.run();
		}

		@Override
		public DataBufferFactory batches() {
			return DefaultDataBufferFactory.sharedInstance;
		}

	}

	/** Kept apart so that {@link Writability} loads without Reactor Netty. */
	final class NettyWritability implements Writability {

		private final Channel channel;

		private final DataBufferFactory batches;

		private NettyWritability(Channel channel, DataBufferFactory batches) {
			this.channel = channel;
			this.batches = batches;
		}

		/** With the response's own buffer factory: on Reactor Netty, Spring's over the channel's allocator. */
		static Writability of(ServerWebExchange exchange) {
			return (TcpTimeouts.nativeRequest(exchange.getRequest()) instanceof Connection connection)
					? over(connection, exchange.getResponse().bufferFactory()) : ALWAYS;
		}

		/**
		 * Return the writability of a connection's channel, taken now ({@link EventLoopCompletion#channel}): a
		 * stream holds the channel itself, so it drains on its loop until the end and then finds it closed. For a
		 * connection that has ended before the stream starts, {@link Writability#ALWAYS}: its body is then never
		 * started ({@code ChannelBody}), or, written through its response, ends with it.
		 * @param connection the request's connection
		 * @param batches where batches are made
		 * @return its writability
		 */
		static Writability over(Connection connection, DataBufferFactory batches) {
			Channel channel = EventLoopCompletion.channel(connection);
			return (channel != null) ? new NettyWritability(channel, batches) : ALWAYS;
		}

		@Override
		public boolean writable() {
			return this.channel.isWritable();
		}

		@Override
		public Runnable whenWritable(Runnable action) {
			ChannelHandler handler = new ChannelInboundHandlerAdapter() {

				@Override
				public void channelWritabilityChanged(ChannelHandlerContext context) {
					context.fireChannelWritabilityChanged();
					if (context.channel().isWritable()) {
						action.run();
					}
				}

			};
			// just before Reactor Netty's last handler, which takes the event and passes it on to none; added to the
			// pipeline itself, as the connection's addHandlerLast would also keep a subscription per connection to
			// remove it when the connection ends: the stream removes it when it ends, and a keep-alive connection's
			// next stream adds its own
			ChannelPipeline pipeline = this.channel.pipeline();
			pipeline.addBefore(NettyPipeline.ReactiveBridge, null, handler);
			return () -> {
				try {
					pipeline.remove(handler);
				}
				catch (NoSuchElementException ex) {
					// the channel has closed: its pipeline is gone
				}
			};
		}

		@Override
		public void drain(Runnable drain) {
			EventLoop eventLoop = this.channel.eventLoop();
			if (eventLoop.inEventLoop()) {
				drain.run();
				return;
			}
			try {
				eventLoop.execute(drain);
			}
			catch (RejectedExecutionException ex) {
				drain.run(); // the server is stopping: the drain finds the channel closed
			}
		}

		@Override
		public DataBufferFactory batches() {
			return this.batches;
		}

	}

}
