package dev.strand.web;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.NettyOutbound;

/**
 * Writes a detached stream's body ({@link DetachedStreams}) straight to its Reactor Netty channel, as Reactor
 * Netty's own send would, but without the operators a response's send keeps for as long as it is open (its
 * queue alone is 1 KB): a stream is paced by its channel's writability ({@link Writability}), not by demand.
 * <p>
 * The response is committed as Spring commits it (its commit actions, status, headers and cookies), its headers
 * are sent, and then each buffer of the body is written and flushed as it comes; the body's end is reported to
 * Reactor Netty, which then ends the response as it ends any other.
 */
final class ChannelBody extends Mono<Void> {

	private final Publisher<? extends DataBuffer> body;

	private final Channel channel;

	private ChannelBody(Publisher<? extends DataBuffer> body, Channel channel) {
		this.body = body;
		this.channel = channel;
	}

	/**
	 * Write a body straight to a response's channel.
	 * @param response the response, not committed yet
	 * @param body the body
	 * @return completes when the body has ended, or {@code null} if the response is not Reactor Netty's (a mock's,
	 * say)
	 */
	static @Nullable Mono<Void> write(ServerHttpResponse response, Publisher<? extends DataBuffer> body) {
		if (!(TcpTimeouts.nativeResponse(response) instanceof NettyOutbound netty) || !(netty instanceof Connection connection)) {
			return null;
		}
		// deferred: the operator that waits for the commit keeps what it waits for as long as the stream is open
		return Mono.defer(() -> response.setComplete().then(Mono.defer(netty::then)))
			.then(Mono.defer(() -> to(connection, body)));
	}

	/**
	 * Write a body to a connection's channel, taken once the response is committed
	 * ({@link EventLoopCompletion#channel}): if the connection has ended by then (the browser left while the
	 * request was handled), the body is not started at all.
	 * @param connection the response's connection
	 * @param body the body
	 * @return completes when the body has ended
	 */
	static Mono<Void> to(Connection connection, Publisher<? extends DataBuffer> body) {
		Channel channel = EventLoopCompletion.channel(connection);
		return (channel != null) ? new ChannelBody(body, channel) : Mono.empty();
	}

	@Override
	public void subscribe(CoreSubscriber<? super Void> actual) {
		this.body.subscribe(new Writer(actual, this.channel));
	}

	/** Takes the body's buffers and writes them; one per response. */
	private static final class Writer extends VoidRelay<DataBuffer> {

		private final Channel channel;

		/** Reused by every write: a failed write needs no answer, as its channel's end cancels the body. */
		private final ChannelPromise promise;

		Writer(CoreSubscriber<? super Void> actual, Channel channel) {
			super(actual);
			this.channel = channel;
			this.promise = new VoidChannelPromise(channel, false);
		}

		@Override
		public void onSubscribe(Subscription subscription) {
			super.onSubscribe(subscription);
			subscription.request(Long.MAX_VALUE); // paced by the channel's writability, not by demand
		}

		/**
		 * Write a buffer and flush it: a stream gives one per drain, and drains on its channel's event loop
		 * ({@link Writability#drain}), so the write is made at once and in order.
		 */
		@Override
		public void onNext(DataBuffer buffer) {
			this.channel.writeAndFlush(NettyDataBufferFactory.toByteBuf(buffer), this.promise);
		}

		@Override
		public void onError(Throwable failure) {
			this.actual.onError(failure);
		}

		@Override
		public void onComplete() {
			this.actual.onComplete();
		}

	}

}
