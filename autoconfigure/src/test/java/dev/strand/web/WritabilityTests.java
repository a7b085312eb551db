package dev.strand.web;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;

import static org.assertj.core.api.Assertions.assertThat;

/** Where a stream's drains run on Reactor Netty, while its connection lasts and once it has ended. */
class WritabilityTests {

	/** A connection's channel, with the handler of Reactor Netty's that a stream's writability handler goes before. */
	private final EmbeddedChannel channel = new EmbeddedChannel();

	{
		this.channel.pipeline().addLast(NettyPipeline.ReactiveBridge, new ChannelInboundHandlerAdapter());
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
		this.channel.finishAndReleaseAll();
	}

	@Test
	void whenTheConnectionIsOpenThenADrainRunsOnItsEventLoop() {
		Writability writability = Writability.NettyWritability.over(this.connection, DefaultDataBufferFactory.sharedInstance);
		AtomicReference<Boolean> onLoop = new AtomicReference<>();
		writability.drain(() -> onLoop.set(this.channel.eventLoop().inEventLoop()));
		this.channel.runPendingTasks();
		assertThat(onLoop).hasValue(true);
	}

	@Test
	void whenTheConnectionEndsWhileItsStreamIsOpenThenItsDrainsStillRunOnTheChannelsLoop() {
		Writability writability = Writability.NettyWritability.over(this.connection, DefaultDataBufferFactory.sharedInstance);
		Runnable unwatch = writability.whenWritable(() -> {
		});
		this.ended.set(true);
		this.channel.close();
		// a tab's actor appending to its log drains the tab's stream, on the actor's thread: the append must not
		// fail because the stream's connection has just ended
		AtomicReference<Boolean> sawOpen = new AtomicReference<>();
		writability.drain(() -> sawOpen.set(this.channel.isOpen()));
		this.channel.runPendingTasks();
		assertThat(sawOpen).hasValue(false);
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
