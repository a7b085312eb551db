package dev.strand.web;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpStatus;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.strand.internal.StrandEngine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Resynchronisation after a long disconnect, and the link between a session and its views. */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "strand.stream.replay-buffer=16", "strand.stream.max-pending=8",
				"strand.views.session-check-interval=100ms", "strand.views.disconnect-grace=30s",
				"strand.stream.push-timeout=20ms", "strand.stream.history-size=2KB" })
@AutoConfigureWebTestClient
class ResyncAndSessionTests {

	@Autowired
	WebTestClient client;

	@Autowired
	StrandEngine engine;

	@Test
	void whenTheBrowserMissedMoreThanTheBufferHoldsThenItGetsAResetWithAFullRender() {
		Missed missed = missAndReconnect(40);
		ServerSentEvent<String> reset = missed.reset();
		assertThat(Long.parseLong(reset.id())).isGreaterThan(missed.lastSeen() + 16);
		assertThat(reset.data()).contains("\"target\":\"messages\"").contains("<li>chunk 40</li>")
			.contains("\"target\":\"org\"").contains("\"target\":\"flash\"").contains("Completed: ok");
	}

	@Test
	void whenAResetRedrawsAStreamContainerThenItHoldsEveryChunkAppendedToItOnce() {
		ServerSentEvent<String> reset = missAndReconnect(40).reset();
		String chunks = patch(reset, "chunks");
		for (int n = 1; n <= 40; n++) {
			assertThat(chunks).containsOnlyOnce("<div class=\\\"strand-chunk\\\">chunk " + n + "</div>");
		}
		// this container's template draws the chunks from an assign as well; they were appended after it drew none
		String lines = patch(reset, "lines");
		assertThat(lines).containsOnlyOnce(">chunk 40</div>").doesNotContain("line chunk");
	}

	@Test
	void whenAStreamContainerGetsMoreThanItsHistoryKeepsThenAResetRedrawsItWithTheNewestChunksInOrder() {
		ServerSentEvent<String> reset = missAndReconnect(150).reset();
		java.util.regex.Matcher matcher = java.util.regex.Pattern.compile(">chunk (\\d+)</div>").matcher(patch(reset, "chunks"));
		List<Integer> kept = new java.util.ArrayList<>();
		while (matcher.find()) {
			kept.add(Integer.parseInt(matcher.group(1)));
		}
		// each is 41 to 43 bytes of HTML: 2 KB keeps the newest 47 to 49, and none is cut or out of order
		assertThat(kept).hasSizeBetween(47, 49);
		assertThat(kept).isEqualTo(java.util.stream.IntStream.rangeClosed(151 - kept.size(), 150).boxed().toList());
	}

	@Test
	void whenAResetRedrawsAListThenItHasTheRowsAsTheyAreAndLaterChangesAreSentRowByRow() {
		Pages.Page page = Pages.open(this.client, "/rows");
		long lastSeen = page.lastEventId();
		for (int n = 0; n < 12; n++) {
			page.post("/rows/add?id=n" + n).expectStatus().isNoContent();
		}
		page.post("/rows/remove?id=a").expectStatus().isNoContent();
		page.post("/rows/rename?id=b&name=Renamed").expectStatus().isNoContent();
		ServerSentEvent<String> reset = page.events(page.stream(lastSeen), 1).get(0);
		assertThat(reset.event()).isEqualTo("reset");
		String list = patch(reset, "reports");
		assertThat(list).contains("\"op\":\"morph\"").doesNotContain("row-a").containsSubsequence("row-b", "Renamed", "row-c",
				"row-n0", "row-n11");
		long afterReset = Long.parseLong(reset.id());
		page.post("/rows/rename?id=n5&name=Again").expectStatus().isNoContent();
		// the events the buffer still holds come after the reset, then the change
		List<String> next = page.stream(afterReset).filter((event) -> "patch".equals(event.event()))
			.map(ServerSentEvent::data).takeUntil((data) -> data.contains("Again"))
			.collectList().block(Duration.ofSeconds(10));
		assertThat(next.getLast()).startsWith("{\"target\":\"row-n5\",\"op\":\"morph\"");
		assertThat(next).noneSatisfy((data) -> assertThat(data).contains("\"target\":\"reports\""));
	}

	@Test
	void whenAListRendersAgainWithoutARowThenAResetStillRedrawsThatRowsStreamContainerWithItsChunks() {
		Pages.Page page = Pages.open(this.client, "/rows/logs");
		long lastSeen = page.lastEventId();
		logInRowB(page, lastSeen);
		for (int n = 0; n < 20; n++) { // more than the replay buffer holds: the list renders again, and sends row a alone
			page.post("/rows/rename?id=a&name=A" + n).expectStatus().isNoContent();
		}
		// the browser kept row b, with its chunks; a reset draws the list, then the container as the page has it,
		// and a browser that missed as much again gets the same
		for (int reset = 1; reset <= 2; reset++) {
			ServerSentEvent<String> event = page.events(page.stream(lastSeen), 1).get(0);
			assertThat(event.event()).isEqualTo("reset");
			assertThat(patch(event, "log-b").split("line of b", -1)).as("the chunks in reset %d's #log-b", reset).hasSize(31);
		}
	}

	@Test
	void whenAResetRedrawsALogAsThePageHadItThenTheNextChangeToTheListSendsItsRowAsItIsNow() {
		Pages.Page page = Pages.open(this.client, "/rows/logs");
		long lastSeen = page.lastEventId();
		logInRowB(page, lastSeen);
		page.post("/rows/title?title=T1").expectStatus().isNoContent(); // the logs draw it; nothing watches it
		for (int n = 0; n < 12; n++) { // more events than the replay buffer holds, none of which draws the list
			page.post("/rows/log?id=c&chunks=1").expectStatus().isNoContent();
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> this.engine.activeTasks() == 0);
		ServerSentEvent<String> reset = page.events(page.stream(lastSeen), 1).get(0);
		assertThat(reset.event()).isEqualTo("reset");
		assertThat(patch(reset, "log-b")).contains("data-title=\\\"T0\\\"").contains("line of b");
		// the page has row b's log drawn with T0: the list's next change sends row b, drawn with T1
		long afterReset = Long.parseLong(reset.id());
		long upTo = Long.parseLong(page.post("/rows/rename?id=a&name=Last").expectStatus().isNoContent()
			.returnResult(Void.class).getResponseHeaders().getFirst("Strand-Event"));
		List<String> next = page.stream(afterReset)
			.takeUntil((event) -> event.id() != null && Long.parseLong(event.id()) >= upTo)
			.filter((event) -> "patch".equals(event.event())).map(ServerSentEvent::data)
			.collectList().block(Duration.ofSeconds(10));
		assertThat(next).anySatisfy((data) -> assertThat(data).startsWith("{\"target\":\"row-b\"")
			.contains("data-title=\\\"T1\\\""));
	}

	@Test
	void whenARowsTaskEndsAndAnotherRowChangesThenAResetRedrawsTheFirstRowsLogWithItsChunks() {
		Pages.Page page = Pages.open(this.client, "/rows");
		long lastSeen = page.lastEventId();
		page.post("/rows/run?id=b&chunks=30").expectStatus().isNoContent();
		page.stream(lastSeen).filter((event) -> event.data() != null && event.data().contains("Beta: B"))
			.blockFirst(Duration.ofSeconds(10));
		for (int n = 0; n < 20; n++) { // row b's cells were patched on their own: the list sends row a alone
			page.post("/rows/rename?id=a&name=A" + n).expectStatus().isNoContent();
		}
		ServerSentEvent<String> reset = page.events(page.stream(lastSeen), 1).get(0);
		assertThat(reset.event()).isEqualTo("reset");
		assertThat(patch(reset, "log-b").split("half of b", -1)).as("the chunks in the reset's #log-b").hasSize(31);
	}

	/** Row b's task pushes 30 lines to its log, and ends. */
	private static void logInRowB(Pages.Page page, long lastSeen) {
		page.post("/rows/log?id=b&chunks=30").expectStatus().isNoContent();
		page.stream(lastSeen).filter((event) -> "outcome".equals(event.event())).blockFirst(Duration.ofSeconds(10));
	}

	/**
	 * Read a page's first two events, let a task push more chunks than the replay buffer holds, then reconnect
	 * from the last event read: the stream's first event is a reset.
	 */
	private Missed missAndReconnect(int chunks) {
		Pages.Page page = Pages.open(this.client, "/import");
		List<ServerSentEvent<String>> first = page.events(page.stream(page.lastEventId()), 2);
		long lastSeen = Long.parseLong(first.get(1).id());
		page.post("/import/start?count=" + chunks).expectStatus().isOk();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.engine.activeTasks() == 0);
		ServerSentEvent<String> reset = page.events(page.stream(lastSeen), 1).get(0);
		assertThat(reset.event()).isEqualTo("reset");
		return new Missed(lastSeen, reset);
	}

	private record Missed(long lastSeen, ServerSentEvent<String> reset) {
	}

	private static String patch(ServerSentEvent<String> reset, String target) {
		String data = reset.data();
		int start = data.indexOf("{\"target\":\"" + target + "\"");
		assertThat(start).as("the reset's patch of #" + target).isNotNegative();
		return data.substring(start, data.indexOf("\"}", start) + 2);
	}

	@Test
	void whenAFlashIsDismissedThenAResetNoLongerShowsIt() {
		Pages.Page page = Pages.open(this.client, "/import");
		List<ServerSentEvent<String>> first = page.events(page.stream(page.lastEventId()), 2);
		long lastSeen = Long.parseLong(first.get(1).id());
		page.post("/import/start?count=40").expectStatus().isOk();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.engine.activeTasks() == 0);
		page.post("/strand/stream/clear-flash", "kind", "info").expectStatus().isNoContent();
		ServerSentEvent<String> reset = page.events(page.stream(lastSeen), 1).get(0);
		assertThat(reset.event()).isEqualTo("reset");
		assertThat(reset.data()).contains("\"target\":\"flash\"").contains("<li>chunk 40</li>").doesNotContain("Completed: ok");
	}

	@Test
	void whenTheSessionIsInvalidatedThenItsViewsCloseAndTheirTasksAreCancelled() {
		Pages.Page page = Pages.open(this.client, "/import");
		var stream = page.stream(page.lastEventId());
		page.post("/import/worker?name=slow").expectStatus().isOk();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.engine.runningBodies() >= 1);
		this.client.post().uri("/logout").cookie("SESSION", page.session()).exchange().expectStatus().isOk();
		ServerSentEvent<String> close = stream.filter((e) -> "close".equals(e.event())).blockFirst(Duration.ofSeconds(10));
		assertThat(close.data()).isEqualTo("{\"reason\":\"session-ended\"}");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.engine.runningBodies() == 0);
		this.client.get().uri("/strand/stream?view=" + page.view()).cookie("SESSION", page.session()).exchange()
			.expectStatus().isNotFound(); // its session is gone, so it cannot learn more than anyone else
	}

}
