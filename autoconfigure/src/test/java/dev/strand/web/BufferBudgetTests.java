package dev.strand.web;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;

import dev.strand.internal.ByteRing;
import dev.strand.internal.CountingRingMemory;
import dev.strand.internal.StrandEngine;
import dev.strand.internal.TabActor;
import dev.strand.internal.TabRegistry;
import dev.strand.internal.TabRenderer;
import dev.strand.internal.WireEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bytes a view's replay buffer and stream histories take from the server's budget, and their buffers outside the
 * heap, go back when it ends, and a history's when its container leaves the page.
 */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "strand.stream.history-size=64KB", "strand.views.session-check-interval=100ms" })
@AutoConfigureWebTestClient
@Import(BufferBudgetTests.CountedDirectMemory.class)
class BufferBudgetTests {

	@Autowired
	WebTestClient client;

	@Autowired
	StrandEngine engine;

	@Autowired
	TabRegistry registry;

	@TestConfiguration
	static class CountedDirectMemory {

		@Bean
		CountingRingMemory countingRingMemory() {
			return new CountingRingMemory(new DirectRingMemory(ByteBufAllocator.DEFAULT));
		}

	}

	@Test
	void whenAViewEndsThenWhatItsReplayBufferAndStreamHistoriesTookGoesBackToTheServersBudgetAndMemory() {
		CountingRingMemory memory = (CountingRingMemory) this.engine.buffers().memory();
		long before = this.engine.buffers().taken();
		Pages.Page page = Pages.open(this.client, "/import");
		// 600 chunks: each container's history (some 40 bytes of HTML a chunk) and the log outgrow the free bytes
		Disposable reading = readAlong(page, "/import/start?count=600", HttpStatus.OK, 600);
		try {
			assertThat(this.engine.buffers().taken() - before).as("taken by the view's rings")
				.isGreaterThan(2L * (32 * 1024 - ByteRing.FREE_BYTES));
			assertThat(memory.allocated()).as("the log's ring and both containers' histories grew off the heap")
				.isGreaterThanOrEqualTo(3);
			assertThat(memory.live()).as("the log's ring at least").isPositive();
			this.client.post().uri("/logout").cookie("SESSION", page.session()).exchange().expectStatus().isOk();
			await().atMost(Duration.ofSeconds(10)).until(() -> this.engine.buffers().taken() == before);
			await().atMost(Duration.ofSeconds(10)).until(() -> memory.live() == 0);
		}
		finally {
			reading.dispose();
		}
	}

	@Test
	void whenAViewEndsThenItsStreamContainersLetGoOfTheirHistoriesInsteadOfMovingThemOntoTheHeap() {
		CountingRingMemory memory = (CountingRingMemory) this.engine.buffers().memory();
		int allocated = memory.allocated();
		Pages.Page page = Pages.open(this.client, "/import");
		Disposable reading = readAlong(page, "/import/start?count=600", HttpStatus.OK, 600);
		try {
			TabActor tab = this.registry.localTab(page.view());
			assertThat(tab).isNotNull();
			TabRenderer renderer = tab.renderer((buffers) -> {
				throw new IllegalStateException("the page made the tab's renderer");
			});
			assertThat(memory.allocated() - allocated).as("the log's ring and both containers' histories grew off the heap")
				.isGreaterThanOrEqualTo(3);
			this.client.post().uri("/logout").cookie("SESSION", page.session()).exchange().expectStatus().isOk();
			await().atMost(Duration.ofSeconds(10)).until(() -> this.registry.localTab(page.view()) == null);
			await().atMost(Duration.ofSeconds(10)).until(() -> memory.live() == 0);
			// what would draw them again is gone with the page: nothing of theirs was copied onto the heap
			assertThat(redrawn(renderer)).doesNotContain("strand-chunk");
		}
		finally {
			reading.dispose();
		}
	}

	private static String redrawn(TabRenderer renderer) {
		return renderer.renderAll().stream().map(WireEvent.Patch::html).reduce("", String::concat);
	}

	@Test
	void whenAStreamContainerLeavesThePageThenItsHistoryGivesBackItsBufferAndWhatItTook() {
		CountingRingMemory memory = (CountingRingMemory) this.engine.buffers().memory();
		int before = memory.live();
		Pages.Page page = Pages.open(this.client, "/rows");
		// 800 chunks: row a's container keeps some 40 bytes of HTML a chunk, past its free 16KB, as the log does
		Disposable reading = readAlong(page, "/rows/run?id=a&chunks=800", HttpStatus.NO_CONTENT, 800);
		try {
			int withHistory = memory.live();
			assertThat(withHistory - before).as("the log's ring and row a's history, off the heap").isEqualTo(2);
			long taken = this.engine.buffers().taken();
			page.post("/rows/remove?id=a").expectStatus().isNoContent();
			await().atMost(Duration.ofSeconds(10)).until(() -> memory.live() == withHistory - 1);
			assertThat(this.engine.buffers().taken()).isLessThan(taken);
		}
		finally {
			reading.dispose();
		}
	}

	/**
	 * Start a task that pushes this many chunks, and return the page's reading once the task has ended and the page
	 * has read them all.
	 */
	private Disposable readAlong(Pages.Page page, String start, HttpStatus status, int chunks) {
		AtomicInteger read = new AtomicInteger();
		Disposable reading = page.stream(page.lastEventId()).subscribe((event) -> read.incrementAndGet());
		try {
			page.post(start).expectStatus().isEqualTo(status);
			await().atMost(Duration.ofSeconds(20)).until(() -> this.engine.activeTasks() == 0);
			await().atMost(Duration.ofSeconds(10)).until(() -> read.get() > chunks);
			return reading;
		}
		catch (RuntimeException | Error ex) {
			reading.dispose();
			throw ex;
		}
	}

}
