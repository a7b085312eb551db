package dev.strand.demo;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import com.microsoft.playwright.Page;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A view's life in a real browser: a closed tab and a dropped connection. */
@DemoTest
class ViewLifecycleTests extends BrowserTest {

	@Autowired
	MeterRegistry meters;

	@Test
	void closingTheTabCancelsItsTasksAtOnce() {
		// Earlier tests' tabs are closed; wait until their views are gone too.
		await().atMost(Duration.ofSeconds(30)).until(() -> gauge("strand.tasks.active") == 0 && gauge("strand.views.active") == 0);
		long cancelledBefore = cancelled("stats");
		this.page.navigate(url("/many"));
		awaitConnected(this.page);
		button("Start all").click();
		await().atMost(Duration.ofSeconds(10)).until(() -> gauge("strand.tasks.active") == ManyTasksController.WORKERS + 1);
		long closedAt = System.nanoTime();
		// as a user closes it: its pagehide handlers run
		this.page.waitForClose(() -> this.page.close(new Page.CloseOptions().setRunBeforeUnload(true)));
		await().atMost(Duration.ofSeconds(DemoTest.GRACE_SECONDS + 1))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> gauge("strand.tasks.active") == 0);
		Duration took = Duration.ofNanos(System.nanoTime() - closedAt);
		assertThat(took).as("time from closing the tab to no task running, not the grace period of "
				+ DemoTest.GRACE_SECONDS + " s").isLessThan(Duration.ofSeconds(2));
		assertThat(gauge("strand.views.active")).isZero();
		assertThat(cancelled("stats") - cancelledBefore).as("the stats task, which only ends when its tab goes").isEqualTo(1);
	}

	/**
	 * The browser reaches the application through a TCP proxy that resets every connection after the second
	 * chunk: the stream really breaks (the page shows it is disconnected), strand.js reconnects from the last
	 * event it has, and the chunks pushed meanwhile are replayed exactly once.
	 */
	@Test
	void droppedConnectionReconnectsAndNoChunkIsLostOrDuplicated() throws Exception {
		try (TcpProxy proxy = new TcpProxy(this.port)) {
			List<String> streams = new CopyOnWriteArrayList<>();
			this.page.onRequest((request) -> {
				if (request.url().contains("/strand/stream?")) {
					// the shared stream names each tab with the last event it has: ?tabs=ID:N
					streams.add(request.url().replaceAll(".*[?&]tabs=[^:]+(?::|%3A)([0-9]+).*", "$1"));
				}
			});
			this.page.navigate("http://127.0.0.1:" + proxy.port() + "/streaming");
			awaitConnected(this.page);
			button("Start").click();
			assertThat(this.page.locator("#chunks .strand-chunk").nth(1)).hasText("Async work chunk 2");
			proxy.dropConnections();
			assertThat(this.page.locator("html")).hasClass(Pattern.compile("\\bstrand-disconnected\\b"));
			assertThat(this.page.locator("#flash .strand-flash-text")).hasText("Completed!");
			assertThat(this.page.locator("#chunks .strand-chunk").allTextContents())
				.isEqualTo(IntStream.rangeClosed(1, 5).mapToObj((n) -> "Async work chunk " + n).toList());
			assertThat((Integer) this.page.evaluate("window.__strandConnections")).as("stream opened").isGreaterThanOrEqualTo(2);
			assertThat(streams).as("the last event id of each stream request").hasSizeGreaterThanOrEqualTo(2);
			assertThat(streams.get(streams.size() - 1)).as("the reconnect's last event id").matches("[1-9][0-9]*");
		}
	}

	private double gauge(String name) {
		return this.meters.get(name).gauge().value();
	}

	private long cancelled(String task) {
		return Search.in(this.meters).name("strand.tasks").tag("task", task).tag("outcome", "cancelled").timers()
			.stream().mapToLong((timer) -> timer.count()).sum();
	}

}
