package dev.strand.web;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;

/** The stream endpoint and page events, over real HTTP. */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "strand.limits.tasks-per-view=3", "strand.limits.views-per-session=4", "strand.limits.max-event-size=1KB",
				"strand.stream.heartbeat=200ms" })
@AutoConfigureWebTestClient
class StreamAndPageEventTests {

	@Autowired
	WebTestClient client;

	@Test
	void whenTheStreamConnectsThenAssignAsyncRunsAndItsElementIsPatched() {
		Pages.Page page = Pages.open(this.client, "/import");
		assertThat(page.html()).contains("<p>Loading…</p>").doesNotContain("Acme");
		List<ServerSentEvent<String>> events = page.events(page.stream(page.lastEventId()), 2);
		assertThat(events).extracting(ServerSentEvent::event).containsExactly("outcome", "patch");
		assertThat(events.get(0).data()).isEqualTo("{\"task\":\"org\",\"kind\":\"ok\"}");
		assertThat(events.get(1).data()).contains("\"target\":\"org\"").contains("<h2>Acme</h2>").doesNotContain("Loading");
	}

	@Test
	void whenATaskRunsThenChunksProgressOutcomeAndFlashArriveInOrderWithIncreasingIds() {
		Pages.Page page = Pages.open(this.client, "/import");
		var stream = page.stream(page.lastEventId());
		page.post("/import/start?count=3").expectStatus().isOk();
		// up to the flash, which the outcome's callback sends last: how many patches come before it depends on how
		// many a keyed patch superseded before the stream read them
		List<ServerSentEvent<String>> events = page.eventsUntil(stream, (event) -> "flash".equals(event.event()));
		assertThat(events).extracting(ServerSentEvent::id).map(Long::parseLong).isSorted().doesNotHaveDuplicates();
		assertThat(events).filteredOn((e) -> "chunk".equals(e.event())).extracting(ServerSentEvent::data)
			.containsExactly("{\"task\":\"job\",\"text\":\"chunk 1\"}", "{\"task\":\"job\",\"text\":\"chunk 2\"}",
					"{\"task\":\"job\",\"text\":\"chunk 3\"}");
		assertThat(lastPatch(events, "messages")).contains("<li>chunk 1</li><li>chunk 2</li><li>chunk 3</li>");
		assertThat(events).filteredOn((e) -> "flash".equals(e.event())).extracting(ServerSentEvent::data)
			.containsExactly("{\"kind\":\"info\",\"message\":\"Completed: ok\"}");
	}

	@Test
	void whenAChunkCallbackSaysNotToSendTheChunkThenThePageGetsOnlyWhatItChangedAndTheOutcome() {
		Pages.Page page = Pages.open(this.client, "/import");
		var stream = page.stream(page.lastEventId());
		page.post("/import/quiet?count=3").expectStatus().isOk();
		List<ServerSentEvent<String>> events = page.eventsUntil(stream,
				(event) -> "outcome".equals(event.event()) && event.data().contains("\"task\":\"quiet\""));
		assertThat(events).extracting(ServerSentEvent::event).doesNotContain("chunk");
		assertThat(lastPatch(events, "messages")).contains("<li>quiet 1</li><li>quiet 2</li><li>quiet 3</li>");
	}

	@Test
	void whenOneAssignChangesThenOnlyItsElementsAreRendered() {
		Pages.Page page = Pages.open(this.client, "/import");
		var stream = page.stream(page.lastEventId());
		page.post("/import/title?title=Renamed").expectStatus().isOk();
		List<ServerSentEvent<String>> patches = stream.filter((e) -> "patch".equals(e.event()))
			.filter((e) -> !e.data().contains("\"target\":\"org\""))
			.take(3).collectList().block(Duration.ofSeconds(10));
		assertThat(patches).extracting(ServerSentEvent::data)
			.anySatisfy((data) -> assertThat(data).contains("\"target\":\"title\"").contains(">Renamed</h1>"))
			.anySatisfy((data) -> assertThat(data).contains("\"target\":\"home\"").contains("href=\\\"/import?from=Renamed\\\""))
			.anySatisfy((data) -> assertThat(data).contains("\"target\":\"sub-title\""));
	}

	@Test
	void whenAnElementWatchesSeveralAssignsThenAChangeToAnyOfThemRerendersIt() {
		Pages.Page page = Pages.open(this.client, "/watch");
		assertThat(page.html()).contains("<p id=\"summary\">Import: 0 messages</p>");
		var stream = page.stream(page.lastEventId());
		page.post("/import/title?title=Renamed").expectStatus().isOk();
		page.post("/import/start?count=1").expectStatus().isOk(); // its @HandleChunk adds a message
		List<String> summaries = stream.filter((e) -> "patch".equals(e.event()) && e.data().contains("\"target\":\"summary\""))
			.map(ServerSentEvent::data)
			.takeUntil((data) -> data.contains("1 messages"))
			.collectList().block(Duration.ofSeconds(10));
		assertThat(summaries.get(0)).as("after the title changed").contains("Renamed: 0 messages");
		assertThat(summaries.get(summaries.size() - 1)).as("after the messages changed").contains("Renamed: 1 messages");
	}

	@Test
	void whenAnElementCallsASpringBeanOrConvertsAValueThenItsReRenderDoesAsThePageDid() {
		Pages.Page page = Pages.open(this.client, "/watch");
		assertThat(page.html()).contains("<p id=\"shout\">IMPORT!</p>").contains("<p id=\"loudness\">60 dB</p>");
		var stream = page.stream(page.lastEventId());
		page.post("/import/title?title=Renamed").expectStatus().isOk();
		List<String> patches = stream.filter((e) -> "patch".equals(e.event()))
			.map(ServerSentEvent::data)
			.filter((data) -> data.contains("\"target\":\"shout\"") || data.contains("\"target\":\"loudness\""))
			.take(2).collectList().block(Duration.ofSeconds(10));
		assertThat(patches).anySatisfy((data) -> assertThat(data).contains("<p id=\\\"shout\\\">RENAMED!</p>"))
			.anySatisfy((data) -> assertThat(data).contains("<p id=\\\"loudness\\\">70 dB</p>"));
	}

	@Test
	void whenAnElementsIdComesFromThIdThenItIsRenderedAndPatchedUnderThatId() {
		Pages.Page page = Pages.open(this.client, "/import");
		assertThat(page.html()).contains("<p id=\"sub-title\">About Import</p>");
		var stream = page.stream(page.lastEventId());
		page.post("/import/title?title=Renamed").expectStatus().isOk();
		ServerSentEvent<String> patch = stream.filter((e) -> "patch".equals(e.event()) && e.data().contains("\"target\":\"sub-title\""))
			.blockFirst(Duration.ofSeconds(10));
		assertThat(patch.data()).contains("<p id=\\\"sub-title\\\">About Renamed</p>");
	}

	@Test
	void whenAPageEventHandlerReturnsVoidThenItAnswers204AndItsChangesArriveOverTheStream() {
		Pages.Page page = Pages.open(this.client, "/import");
		var stream = page.stream(page.lastEventId());
		page.post("/import/clear").expectStatus().isNoContent().expectBody().isEmpty();
		ServerSentEvent<String> patch = stream.filter((e) -> "patch".equals(e.event()) && e.data().contains("\"target\":\"title\""))
			.blockFirst(Duration.ofSeconds(10));
		assertThat(patch.data()).contains(">Cleared</h1>");
	}

	@Test
	void whenAPageEventIsAnsweredThenItsChangesAreAlreadyLoggedAndTheResponseNamesTheirLastEvent() {
		Pages.Page page = Pages.open(this.client, "/import");
		var stream = page.stream(page.lastEventId());
		String header = page.post("/import/title?title=Renamed").expectStatus().isOk()
			.expectHeader().exists("Strand-Event").returnResult(String.class).getResponseHeaders().getFirst("Strand-Event");
		long named = Long.parseLong(header);
		ServerSentEvent<String> patch = stream.filter((e) -> "patch".equals(e.event()) && e.data().contains("\"target\":\"title\""))
			.blockFirst(Duration.ofSeconds(10));
		assertThat(patch.data()).contains(">Renamed</h1>");
		assertThat(Long.parseLong(patch.id())).isLessThanOrEqualTo(named);
		// a void handler's 204 names its changes too
		String cleared = page.post("/import/clear").expectStatus().isNoContent().returnResult(String.class)
			.getResponseHeaders().getFirst("Strand-Event");
		assertThat(Long.parseLong(cleared)).isGreaterThan(named);
	}

	@Test
	void whenThePageIsLeftThenItsViewClosesAtOnceAndItsTasksAreCancelled() {
		Pages.Page page = Pages.open(this.client, "/import");
		var stream = page.stream(page.lastEventId());
		page.post("/import/worker?name=left").expectStatus().isOk();
		Pages.Page other = Pages.open(this.client, "/import");
		this.client.post().uri("/strand/stream/close").cookie("SESSION", other.session()).header("Strand-View", page.view())
			.exchange().expectStatus().isNotFound(); // another session cannot close it
		long start = System.nanoTime();
		page.post("/strand/stream/close").expectStatus().isNoContent();
		List<ServerSentEvent<String>> events = stream.filter((e) -> e.event() != null)
			.takeUntil((e) -> "close".equals(e.event()))
			.collectList().block(Duration.ofSeconds(10));
		assertThat(events.get(events.size() - 1).data()).isEqualTo("{\"reason\":\"view-closed\"}");
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> PageTestApp.INTERRUPTED.contains("left"));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("long before the grace period (15 s) is over")
			.isLessThan(Duration.ofSeconds(5));
		page.post("/import/title?title=After").expectStatus().isEqualTo(HttpStatus.GONE);
	}

	@Test
	void whenAPageEventRedirectsThenTheResponseNamesTheLocationForStrandJsInsteadOfRedirectingFetch() {
		Pages.Page page = Pages.open(this.client, "/import");
		page.post("/import/go").expectStatus().isOk()
			.expectHeader().valueEquals("Strand-Redirect", "/import?from=go")
			.expectHeader().doesNotExist("Location");
	}

	@Test
	void whenAPageThatOpenedAViewRedirectsInsteadOfRenderingThenTheViewClosesAtOnce() {
		EntityExchangeResult<byte[]> result = this.client.get().uri("/import/elsewhere").exchange()
			.expectStatus().is3xxRedirection().expectBody().returnResult();
		String session = result.getResponseCookies().getFirst("SESSION").getValue();
		String view = PageTestApp.REDIRECTED_VIEWS.get(PageTestApp.REDIRECTED_VIEWS.size() - 1);
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> this.client.get()
			.uri("/strand/stream/status?view=" + view).cookie("SESSION", session).exchange()
			.expectStatus().isEqualTo(HttpStatus.GONE)); // not left holding a slot until the connect timeout
	}

	@Test
	void whenAChunkLooksLikeMarkupOrAnEventThenItStaysInsideTheJsonData() {
		Pages.Page page = Pages.open(this.client, "/import");
		var stream = page.stream(page.lastEventId());
		page.post("/import/push", "text", "<script>alert(1)</script>\n\nevent: flash\ndata: x").expectStatus().isOk();
		ServerSentEvent<String> chunk = stream.filter((e) -> "chunk".equals(e.event())).blockFirst(Duration.ofSeconds(10));
		assertThat(chunk.data()).isEqualTo("{\"task\":\"job\",\"text\":\"<script>alert(1)</script>\\n\\nevent: flash\\ndata: x\"}");
	}

	@Test
	void whenTheBrowserReconnectsThenItGetsWhatItMissedOnceAndInOrder() {
		Pages.Page page = Pages.open(this.client, "/import");
		var first = page.stream(page.lastEventId());
		page.post("/import/start?count=20&pause=20").expectStatus().isOk();
		List<ServerSentEvent<String>> before = page.events(first, 6);
		long lastSeen = Long.parseLong(before.get(before.size() - 1).id());
		List<ServerSentEvent<String>> after = page.stream(lastSeen)
			.filter((e) -> e.event() != null)
			.takeUntil((e) -> "outcome".equals(e.event()) && e.data().contains("\"job\""))
			.collectList().block(Duration.ofSeconds(20));
		assertThat(after).extracting(ServerSentEvent::id).map(Long::parseLong)
			.allSatisfy((id) -> assertThat(id).isGreaterThan(lastSeen)).isSorted().doesNotHaveDuplicates();
		List<String> chunks = java.util.stream.Stream.concat(before.stream(), after.stream())
			.filter((e) -> "chunk".equals(e.event())).map(ServerSentEvent::data).toList();
		assertThat(chunks).hasSize(20).doesNotHaveDuplicates();
		for (int n = 1; n <= 20; n++) {
			assertThat(chunks.get(n - 1)).isEqualTo("{\"task\":\"job\",\"text\":\"chunk " + n + "\"}");
		}
	}

	@Test
	void whenTheStreamIsIdleThenHeartbeatCommentsKeepItAliveWithoutBuffering() {
		Pages.Page page = Pages.open(this.client, "/import");
		var result = this.client.get().uri("/strand/stream?view=" + page.view()).cookie("SESSION", page.session())
			.accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
			.expectHeader().valueEquals("X-Accel-Buffering", "no")
			.expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
			.returnResult(String.class);
		result.getResponseBody().subscribe().dispose();
		var comments = page.stream(page.lastEventId()).filter((e) -> "hb".equals(e.comment())).take(2)
			.collectList().block(Duration.ofSeconds(10));
		assertThat(comments).hasSize(2);
	}

	@Test
	void whenAnotherSessionPresentsAViewIdThenEveryEndpointAnswersExactlyAsForAnUnknownId() {
		Pages.Page victim = Pages.open(this.client, "/import");
		Pages.Page attacker = Pages.open(this.client, "/import");
		String unknown = "Xq3vT0pQm5sWz8yB1cD4eF";
		for (String id : List.of(victim.view(), unknown)) {
			assertThat(id).hasSameSizeAs(victim.view());
		}
		List<java.util.function.Function<String, EntityExchangeResult<byte[]>>> endpoints = List.of(
				(id) -> this.client.get().uri("/strand/stream?view=" + id).cookie("SESSION", attacker.session())
					.accept(MediaType.TEXT_EVENT_STREAM).exchange().expectBody().returnResult(),
				(id) -> this.client.get().uri("/strand/stream/status?view=" + id).cookie("SESSION", attacker.session())
					.exchange().expectBody().returnResult(),
				(id) -> this.client.post().uri("/import/title?title=owned").cookie("SESSION", attacker.session())
					.header("Strand-View", id).exchange().expectBody().returnResult());
		for (var endpoint : endpoints) {
			EntityExchangeResult<byte[]> foreign = endpoint.apply(victim.view());
			EntityExchangeResult<byte[]> none = endpoint.apply(unknown);
			assertThat(foreign.getStatus()).isEqualTo(HttpStatus.NOT_FOUND);
			assertThat(none.getStatus()).isEqualTo(foreign.getStatus());
			assertThat(none.getResponseBodyContent()).isEqualTo(foreign.getResponseBodyContent());
			assertThat(withoutDate(none.getResponseHeaders())).isEqualTo(withoutDate(foreign.getResponseHeaders()));
		}
		// and the victim's page is untouched
		victim.post("/import/title?title=mine").expectStatus().isOk();
	}

	private static java.util.Map<String, List<String>> withoutDate(org.springframework.http.HttpHeaders headers) {
		java.util.Map<String, List<String>> copy = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		headers.forEach((name, values) -> {
			if (!name.equalsIgnoreCase("Date")) {
				copy.put(name, values);
			}
		});
		return copy;
	}

	@Test
	void whenAViewIdIsUnknownThenStreamStatusAndPageEventsAre404() {
		Pages.Page page = Pages.open(this.client, "/import");
		this.client.get().uri("/strand/stream?view=unknown-view").cookie("SESSION", page.session())
			.exchange().expectStatus().isNotFound();
		this.client.get().uri("/strand/stream/status?view=unknown-view").cookie("SESSION", page.session())
			.exchange().expectStatus().isNotFound();
		this.client.post().uri("/import/title?title=x").cookie("SESSION", page.session())
			.header("Strand-View", "unknown-view").exchange().expectStatus().isNotFound();
	}

	@Test
	void whenAPageEventHasNoViewHeaderThenItIsABadRequestThatSaysHowToFixIt() {
		Pages.Page page = Pages.open(this.client, "/import");
		this.client.post().uri("/import/title?title=x").cookie("SESSION", page.session()).exchange()
			.expectStatus().isBadRequest();
	}

	@Test
	void whenAPageEventIsTooLargeThenItIs413() {
		Pages.Page page = Pages.open(this.client, "/import");
		this.client.post().uri("/import/title").cookie("SESSION", page.session()).header("Strand-View", page.view())
			.contentType(MediaType.APPLICATION_FORM_URLENCODED).bodyValue("title=" + "x".repeat(2048))
			.exchange().expectStatus().isEqualTo(HttpStatus.CONTENT_TOO_LARGE);
	}

	@Test
	void whenAPageEventIsSentChunkedThenItsSizeIsCountedOnTheBytesRead() {
		Pages.Page page = Pages.open(this.client, "/import");
		for (int size : new int[] { 2 * 1024, 10 * 1024 * 1024 }) {
			Flux<org.springframework.core.io.buffer.DataBuffer> body = Flux.range(0, size / 1024)
				.map((n) -> org.springframework.core.io.buffer.DefaultDataBufferFactory.sharedInstance
					.wrap(((n == 0) ? "text=" + "x".repeat(1019) : "x".repeat(1024)).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
			this.client.post().uri("/import/push").cookie("SESSION", page.session()).header("Strand-View", page.view())
				.contentType(MediaType.APPLICATION_FORM_URLENCODED)
				.body(org.springframework.web.reactive.function.BodyInserters.fromDataBuffers(body))
				.exchange().expectStatus().isEqualTo(HttpStatus.CONTENT_TOO_LARGE);
		}
		page.post("/import/push", "text", "small").expectStatus().isOk();
	}

	@Test
	void whenAViewStartsMoreTasksThanAllowedThenItIs429() {
		Pages.Page page = Pages.open(this.client, "/import");
		page.stream(page.lastEventId()).subscribe();
		for (int n = 1; n <= 3; n++) {
			page.post("/import/worker?name=" + n).expectStatus().isOk();
		}
		page.post("/import/worker?name=4").expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
			.expectBody(String.class).value((body) -> assertThat(body).contains("strand.limits.tasks-per-view"));
	}

	@Test
	void whenASessionOpensMorePagesThanAllowedThenTheNextIs429() {
		Pages.Page first = Pages.open(this.client, "/import");
		for (int n = 2; n <= 4; n++) {
			this.client.get().uri("/import").cookie("SESSION", first.session()).exchange().expectStatus().isOk();
		}
		this.client.get().uri("/import").cookie("SESSION", first.session()).exchange()
			.expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
			.expectBody(String.class).value((body) -> assertThat(body).contains("strand.limits.views-per-session"));
	}

	@Test
	void whenTabsOfOneSessionShareAStreamThenEachEventNamesItsTabAndAnUnknownTabIsClosed() {
		Pages.Page first = Pages.open(this.client, "/import");
		String html = this.client.get().uri("/import").cookie("SESSION", first.session()).exchange().expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		String second = html.replaceAll("(?s).*name=\"strand-view\" content=\"([^\"]+)\".*", "$1");
		Pages.Page stranger = Pages.open(this.client, "/import");
		List<ServerSentEvent<String>> events = this.client.get()
			.uri("/strand/stream?tabs=" + first.view() + ":0," + second + ":0," + stranger.view() + ":0")
			.cookie("SESSION", first.session()).accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
			.returnResult(new org.springframework.core.ParameterizedTypeReference<ServerSentEvent<String>>() { })
			.getResponseBody().filter((e) -> e.event() != null).take(5).collectList().block(Duration.ofSeconds(10));
		assertThat(events).filteredOn((e) -> "close".equals(e.event())).singleElement().satisfies((close) -> {
			assertThat(close.id()).isEqualTo(stranger.view() + ":");
			assertThat(close.data()).isEqualTo("{\"reason\":\"not-found\"}");
		});
		for (String tab : List.of(first.view(), second)) {
			assertThat(events).filteredOn((e) -> e.id().startsWith(tab + ":") && "outcome".equals(e.event())).singleElement()
				.satisfies((outcome) -> assertThat(outcome.data()).isEqualTo("{\"task\":\"org\",\"kind\":\"ok\"}"));
		}
		assertThat(events).allSatisfy((e) -> assertThat(e.id()).matches("[A-Za-z0-9_-]+:[0-9]*"));
		this.client.get().uri("/strand/stream?tabs=" + first.view()).cookie("SESSION", first.session()).exchange()
			.expectStatus().isBadRequest();
	}

	@Test
	void whenAnEventIdIsMalformedThenTheStreamIsABadRequest() {
		Pages.Page page = Pages.open(this.client, "/import");
		this.client.get().uri("/strand/stream?view=" + page.view() + "&lastEventId=1%0Aevent:x")
			.cookie("SESSION", page.session()).exchange().expectStatus().isBadRequest();
		this.client.get().uri("/strand/stream?view=" + page.view()).header("Last-Event-ID", "-5")
			.cookie("SESSION", page.session()).exchange().expectStatus().isBadRequest();
	}

	/** The data of the last patch of an element among these events. */
	private static String lastPatch(List<ServerSentEvent<String>> events, String target) {
		List<String> patches = events.stream()
			.filter((e) -> "patch".equals(e.event()) && e.data().contains("\"target\":\"" + target + "\""))
			.map(ServerSentEvent::data)
			.toList();
		assertThat(patches).as("patches of #%s", target).isNotEmpty();
		return patches.get(patches.size() - 1);
	}

}
