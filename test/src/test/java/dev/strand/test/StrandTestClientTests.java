package dev.strand.test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.TestContext;

import dev.strand.AsyncResult;
import dev.strand.CancelReason;
import dev.strand.Outcome;
import dev.strand.Progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/** The test client against a running server: everything a test does with a page, and how it fails. */
@SpringBootTest(classes = BoardApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureStrandTestClient(timeout = "30s")
class StrandTestClientTests {

	@Autowired
	StrandTestClient strand;

	@Autowired
	BoardApp.Outcomes outcomes;

	@Autowired
	ApplicationContext context;

	@Test
	void whenTheAnnotationSetsATimeoutThenTheClientWaitsThatLong() {
		assertThat(this.strand.timeout()).isEqualTo(Duration.ofSeconds(30));
	}

	@Test
	void whenAPageIsOpenedThenTheTabHasItsFirstRenderAndItsAssignAsyncTaskWaitsForTheStream() {
		TestTab tab = this.strand.open("/board");
		assertThat(tab.text("#org")).isEqualTo("Loading…");
		assertThat(tab.text("#title")).isEqualTo("Board");
		assertThat(tab.isConnected()).isFalse();
		assertThat(tab.runningTasks()).containsExactly("org");
		assertThat(tab.asyncResult("org").loading()).isTrue();
		assertThatIllegalStateException().isThrownBy(tab::awaitTasks)
			.withMessageContaining("'org' (waiting for the stream)")
			.withMessageContaining("call connect() first");
	}

	@Test
	void whenTheTabConnectsThenAssignAsyncLoadsAndItsElementIsPatched() {
		TestTab tab = this.strand.open("/board?orgDelay=200").connect();
		tab.awaitTask("org");
		assertThat(tab.text("#org")).isEqualTo("Acme");
		assertThat(tab.html("#org")).contains("<h2>Acme</h2>").doesNotContain("Loading");
		AsyncResult<String> org = tab.asyncResult("org");
		assertThat(org.ok()).isTrue();
		assertThat(org.result()).isEqualTo("Acme");
		assertThat(tab.outcome("org")).isEqualTo(new ReceivedOutcome("org", Outcome.Kind.OK, null, null, null));
		assertThat(tab.runningTasks()).isEmpty();
	}

	@Test
	void whenATaskStreamsThenItsChunksProgressOutcomeAndFlashArriveAndThePageShowsThem() {
		TestTab tab = this.strand.open("/board").connect();
		tab.post("/board/start", Map.of("count", 3)).awaitTasks();
		assertThat(tab.chunks("job")).containsExactly("chunk 1", "chunk 2", "chunk 3");
		assertThat(tab.texts("#log .strand-chunk")).containsExactly("chunk 1", "chunk 2", "chunk 3");
		assertThat(tab.texts("#messages li")).containsExactly("chunk 1", "chunk 2", "chunk 3");
		assertThat(tab.progress("job")).isEqualTo(new Progress(3, 3));
		assertThat(tab.attribute("#job-progress", "value")).isEqualTo("1"); // re-rendered once the task succeeded
		assertThat(tab.outcome("job").kind()).isEqualTo(Outcome.Kind.OK);
		assertThat(tab.flash("info")).isEqualTo("Job: ok");
		assertThat(tab.text("#flash")).isEqualTo("Job: ok ×");
		assertThat(tab.text("#status")).isEqualTo("Returned done");
		assertThat(tab.<List<String>>assign("messages")).containsExactly("chunk 1", "chunk 2", "chunk 3");
		assertThat(tab.asyncResult("job").result()).isEqualTo("done");
		assertThat(tab.events()).extracting(ReceivedEvent::id).isSorted().doesNotHaveDuplicates();
	}

	@Test
	void whenATaskFailsThenItsOutcomeFlashAndAsyncResultSaySo() {
		TestTab tab = this.strand.open("/board").connect();
		tab.post("/board/start", Map.of("count", 1, "ending", "fail")).awaitTask("job");
		ReceivedOutcome outcome = tab.outcome("job");
		assertThat(outcome.kind()).isEqualTo(Outcome.Kind.FAILED);
		assertThat(outcome.code()).isEqualTo("failed");
		assertThat(outcome.ref()).isNotBlank();
		assertThat(tab.asyncResult("job").failed().reason()).isEqualTo("quota exceeded");
		assertThat(tab.flash("error")).isEqualTo("Job: failed");
		assertThat(tab.text("#status")).isEqualTo("Ended: failed");
	}

	@Test
	void whenAPostIsAnsweredThenItsChangesAreAlreadyOnThePage() {
		TestTab tab = this.strand.open("/board").connect();
		for (int n = 1; n <= 20; n++) {
			tab.post("/board/title", Map.of("title", "Board " + n));
			assertThat(tab.text("#title")).isEqualTo("Board " + n);
		}
	}

	@Test
	void whenATaskIsCancelledThenItEndsCancelledAndNoMoreChunksArrive() {
		TestTab tab = this.strand.open("/board").connect();
		tab.post("/board/start", Map.of("count", 50, "pause", 50));
		tab.post("/board/cancel").awaitTasks();
		assertThat(tab.outcome("job")).isEqualTo(new ReceivedOutcome("job", Outcome.Kind.CANCELLED, "cancelled", null, "requested"));
		assertThat(tab.text("#status")).isEqualTo("Ended: cancelled");
		assertThat(tab.chunks("job")).hasSizeLessThan(50);
	}

	@Test
	void whenTasksStillRunAtTheTimeoutThenTheFailureNamesThemAndTheLastEvents() {
		TestTab tab = this.strand.open("/board").connect();
		tab.post("/board/start", Map.of("count", 2, "ending", "hang"));
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> tab.awaitTasks(Duration.ofMillis(300)))
			.withMessageContaining("Gave up after 300ms waiting for the tasks of view " + tab.viewId().substring(0, 5))
			.withMessageContaining("still running: 'job' (running)")
			.withMessageContaining("The tab is connected")
			.withMessageContaining("chunk {\"task\":\"job\",\"text\":\"chunk 2\"}")
			.withMessageContaining("patch #messages (morph): \"chunk 1 chunk 2\"");
	}

	@Test
	void whenAwaitingATaskTheViewNeverHadThenTheFailureNamesItsTasks() {
		TestTab tab = this.strand.open("/board").connect().awaitTasks();
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> tab.awaitTask("jbo"))
			.withMessageContaining("has no task 'jbo'")
			.withMessageContaining("Its tasks: org");
	}

	@Test
	void whenAwaitingAPatternThenEveryTaskWhoseNameStartsWithItHasEndedWhileAnotherRunsOn() {
		TestTab tab = this.strand.open("/board").connect().awaitTasks();
		tab.post("/board/workers");
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> tab.awaitTasks(Duration.ofMillis(500)))
			.withMessageContaining("'ticker' (running)");
		tab.awaitTask("worker-*");
		assertThat(tab.outcomes()).filteredOn((outcome) -> outcome.isOf("worker-*"))
			.extracting(ReceivedOutcome::task).containsExactlyInAnyOrder("worker-1", "worker-2", "worker-3");
		assertThat(tab.runningTasks()).containsExactly("ticker");
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> tab.awaitTask("wroker-*"))
			.withMessageContaining("has no task 'wroker-*'");
	}

	@Test
	void whenAnElementIsMissingThenTheFailureListsThePageIds() {
		TestTab tab = this.strand.open("/board");
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> tab.text("#nope"))
			.withMessageContaining("No element matches '#nope'")
			.withMessageContaining("flash, title, org, status, messages, log, job-progress");
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> tab.assign("nope"))
			.withMessageContaining("has no assign 'nope'")
			.withMessageContaining("title");
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> tab.asyncResult("title"))
			.withMessageContaining("holds a java.lang.String, not an AsyncResult");
	}

	@Test
	void whenTheStreamDropsAndComesBackWithinTheGracePeriodThenEveryChunkArrivesOnce() {
		TestTab tab = this.strand.open("/board").connect();
		tab.post("/board/start", Map.of("count", 12, "pause", 40));
		awaitChunks(tab, 3);
		tab.disconnect();
		assertThat(tab.isConnected()).isFalse();
		assertThat(tab.runningTasks()).containsExactly("job");
		awaitServerChunks(tab, 8);
		tab.reconnect().awaitTask("job");
		assertThat(tab.chunks("job")).containsExactly("chunk 1", "chunk 2", "chunk 3", "chunk 4", "chunk 5", "chunk 6",
				"chunk 7", "chunk 8", "chunk 9", "chunk 10", "chunk 11", "chunk 12");
		assertThat(tab.texts("#log .strand-chunk")).hasSize(12);
		assertThat(tab.events()).extracting(ReceivedEvent::id).isSorted().doesNotHaveDuplicates();
		assertThat(tab.flash("info")).isEqualTo("Job: ok");
	}

	@Test
	void whenTheGracePeriodRunsOutThenTheViewClosesItsTaskIsCancelledAndAReconnectIsGone() {
		TestTab tab = this.strand.open("/board").connect();
		tab.post("/board/start", Map.of("count", 1, "ending", "hang"));
		awaitChunks(tab, 1);
		int seen = this.outcomes.seen.size();
		assertThatIllegalStateException().isThrownBy(tab::expire).withMessageContaining("call disconnect() first");
		tab.disconnect().expire();
		assertThat(tab.isClosed()).isTrue();
		assertThat(this.outcomes.seen.subList(seen, this.outcomes.seen.size()))
			.containsExactly(new Outcome.Cancelled<>(CancelReason.VIEW_CLOSED));
		assertThatExceptionOfType(AssertionError.class).isThrownBy(tab::reconnect)
			.withMessageContaining("answered 410 Gone: the view has closed (view-closed)");
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> tab.post("/board/title", Map.of("title", "late")))
			.withMessageContaining("answered 410 Gone (the view has closed)");
	}

	@Test
	void whenATabNeverConnectsThenExpiringItDropsItAsTheConnectTimeoutWould() {
		TestTab tab = this.strand.open("/board");
		tab.expire();
		assertThat(tab.isClosed()).isTrue();
		assertThatExceptionOfType(AssertionError.class).isThrownBy(tab::connect).withMessageContaining("410");
	}

	@Test
	void whenEachTabIsOpenedByTheClientThenEachHasItsOwnSessionUnlessOpenedInOne() {
		TestTab first = this.strand.open("/board");
		TestTab second = this.strand.open("/board");
		TestTab sameSession = first.session().open("/board");
		assertThat(first.session().cookies()).containsKey("SESSION");
		assertThat(second.session().cookies().get("SESSION")).isNotEqualTo(first.session().cookies().get("SESSION"));
		assertThat(sameSession.session().cookies()).isEqualTo(first.session().cookies());
		// another session presenting this view's id is answered as for an unknown one
		second.pageEvent("/board/title").headers((headers) -> headers.set("Strand-View", first.viewId())).exchange()
			.expectStatus().isNotFound();
		sameSession.pageEvent("/board/title").headers((headers) -> headers.set("Strand-View", first.viewId())).exchange()
			.expectStatus().is2xxSuccessful();
	}

	@Test
	void whenAllTabsAreClosedThenTheirStreamsEndAndTheirViewsClose() {
		TestTab connected = this.strand.open("/board").connect();
		TestTab waiting = this.strand.open("/board");
		this.strand.closeAll();
		assertThat(connected.isConnected()).isFalse();
		assertThat(connected.isClosed()).isTrue();
		assertThat(waiting.isClosed()).isTrue();
	}

	@Test
	void whenATestMethodEndsThenTheListenerClosesTheTabsItOpened() throws Exception {
		TestTab tab = this.strand.open("/board").connect();
		TestContext test = mock(TestContext.class);
		given(test.hasApplicationContext()).willReturn(true);
		given(test.getApplicationContext()).willReturn(this.context);
		new StrandTestExecutionListener().afterTestMethod(test);
		assertThat(tab.isConnected()).isFalse();
		assertThat(tab.isClosed()).isTrue();
	}

	private static void awaitChunks(TestTab tab, int count) {
		await().atMost(Duration.ofSeconds(30)).until(() -> tab.chunks("job").size() >= count);
	}

	private static void awaitServerChunks(TestTab tab, int count) {
		await().atMost(Duration.ofSeconds(30)).until(() -> tab.<List<String>>assign("messages").size() >= count);
	}

}
