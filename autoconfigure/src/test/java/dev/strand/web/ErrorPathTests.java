package dev.strand.web;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Templates and user code that throw: the tab stays in step with its page. */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class ErrorPathTests {

	@Autowired
	WebTestClient client;

	@Test
	void whenAnElementCannotRenderThenAReconnectThatMissedEventsIsResetAndTheTabSurvives() {
		Pages.Page page = Pages.open(this.client, "/errors");
		page.post("/errors/break?key=broken").expectStatus().isNoContent();
		// the page was patched as usual, with an error flash for the element that could not render
		List<ServerSentEvent<String>> upToNow = events(page, "/errors/note?note=still");
		assertThat(upToNow).extracting(ServerSentEvent::event).contains("patch", "flash");
		// a stream that missed events (its last id is past the log's) is sent a full re-render
		List<ServerSentEvent<String>> resumed = page.stream(1_000_000).filter((event) -> event.event() != null)
			.take(1).collectList().block(Duration.ofSeconds(10));
		int next = page.post("/errors/note?note=after").returnResult(Void.class).getStatus().value();
		assertThat(next).as("the status of the next page event").isEqualTo(204);
		assertThat(resumed).as("what the resumed stream got").extracting(ServerSentEvent::event).containsExactly("reset");
	}

	@Test
	void whenAnElementCannotRenderThenAResetStillSendsTheElementsInsideIt() {
		Pages.Page page = Pages.open(this.client, "/errors");
		page.post("/errors/outer-and-note?note=new").expectStatus().isNoContent();
		page.post("/errors/note?note=newer").expectStatus().isNoContent();
		ServerSentEvent<String> reset = page.stream(1_000_000).filter((event) -> event.event() != null)
			.blockFirst(Duration.ofSeconds(10));
		assertThat(reset.event()).isEqualTo("reset");
		assertThat(reset.data()).contains("\"target\":\"inner\"").contains(">newer<")
			.doesNotContain("\"target\":\"outer\"");
	}

	@Test
	void whenAnElementFailsToRenderThenAnElementInsideItThatChangedInTheSameTurnIsSentAllTheSame() {
		Pages.Page page = Pages.open(this.client, "/errors");
		List<ServerSentEvent<String>> events = events(page, "/errors/outer-and-note?note=new");
		assertThat(events).filteredOn((event) -> "flash".equals(event.event())).singleElement()
			.satisfies((event) -> assertThat(event.data()).contains("Part of this page could not be updated"));
		assertThat(events).filteredOn((event) -> "patch".equals(event.event()))
			.anySatisfy((event) -> assertThat(event.data()).contains("\"target\":\"inner\"").contains(">new<"));
	}

	@Test
	void whenARowIsRemovedWhileItsTaskStreamsThroughAFragmentThenThePageIsNotReset() {
		Pages.Page page = Pages.open(this.client, "/errors");
		page.post("/errors/remove?id=a").expectStatus().isNoContent();
		page.post("/errors/out?id=a&chunks=3").expectStatus().isNoContent();
		List<ServerSentEvent<String>> events = page.eventsUntil(page.stream(page.lastEventId()),
				(event) -> "outcome".equals(event.event()));
		assertThat(events).extracting(ServerSentEvent::event).doesNotContain("reset");
		assertThat(events).filteredOn((event) -> "flash".equals(event.event())).isEmpty();
	}

	@Test
	void whenAChunksFragmentFailsToRenderThenThatChunkIsLeftOutWithAnErrorFlashAndThePageIsNotReset() {
		Pages.Page page = Pages.open(this.client, "/errors");
		page.post("/errors/out?id=b&chunks=3&boomAt=2").expectStatus().isNoContent();
		List<ServerSentEvent<String>> events = page.eventsUntil(page.stream(page.lastEventId()),
				(event) -> "outcome".equals(event.event()));
		assertThat(events).extracting(ServerSentEvent::event).doesNotContain("reset");
		assertThat(events).filteredOn((event) -> "chunk".equals(event.event())).extracting(ServerSentEvent::data)
			.satisfiesExactly((first) -> assertThat(first).contains("Beta: line 1"),
					(third) -> assertThat(third).contains("Beta: line 3"));
		assertThat(events).filteredOn((event) -> "flash".equals(event.event())).singleElement()
			.satisfies((event) -> assertThat(event.data()).contains("Part of this page could not be updated"));
	}

	@Test
	void whenARowsTaskStreamsThroughAFragmentThenEachChunkIsRenderedWithTheRow() {
		Pages.Page page = Pages.open(this.client, "/errors");
		page.post("/errors/out?id=b&chunks=2").expectStatus().isNoContent();
		List<ServerSentEvent<String>> events = page.eventsUntil(page.stream(page.lastEventId()),
				(event) -> "outcome".equals(event.event()));
		assertThat(events).filteredOn((event) -> "chunk".equals(event.event())).hasSize(2)
			.allSatisfy((event) -> assertThat(event.data()).contains("Beta: line"));
	}

	@Test
	void whenAPageEventHandlerThrowsAfterChangingAnAssignThenThePageGetsTheChangeAndTheTabGoesOn() {
		Pages.Page page = Pages.open(this.client, "/errors");
		page.post("/errors/throw?note=half").expectStatus().is5xxServerError();
		List<ServerSentEvent<String>> events = page.eventsUntil(page.stream(page.lastEventId()),
				(event) -> "patch".equals(event.event()) && event.data().contains("\"target\":\"inner\""));
		assertThat(events.getLast().data()).contains(">half<");
		page.post("/errors/note?note=after").expectStatus().isNoContent();
	}

	@Test
	void whenAPageEventsArgumentCannotBeBoundThenTheTabsNextTurnIsGranted() {
		Pages.Page page = Pages.open(this.client, "/errors");
		page.post("/errors/note").expectStatus().isBadRequest();
		page.post("/errors/note?note=after").expectStatus().isNoContent();
	}

	@Test
	void whenAnUpdateFunctionThrowsInAPageEventThenTheChangesBeforeItReachThePage() {
		Pages.Page page = Pages.open(this.client, "/errors");
		page.post("/errors/update-throws").expectStatus().is5xxServerError();
		List<ServerSentEvent<String>> events = page.eventsUntil(page.stream(page.lastEventId()),
				(event) -> "patch".equals(event.event()) && event.data().contains("\"target\":\"inner\""));
		assertThat(events.getLast().data()).contains(">before-update<");
	}

	@Test
	void whenAPageEventHandlerNavigatesAndThrowsThenTheNavigationIsSent() {
		Pages.Page page = Pages.open(this.client, "/errors");
		page.post("/errors/throw?note=nav&navigate=true").expectStatus().is5xxServerError();
		List<ServerSentEvent<String>> events = page.eventsUntil(page.stream(page.lastEventId()),
				(event) -> "navigate".equals(event.event()));
		assertThat(events.getLast().event()).isEqualTo("navigate");
	}

	/** The events since the page opened, up to the one that a page event's response names. */
	private List<ServerSentEvent<String>> events(Pages.Page page, String path) {
		String last = page.post(path).expectStatus().isNoContent().returnResult(Void.class).getResponseHeaders()
			.getFirst("Strand-Event");
		long upTo = Long.parseLong(last);
		return page.stream(page.lastEventId())
			.takeUntil((event) -> event.id() != null && Long.parseLong(event.id()) >= upTo)
			.collectList().block(Duration.ofSeconds(10));
	}

}
