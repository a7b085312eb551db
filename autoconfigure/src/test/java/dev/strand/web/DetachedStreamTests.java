package dev.strand.web;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An open stream holds its connection and Strand's objects, not WebFlux's: the stream's request goes through the
 * application's filters, which see it end once the stream is open, and its exchange can then be collected while
 * the stream goes on.
 */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@Import(DetachedStreamTests.StreamWatcher.class)
class DetachedStreamTests {

	@Autowired
	WebTestClient client;

	@Autowired
	StreamWatcher watcher;

	@Test
	void whenAStreamIsOpenThenItsFiltersHaveEndedItsExchangeIsCollectedAndItsEventsStillArrive() {
		Pages.Page page = Pages.open(this.client, "/import");
		Flux<ServerSentEvent<String>> stream = stream(page).expectStatus().isOk()
			.returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
			.getResponseBody();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(this.watcher.ended).hasValue(1));
		WeakReference<ServerWebExchange> exchange = this.watcher.exchange.get();
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
			System.gc();
			return exchange.get() == null;
		});
		page.post("/import/start?count=3").expectStatus().isOk();
		List<ServerSentEvent<String>> chunks = stream.filter((event) -> "chunk".equals(event.event())).take(3)
			.collectList().block(Duration.ofSeconds(20));
		assertThat(chunks).extracting(ServerSentEvent::data).containsExactly("{\"task\":\"job\",\"text\":\"chunk 1\"}",
				"{\"task\":\"job\",\"text\":\"chunk 2\"}", "{\"task\":\"job\",\"text\":\"chunk 3\"}");
	}

	@Test
	void whenAStreamIsOpenThenWhatItsRequestParsedIsCollected() {
		Pages.Page page = Pages.open(this.client, "/import");
		Flux<String> stream = stream(page).expectStatus().isOk().returnResult(String.class).getResponseBody();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(this.watcher.ended).hasValue(1));
		List<WeakReference<?>> parsed = this.watcher.parsed.get();
		assertThat(parsed).hasSize(3);
		// the server's own request stays for as long as the response is open: it parsed none of them
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
			System.gc();
			return parsed.stream().allMatch((reference) -> reference.get() == null);
		});
		page.post("/import/start?count=1").expectStatus().isOk();
		assertThat(stream.filter((line) -> line.contains("chunk 1")).blockFirst(Duration.ofSeconds(20))).isNotNull();
	}

	@Test
	void whenAStreamOpensThenWhatTheFiltersRegisteredToRunBeforeCommitHasRun() {
		Pages.Page page = Pages.open(this.client, "/import");
		stream(page).expectStatus().isOk()
			.expectHeader().valueEquals("X-Before-Commit", "ran")
			.expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
			.returnResult(String.class).getResponseBody().take(1).blockLast(Duration.ofSeconds(10));
	}

	@Test
	void whenAStreamIsRefusedThenItsAnswerIsWrittenAsAnyOther() {
		Pages.Page page = Pages.open(this.client, "/import");
		this.client.get().uri(page.streamPath() + "?view=no-such-tab").cookie("SESSION", page.session())
			.accept(MediaType.TEXT_EVENT_STREAM).exchange()
			.expectStatus().isNotFound()
			.expectHeader().valueEquals("X-Before-Commit", "ran");
		this.client.get().uri(page.streamPath() + "?view=" + page.view() + "&lastEventId=-1").cookie("SESSION", page.session())
			.accept(MediaType.TEXT_EVENT_STREAM).exchange()
			.expectStatus().isBadRequest()
			.expectBody(String.class).value((body) -> assertThat(body).contains("non-negative integer"));
	}

	@Test
	void whenAFilterFailsAfterTheStreamWasHandedOverThenTheRequestGetsTheErrorAndNoStream() {
		Pages.Page page = Pages.open(this.client, "/import");
		this.client.get().uri(page.streamPath() + "?view=" + page.view() + "&lastEventId=" + page.lastEventId())
			.cookie("SESSION", page.session()).header("X-Fail-After-Chain", "yes").accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus().isEqualTo(500)
			.expectBody(String.class).value((body) -> assertThat(body).doesNotContain(":hb").doesNotContain("event:"));
		// and nothing took the tab's events for a stream that was never served
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> this.client.get()
			.uri(page.streamPath() + "/status?view=" + page.view()).cookie("SESSION", page.session()).exchange()
			.expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody(), "connected=false"::equals);
	}

	private WebTestClient.ResponseSpec stream(Pages.Page page) {
		return this.client.get().uri(page.streamPath() + "?view=" + page.view() + "&lastEventId=" + page.lastEventId())
			.cookie("SESSION", page.session()).accept(MediaType.TEXT_EVENT_STREAM).exchange();
	}

	/** A filter on the stream's requests, as an application's would be: what it sees of the last one. */
	@Configuration(proxyBeanMethods = false)
	static class StreamWatcher {

		final AtomicReference<WeakReference<ServerWebExchange>> exchange = new AtomicReference<>();

		final AtomicInteger ended = new AtomicInteger();

		/** What the last one's request parsed from it: its path, query and cookies. */
		final AtomicReference<List<WeakReference<?>>> parsed = new AtomicReference<>(List.of());

		@Bean
		WebFilter streamWatcher() {
			return (exchange, chain) -> {
				if (!exchange.getRequest().getPath().value().equals("/strand/stream")) {
					return chain.filter(exchange);
				}
				this.exchange.set(new WeakReference<>(exchange));
				ServerHttpRequest request = exchange.getRequest();
				this.parsed.set(List.of(new WeakReference<>(request.getPath()), new WeakReference<>(request.getQueryParams()),
						new WeakReference<>(request.getCookies())));
				this.ended.set(0);
				exchange.getResponse().beforeCommit(() -> {
					exchange.getResponse().getHeaders().set("X-Before-Commit", "ran");
					return Mono.empty();
				});
				Mono<Void> filtered = chain.filter(exchange).doOnSuccess((done) -> this.ended.incrementAndGet());
				return exchange.getRequest().getHeaders().containsHeader("X-Fail-After-Chain")
						? filtered.then(Mono.error(new IllegalStateException("a filter failing after its chain")))
						: filtered;
			};
		}

	}

}
