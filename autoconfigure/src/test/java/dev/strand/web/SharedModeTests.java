package dev.strand.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import dev.strand.cluster.RedisCluster;
import dev.strand.cluster.RedisTabRegistry;
import dev.strand.cluster.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two servers of one app and one Redis, {@code strand.cluster.mode=redis}, with a page's requests sent to either
 * server as a load balancer that is not sticky would.
 */
class SharedModeTests {

	static TestRedis redis;

	static ConfigurableApplicationContext a;

	static ConfigurableApplicationContext b;

	static WebTestClient clientA;

	static WebTestClient clientB;

	static List<ConfigurableApplicationContext> others = new ArrayList<>();

	@BeforeAll
	static void start() {
		redis = TestRedis.start();
		a = server();
		b = server();
		clientA = client(a);
		clientB = client(b);
	}

	@AfterAll
	static void stop() {
		others.add(a);
		others.add(b);
		for (ConfigurableApplicationContext context : others) {
			if (context != null) {
				context.close();
			}
		}
		if (redis != null) {
			redis.close();
		}
	}

	static ConfigurableApplicationContext server() {
		Map<String, Object> properties = new java.util.HashMap<>(redis.properties());
		properties.putAll(Map.of("server.port", "0", "strand.cluster.mode", "redis", "strand.cluster.node-timeout", "1s",
				"strand.views.disconnect-grace", "1s", "spring.main.banner-mode", "off"));
		return new SpringApplicationBuilder(PageTestApp.class).properties(properties).run();
	}

	static WebTestClient client(ConfigurableApplicationContext context) {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"))
			.responseTimeout(Duration.ofSeconds(45)) // beyond the request timeout, so that a 504 shows as one
			.build();
	}

	@Test
	void whenAPageStreamsFromAnotherServerThenItGetsEveryEventOnceAndInOrder() {
		Pages.Page page = Pages.open(clientA, "/import");
		Flux<ServerSentEvent<String>> stream = page.on(clientB).stream(page.lastEventId());
		List<ServerSentEvent<String>> events = new CopyOnWriteArrayList<>(); // appended by the stream, read by the test
		Disposable reading = stream.filter((e) -> e.event() != null).subscribe(events::add);
		try {
			await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch((e) -> e.data().contains("Acme")));
			page.post("/import/start?count=20&pause=5").expectStatus().isOk();
			await().atMost(Duration.ofSeconds(20))
				.until(() -> events.stream().anyMatch((e) -> "outcome".equals(e.event()) && e.data().contains("\"job\"")));
			assertThat(events).extracting(ServerSentEvent::id).map(Long::parseLong).isSorted().doesNotHaveDuplicates();
			assertThat(events).filteredOn((e) -> "chunk".equals(e.event())).extracting(ServerSentEvent::data)
				.containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 20)
					.mapToObj((n) -> "{\"task\":\"job\",\"text\":\"chunk " + n + "\"}").toList());
		}
		finally {
			reading.dispose();
		}
	}

	@Test
	void whenAPageEventLandsOnAnotherServerThenItRunsAtTheViewsHomeAndItsAnswerComesBack() {
		Pages.Page page = Pages.open(clientA, "/import");
		Flux<ServerSentEvent<String>> stream = page.stream(page.lastEventId());
		Pages.Page elsewhere = page.on(clientB);
		String named = elsewhere.post("/import/title?title=Forwarded").expectStatus().isOk()
			.expectBody(String.class).isEqualTo("ok")
			.returnResult().getResponseHeaders().getFirst("Strand-Event");
		ServerSentEvent<String> patch = stream.filter((e) -> "patch".equals(e.event()) && e.data().contains("\"target\":\"title\""))
			.blockFirst(Duration.ofSeconds(10));
		assertThat(patch.data()).contains(">Forwarded</h1>");
		assertThat(Long.parseLong(patch.id())).isLessThanOrEqualTo(Long.parseLong(named));
		elsewhere.post("/import/clear").expectStatus().isNoContent().expectHeader().exists("Strand-Event");
		elsewhere.post("/import/nothing-here").expectStatus().isNotFound();
	}

	@Test
	void whenAStreamReconnectsToAnotherServerThenItResumesWithNoGapAndNoDuplicate() {
		Pages.Page page = Pages.open(clientA, "/import");
		Flux<ServerSentEvent<String>> first = page.stream(page.lastEventId());
		page.post("/import/start?count=20&pause=20").expectStatus().isOk();
		List<ServerSentEvent<String>> before = page.events(first, 6);
		long lastSeen = Long.parseLong(before.get(before.size() - 1).id());
		List<ServerSentEvent<String>> after = page.on(clientB).stream(lastSeen)
			.filter((e) -> e.event() != null)
			.takeUntil((e) -> "outcome".equals(e.event()) && e.data().contains("\"job\""))
			.collectList().block(Duration.ofSeconds(20));
		assertThat(after).extracting(ServerSentEvent::id).map(Long::parseLong)
			.allSatisfy((id) -> assertThat(id).isGreaterThan(lastSeen)).isSorted().doesNotHaveDuplicates();
		List<String> chunks = java.util.stream.Stream.concat(before.stream(), after.stream())
			.filter((e) -> "chunk".equals(e.event())).map(ServerSentEvent::data).toList();
		assertThat(chunks).hasSize(20).doesNotHaveDuplicates();
	}

	@Test
	void whenAnotherSessionPresentsAViewIdThenEveryServerAnswersAsForAnUnknownId() {
		Pages.Page page = Pages.open(clientA, "/import");
		Pages.Page stranger = Pages.open(clientB, "/import");
		for (WebTestClient client : List.of(clientA, clientB)) {
			client.get().uri("/strand/stream?view=" + page.view()).cookie("SESSION", stranger.session())
				.accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isNotFound();
			client.get().uri("/strand/stream/status?view=" + page.view()).cookie("SESSION", stranger.session())
				.exchange().expectStatus().isNotFound();
			client.post().uri("/import/title?title=Stolen").cookie("SESSION", stranger.session())
				.header("Strand-View", page.view()).exchange().expectStatus().isNotFound();
		}
		page.stream(page.lastEventId()).filter((e) -> "patch".equals(e.event()) && e.data().contains("Stolen"))
			.take(Duration.ofSeconds(1)).collectList().blockOptional().ifPresent((patches) -> assertThat(patches).isEmpty());
	}

	@Test
	void whenTheStreamElsewhereEndsThenTheHomeClosesTheViewAfterTheGraceAndEveryServerSaysWhy() {
		Pages.Page page = Pages.open(clientA, "/import");
		Disposable reading = page.on(clientB).stream(page.lastEventId()).subscribe();
		RedisTabRegistry home = a.getBean(RedisTabRegistry.class);
		await().atMost(Duration.ofSeconds(10)).until(() -> home.localTab(page.view()).isConnected());
		reading.dispose();
		await().atMost(Duration.ofSeconds(10)).until(() -> home.localTab(page.view()) == null);
		for (WebTestClient client : List.of(clientA, clientB)) {
			client.get().uri("/strand/stream/status?view=" + page.view()).cookie("SESSION", page.session())
				.exchange().expectStatus().isEqualTo(410).expectBody(String.class).isEqualTo("view-closed");
		}
	}

	@Test
	void whenAViewsHomeStopsHeartbeatingThenItsStreamElsewhereTellsThePageToRemount() {
		ConfigurableApplicationContext doomed = server();
		others.add(doomed); // closed last: closing a server disposes Reactor Netty's global loops, which all share
		{
			Pages.Page page = Pages.open(client(doomed), "/import");
			List<ServerSentEvent<String>> events = new CopyOnWriteArrayList<>(); // appended by the stream, read by the test
			Disposable reading = page.on(clientB).stream(page.lastEventId()).filter((e) -> e.event() != null)
				.subscribe(events::add);
			try {
				await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch((e) -> e.data().contains("Acme")));
				doomed.getBean(RedisCluster.class).stop(); // as if killed: no more heartbeats
				await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch((e) -> "close".equals(e.event())));
				assertThat(events).filteredOn((e) -> "close".equals(e.event())).extracting(ServerSentEvent::data)
					.containsExactly("{\"reason\":\"remount\"}");
			}
			finally {
				reading.dispose();
			}
			clientB.get().uri("/strand/stream/status?view=" + page.view()).cookie("SESSION", page.session())
				.exchange().expectStatus().isEqualTo(410).expectBody(String.class).isEqualTo("remount");
		}
	}

	@Test
	void whenAViewsHomeDiesJustBeforeItsStreamConnectsElsewhereThenThatStreamEndsQuietlyAndThePageThenRemounts() {
		ConfigurableApplicationContext doomed = server();
		others.add(doomed);
		Pages.Page page = Pages.open(client(doomed), "/import");
		RedisCluster home = doomed.getBean(RedisCluster.class);
		home.stop(); // killed, but its last heartbeat has not run out yet when the stream connects elsewhere
		doomed.getBean(org.springframework.data.redis.core.ReactiveStringRedisTemplate.class).opsForValue()
			.set("strand:node:" + home.node(), "0", Duration.ofSeconds(3)).block(Duration.ofSeconds(2));
		// its connect to the home goes unanswered: the stream ends, empty, not with an error
		List<ServerSentEvent<String>> first = page.on(clientB).stream(page.lastEventId()).filter((e) -> e.event() != null)
			.collectList().block(Duration.ofSeconds(30));
		assertThat(first).isEmpty();
		// once its heartbeat has run out, the browser that reconnects is told to remount
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> clientB.get()
			.uri("/strand/stream/status?view=" + page.view()).cookie("SESSION", page.session())
			.exchange().expectStatus().isEqualTo(410).expectBody(String.class).isEqualTo("remount"));
	}

	@Test
	void whenAStreamElsewhereKeepsReadingThenTheHomesPushesAreNotHeldBack() {
		Pages.Page page = Pages.open(clientA, "/import");
		var counted = page.on(clientB).stream(page.lastEventId())
			.filter((e) -> "chunk".equals(e.event()))
			.take(Duration.ofSeconds(5))
			.count()
			.toFuture();
		page.post("/import/feed").expectStatus().isOk();
		long chunks = counted.join();
		// 4 KiB chunks, and 256 KiB may wait unacknowledged: a home that never heard how far the stream got would
		// hold the task after 64, until its push timed out
		assertThat(chunks).isGreaterThan(4 * 64);
		page.post("/import/title?title=Done").expectStatus().isOk();
	}

	@Test
	void whenTheCopyOfALogLacksAnEventThenItsStreamElsewhereGetsAResetInsteadOfSkippingIt() {
		Pages.Page page = Pages.open(clientA, "/import");
		List<ServerSentEvent<String>> events = new CopyOnWriteArrayList<>();
		Disposable reading = page.on(clientB).stream(page.lastEventId()).filter((e) -> e.event() != null)
			.subscribe(events::add);
		try {
			await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch((e) -> e.data().contains("Acme")));
			long last = a.getBean(RedisTabRegistry.class).localTab(page.view()).lastEventId();
			await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch((e) -> Long.parseLong(e.id()) == last));
			// the copies of the next two events are lost, as if Redis had refused them: no stream may skip them
			redis.command("XADD", "strand:log:" + page.view(), (last + 3) + "-0", "e", "flash", "d", "{}");
			page.post("/import/title?title=After").expectStatus().isOk();
			page.post("/import/title?title=Later").expectStatus().isOk();
			await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch((e) -> e.data().contains("Later")));
			List<ServerSentEvent<String>> after = List.copyOf(events).stream().filter((e) -> Long.parseLong(e.id()) > last)
				.toList();
			assertThat(after.get(0).event()).as("the events after %d: %s", last, after.stream()
				.map((e) -> e.id() + " " + e.event() + " " + e.data()).toList()).isEqualTo("reset");
			assertThat(after).extracting(ServerSentEvent::id).map(Long::parseLong).isSorted().doesNotHaveDuplicates();
			assertThat(events).noneMatch((e) -> "flash".equals(e.event()) && "{}".equals(e.data()));
		}
		finally {
			reading.dispose();
		}
	}

	@Test
	void whenRedisIsDownThenEventsForViewsElsewhereGet503AndStreamsAtTheirHomeGoOnAndAllResumesWhenItReturns() {
		Pages.Page page = Pages.open(clientA, "/import");
		List<ServerSentEvent<String>> events = new CopyOnWriteArrayList<>();
		Disposable reading = page.stream(page.lastEventId()).filter((e) -> e.event() != null).subscribe(events::add);
		try {
			page.post("/import/start?count=60&pause=50").expectStatus().isOk();
			await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch((e) -> "chunk".equals(e.event())));
			redis.stop();
			int before = events.size();
			page.on(clientB).post("/import/title?title=Lost").expectStatus().isEqualTo(503);
			await().atMost(Duration.ofSeconds(10)).until(() -> events.size() > before + 10);
			List<ServerSentEvent<String>> now = List.copyOf(events);
			assertThat(now.subList(before, now.size())).anyMatch((e) -> "chunk".equals(e.event()));
		}
		finally {
			redis.restart();
		}
		try {
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
					page.on(clientB).post("/import/title?title=Back").expectStatus().isOk());
			await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch((e) -> e.data().contains(">Back</h1>")));
			assertThat(events).noneMatch((e) -> e.data().contains("Lost"));
		}
		finally {
			reading.dispose();
		}
	}

	@Test
	void whileRedisIsDownAndAsItComesBackThenPageEventsGet503NeverAServerError() throws InterruptedException {
		Pages.Page page = Pages.open(clientA, "/import");
		List<Integer> statuses = new ArrayList<>();
		redis.stop();
		try {
			for (WebTestClient client : List.of(clientA, clientB)) {
				statuses.add(page.on(client).post("/import/title?title=Down").returnResult(Void.class).getStatus().value());
			}
		}
		finally {
			redis.restart();
		}
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		int last = 0;
		while (last != 200 && System.nanoTime() < deadline) {
			for (WebTestClient client : List.of(clientA, clientB)) {
				last = page.on(client).post("/import/title?title=Back").returnResult(Void.class).getStatus().value();
				statuses.add(last);
			}
			Thread.sleep(100);
		}
		assertThat(statuses.subList(0, 2)).as("at the view's home and elsewhere, while Redis was down").containsExactly(503, 503);
		assertThat(last).isEqualTo(200);
		assertThat(statuses).as("statuses while Redis was down and came back").containsOnly(503, 200);
	}

	@Test
	void whileRedisIsDownThenPageLoadsGet503NeverAServerError() {
		Pages.Page page = Pages.open(clientA, "/import");
		List<Integer> statuses = new ArrayList<>();
		redis.stop();
		try {
			for (WebTestClient client : List.of(clientA, clientB)) {
				// with its session, which is read from Redis, and without one, whose new session is saved there
				statuses.add(client.get().uri("/import").cookie("SESSION", page.session()).exchange()
					.returnResult(String.class).getStatus().value());
				statuses.add(client.get().uri("/import").exchange().returnResult(String.class).getStatus().value());
			}
		}
		finally {
			redis.restart();
		}
		assertThat(statuses).containsExactly(503, 503, 503, 503);
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> clientA.get().uri("/import")
			.cookie("SESSION", page.session()).exchange().expectStatus().isOk());
	}

	@Test
	void whenASessionEndsOnOneServerThenItsViewsOnEveryServerClose() {
		Pages.Page page = Pages.open(clientA, "/import");
		RedisTabRegistry home = a.getBean(RedisTabRegistry.class);
		String sessionKey = home.localTab(page.view()).sessionKey();
		b.getBean(RedisTabRegistry.class).closeSession(sessionKey); // as logging out on server B does
		await().atMost(Duration.ofSeconds(10)).until(() -> home.localTab(page.view()) == null);
		clientB.get().uri("/strand/stream/status?view=" + page.view()).cookie("SESSION", page.session())
			.exchange().expectStatus().isEqualTo(410).expectBody(String.class).isEqualTo("session-ended");
	}

}
