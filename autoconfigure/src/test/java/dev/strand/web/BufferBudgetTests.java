package dev.strand.web;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;

import dev.strand.internal.ByteRing;
import dev.strand.internal.StrandEngine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The bytes a view's replay buffer and stream histories take from the server's budget go back when it ends. */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "strand.stream.history-size=64KB", "strand.views.session-check-interval=100ms" })
@AutoConfigureWebTestClient
class BufferBudgetTests {

	@Autowired
	WebTestClient client;

	@Autowired
	StrandEngine engine;

	@Test
	void whenAViewEndsThenWhatItsReplayBufferAndStreamHistoriesTookGoesBackToTheServersBudget() {
		long before = this.engine.buffers().taken();
		Pages.Page page = Pages.open(this.client, "/import");
		AtomicInteger read = new AtomicInteger();
		Disposable reading = page.stream(page.lastEventId()).subscribe((event) -> read.incrementAndGet());
		try {
			// 600 chunks: each container's history (some 40 bytes of HTML a chunk) and the log outgrow the free bytes
			page.post("/import/start?count=600").expectStatus().isOk();
			await().atMost(Duration.ofSeconds(20)).until(() -> this.engine.activeTasks() == 0);
			await().atMost(Duration.ofSeconds(10)).until(() -> read.get() > 600); // the page reads along
			assertThat(this.engine.buffers().taken() - before).as("taken by the view's rings")
				.isGreaterThan(2L * (32 * 1024 - ByteRing.FREE_BYTES));
			this.client.post().uri("/logout").cookie("SESSION", page.session()).exchange().expectStatus().isOk();
			await().atMost(Duration.ofSeconds(10)).until(() -> this.engine.buffers().taken() == before);
		}
		finally {
			reading.dispose();
		}
	}

}
