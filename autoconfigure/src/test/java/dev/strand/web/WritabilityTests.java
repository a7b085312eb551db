package dev.strand.web;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;

import static org.assertj.core.api.Assertions.assertThat;

/** Where a stream's drains run on Reactor Netty, while its connection lasts and once it has ended. */
class WritabilityTests {

	private final EventLoop loop = new DefaultEventLoop();

	/** A connection's channel, on an event loop of its own thread, with the handler a stream's handler goes before. */
	private final Channel channel = new LocalChannel();

	{
		this.channel.pipeline().addLast(NettyPipeline.ReactiveBridge, new ChannelInboundHandlerAdapter());
		this.loop.register(this.channel).syncUninterruptibly();
	}

	/**
	 * As Reactor Netty's request: its channel, until the request's connection ends; then a stand-in that was never
	 * on an event loop, as Reactor Netty's {@code DisposedChannel} is.
	 */
	private final AtomicBoolean ended = new AtomicBoolean();

	private final Channel standIn = new EmbeddedChannel(false, false);

	private final Connection connection = () -> this.ended.get() ? this.standIn : this.channel;

	@AfterEach
	void release() {
		this.channel.close().syncUninterruptibly();
		this.loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
	}

	@Test
	void whenTheConnectionIsOpenThenADrainRunsOnItsEventLoop() throws Exception {
		Writability writability = Writability.NettyWritability.over(this.connection, DefaultDataBufferFactory.sharedInstance);
		CompletableFuture<Thread> ranOn = new CompletableFuture<>();
		writability.drain(() -> ranOn.complete(Thread.currentThread()));
		assertThat(ranOn.get(5, TimeUnit.SECONDS)).isNotSameAs(Thread.currentThread());
		assertThat(this.loop.submit(() -> Thread.currentThread()).get(5, TimeUnit.SECONDS)).isSameAs(ranOn.get());
	}

	@Test
	void whenTheConnectionEndsWhileItsStreamIsOpenThenItsDrainsStillRunOnTheChannelsLoop() throws Exception {
		Writability writability = Writability.NettyWritability.over(this.connection, DefaultDataBufferFactory.sharedInstance);
		Runnable unwatch = writability.whenWritable(() -> {
		});
		this.ended.set(true);
		this.channel.close().syncUninterruptibly();
		// a tab's actor appending to its log drains the tab's stream, on the actor's thread: the append must not
		// fail because the stream's connection has just ended
		CompletableFuture<Thread> ranOn = new CompletableFuture<>();
		writability.drain(() -> ranOn.complete(Thread.currentThread()));
		assertThat(ranOn.get(5, TimeUnit.SECONDS)).isSameAs(this.loop.submit(() -> Thread.currentThread()).get(5, TimeUnit.SECONDS));
		assertThat(writability.writable()).isFalse();
		unwatch.run();
	}

	@Test
	void whenTheConnectionHasEndedBeforeItsStreamStartsThenItsDrainsRunAtOnce() {
		this.ended.set(true);
		Writability writability = Writability.NettyWritability.over(this.connection, DefaultDataBufferFactory.sharedInstance);
		Runnable unwatch = writability.whenWritable(() -> {
		});
		AtomicBoolean drained = new AtomicBoolean();
		writability.drain(() -> drained.set(true));
		assertThat(drained).isTrue();
		unwatch.run();
	}

}
