package dev.strand.cluster;

import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Keeps each Lettuce connection reading. Lettuce pauses a connection's reads while a reactive command's
 * subscriber has no demand for the reply being decoded, and resumes them when demand comes; but a demand that
 * comes just as Lettuce pauses is missed (redis/lettuce#3232), and the connection then never reads again: every
 * command on it, Spring Session's reads and Strand's heartbeats among them, waits forever. This resumes the reads
 * after each read, so a pause lasts no longer than the read that made it. A reply is then read whole even for a
 * slow subscriber, as Lettuce reads it for a non-reactive command.
 */
@Sharable
public final class LettuceReadResumer extends ChannelInboundHandlerAdapter implements NettyCustomizer {

	@Override
	public void afterChannelInitialized(Channel channel) {
		channel.pipeline().addLast(this);
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext context) {
		ChannelConfig config = context.channel().config();
		if (!config.isAutoRead()) {
			config.setAutoRead(true);
		}
		context.fireChannelReadComplete();
	}

}
