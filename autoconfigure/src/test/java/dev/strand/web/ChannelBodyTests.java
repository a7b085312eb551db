package dev.strand.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.netty.Connection;

import static org.assertj.core.api.Assertions.assertThat;

/** A detached stream's body, written straight to its Reactor Netty channel. */
class ChannelBodyTests {

	private final EmbeddedChannel channel = new EmbeddedChannel();

	@AfterEach
	void release() {
		this.channel.finishAndReleaseAll();
	}

	@Test
	void whenTheConnectionIsOpenThenEachBufferIsWrittenToItsChannel() {
		Flux<DataBuffer> body = Flux.just("one", "two")
			.map((text) -> DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(StandardCharsets.UTF_8)));
		ChannelBody.to(() -> this.channel, body).block(Duration.ofSeconds(5));
		ByteBuf first = this.channel.readOutbound();
		ByteBuf second = this.channel.readOutbound();
		assertThat(first.toString(StandardCharsets.UTF_8)).isEqualTo("one");
		assertThat(second.toString(StandardCharsets.UTF_8)).isEqualTo("two");
		first.release();
		second.release();
	}

	@Test
	void whenTheConnectionHasEndedBeforeTheBodyIsWrittenThenTheBodyNeverStarts() {
		// Reactor Netty's request answers for an ended connection's channel with a stand-in never on an event loop
		Connection ended = () -> new EmbeddedChannel(false, false);
		AtomicBoolean started = new AtomicBoolean();
		Flux<DataBuffer> body = Flux.<DataBuffer>never().doOnSubscribe((subscription) -> started.set(true));
		ChannelBody.to(ended, body).block(Duration.ofSeconds(5));
		assertThat(started).isFalse();
	}

}
