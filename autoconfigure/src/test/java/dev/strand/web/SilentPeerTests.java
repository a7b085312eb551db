package dev.strand.web;

import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.server.WebFilter;
import reactor.netty.Connection;

import dev.strand.internal.StrandEngine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A browser that stops reading without closing (a frozen laptop, a partition, a proxy that stops forwarding)
 * is noticed: a stream whose writes do not drain for the write timeout ends, and its tab's grace period starts.
 */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "strand.stream.heartbeat=100ms", "strand.stream.write-timeout=1s",
				"strand.stream.push-timeout=60s", "strand.views.disconnect-grace=100ms" })
@AutoConfigureWebTestClient
@Import(SilentPeerTests.StreamChannels.class)
class SilentPeerTests {

	@Autowired
	WebTestClient client;

	@Autowired
	StrandEngine engine;

	@LocalServerPort
	int port;

	@Test
	void whenABrowserStopsReadingItsStreamEndsAfterTheWriteTimeoutAndItsTaskIsCancelled() throws Exception {
		Pages.Page page = Pages.open(this.client, "/import");
		try (Socket stalled = page.stalledStream(this.port, 1024)) {
			page.post("/import/flood").expectStatus().isOk();
			await().atMost(Duration.ofSeconds(10)).until(() -> this.engine.activeTasks() == 1);
			// ...and this client never reads again, nor closes
			long stopped = System.nanoTime();
			await().atMost(Duration.ofSeconds(15)).until(() -> this.engine.activeTasks() == 0);
			assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(Duration.ofSeconds(15));
			this.client.get().uri("/strand/stream/status?view=" + page.view()).cookie("SESSION", page.session()).exchange()
				.expectStatus().isEqualTo(410);
		}
	}

	@Test
	void whenAStreamRunsOnEpollThenTheKernelGivesUpOnItsUnacknowledgedBytesAfterTheWriteTimeout() {
		assertThat(Epoll.isAvailable()).as("Reactor Netty's native transport, on Linux").isTrue();
		Pages.Page page = Pages.open(this.client, "/import");
		StreamChannels.last.set(null);
		reactor.core.Disposable open = page.stream(page.lastEventId()).subscribe();
		try {
			await().atMost(Duration.ofSeconds(10)).until(() -> StreamChannels.last.get() != null
					&& StreamChannels.last.get().channel().config().getOption(EpollChannelOption.TCP_USER_TIMEOUT) == 1000);
			assertThat(StreamChannels.last.get().channel()).isInstanceOf(EpollSocketChannel.class);
		}
		finally {
			open.dispose();
		}
	}

	/** Remembers the connection of the last stream request. */
	@Configuration(proxyBeanMethods = false)
	static class StreamChannels {

		static final AtomicReference<Connection> last = new AtomicReference<>();

		@Bean
		WebFilter streamChannels() {
			return (exchange, chain) -> {
				if (exchange.getRequest().getPath().value().equals("/strand/stream")
						&& ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest()) instanceof Connection connection) {
					last.set(connection);
				}
				return chain.filter(exchange);
			};
		}

	}

}
