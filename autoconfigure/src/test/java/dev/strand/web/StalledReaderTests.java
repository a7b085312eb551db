package dev.strand.web;

import java.net.Socket;
import java.time.Duration;

import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.strand.internal.MemoryTabRegistry;
import dev.strand.internal.StrandEngine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A browser that reads its stream more slowly than its task pushes holds the task back: the stream takes from
 * the tab's log only what its connection can take, so the server holds no more for it than the log's backlog
 * and one batch past the connection's buffers.
 */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "strand.stream.write-timeout=60s", "strand.stream.push-timeout=60s" })
@AutoConfigureWebTestClient
@Import(StalledReaderTests.SmallSendBuffers.class)
class StalledReaderTests {

	private static final int CHUNK = 4096;

	@Autowired
	WebTestClient client;

	@Autowired
	StrandEngine engine;

	@Autowired
	MemoryTabRegistry registry;

	@LocalServerPort
	int port;

	@Test
	void whenABrowserStopsReadingThenItsTaskIsHeldBackWithinTheLogsBacklogAndOneConnectionsBuffers() throws Exception {
		Pages.Page page = Pages.open(this.client, "/import");
		try (Socket stalled = page.stalledStream(this.port, 4096)) {
			page.post("/import/flood").expectStatus().isOk(); // 4 KiB chunks, as fast as it may push
			// ...and this client reads nothing more: the task pushes until its page is too far behind
			long[] last = { -1 };
			await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
				long now = this.registry.localTab(page.view()).lastEventId();
				boolean still = now == last[0] && now > 0;
				last[0] = now;
				return still;
			});
			assertThat(this.engine.activeTasks()).isEqualTo(1);
			long pushedBytes = last[0] * CHUNK;
			// the log's backlog (256 KiB by default), this test's small socket buffers, Netty's high-water mark (64 KiB)
			// and one batch (32 KiB): about 580 KiB here. A stream paced only by the response's demand (Reactor Netty
			// asks for many writes ahead) let the task push more than 1 MiB.
			assertThat(pushedBytes).isLessThan(768 * 1024);
		}
	}

	/** Small socket send buffers, so that the kernel does not soak up megabytes before Netty's buffer fills. */
	@Configuration(proxyBeanMethods = false)
	static class SmallSendBuffers {

		@Bean
		NettyServerCustomizer smallSendBuffers() {
			return (server) -> server.childOption(ChannelOption.SO_SNDBUF, 16 * 1024);
		}

	}

}
