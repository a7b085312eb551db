package dev.strand.cluster;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Tests for {@link LettuceReadResumer}. */
class LettuceReadResumerTests {

	@Test
	void whenAHandlerPausesReadsWhileReadingThenTheyResumeOnceTheReadCompletes() {
		LettuceReadResumer resumer = new LettuceReadResumer();
		EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
			@Override
			public void channelRead(ChannelHandlerContext context, Object message) {
				context.channel().config().setAutoRead(false); // as Lettuce does for a reply nobody asked for yet
			}
		});
		resumer.afterChannelInitialized(channel);
		assertThat(channel.pipeline().last()).isSameAs(resumer);
		channel.pipeline().fireChannelRead("part of a reply");
		assertThat(channel.config().isAutoRead()).isFalse();
		channel.pipeline().fireChannelReadComplete();
		assertThat(channel.config().isAutoRead()).isTrue();
	}

	@Test
	void whenReadsWereNotPausedThenAReadsCompletionPassesOnUnchanged() {
		LettuceReadResumer resumer = new LettuceReadResumer();
		int[] completions = new int[1];
		EmbeddedChannel channel = new EmbeddedChannel();
		resumer.afterChannelInitialized(channel);
		channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
			@Override
			public void channelReadComplete(ChannelHandlerContext context) {
				completions[0]++;
			}
		});
		channel.pipeline().fireChannelReadComplete();
		assertThat(channel.config().isAutoRead()).isTrue();
		assertThat(completions[0]).isEqualTo(1);
	}

}
