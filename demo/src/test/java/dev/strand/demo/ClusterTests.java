package dev.strand.demo;

import java.io.IOException;
import java.time.Duration;
import java.util.regex.Pattern;

import com.microsoft.playwright.Page;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo on two servers with one Redis ({@code strand.cluster.mode=redis}), behind nginx as a round-robin
 * balancer that is not sticky, driven by a real Chromium: a page's stream, its reconnects and its page events land
 * on either server, one server is killed under a running task, and Redis restarts under an open page.
 */
class ClusterTests extends BrowserTest {

	static DemoCluster cluster;

	@BeforeAll
	static void startCluster() throws IOException {
		cluster = DemoCluster.start(2, "strand.cluster.node-timeout=2s", "strand.views.disconnect-grace=5s",
				"strand.stream.heartbeat=1s");
	}

	@AfterAll
	static void stopCluster() {
		if (cluster != null) {
			cluster.close();
			// nothing of it is left behind: not even nginx's worker, which would go on answering on its port
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(DemoCluster.status(cluster.url("/"))).as("status on the balancer's port").isZero());
		}
	}

	@Override
	String url(String path) {
		return cluster.url(path);
	}

	@Test
	void whenPageEventsAndStreamsLandOnEitherServerThenTheStreamingPageWorksAsOnOne() {
		int mark = cluster.logMark();
		int[] both = cluster.nodes().stream().mapToInt((node) -> node.port).toArray();
		for (int run = 0; run < 8; run++) {
			this.page.navigate(url("/streaming"));
			awaitConnected(this.page);
			button("Start").click();
			assertThat(this.page.locator("#flash .strand-flash-info .strand-flash-text")).hasText("Completed!");
			assertThat(this.page.locator("#chunks .strand-chunk")).hasCount(StreamingController.CHUNKS);
			assertThat(this.page.locator("#controls .status")).containsText("Completed: returned \"done\"");
			boolean everywhere = cluster.answeredBy(mark, "GET", "/strand/stream").size() == 2
					&& cluster.answeredBy(mark, "POST", "/streaming/start").size() == 2;
			if (run >= 2 && everywhere) {
				break;
			}
			if (!everywhere) {
				// one or two more requests, in turn, so that the round robin sends the next run's requests to the
				// other server whatever the number a run makes (the scripts are cached after the first)
				DemoCluster.skipTurns(this.page, 1 + run % 2);
			}
		}
		assertThat(cluster.answeredBy(mark, "GET", "/strand/stream")).as("servers that served streams").containsOnly(both[0], both[1])
			.hasSize(2);
		assertThat(cluster.answeredBy(mark, "POST", "/streaming/start")).as("servers that took page events").hasSize(2);
	}

	@Test
	void whenCancelLandsOnEitherServerThenTheTaskIsCancelledOnce() {
		int mark = cluster.logMark();
		this.page.navigate(url("/streaming"));
		awaitConnected(this.page);
		for (int run = 0; run < 4; run++) {
			if (run % 2 == 1) {
				// one more request, so that the round robin sends the next Start and Cancel each to the other server
				DemoCluster.skipTurns(this.page, 1);
			}
			button("Start").click();
			assertThat(this.page.locator("#chunks .strand-chunk").first()).hasText("Async work chunk 1");
			button("Cancel").click();
			assertThat(this.page.locator("#controls .status")).hasText("Cancelled.");
			assertThat(button("Start")).isVisible();
		}
		assertThat(cluster.answeredBy(mark, "POST", "/streaming/cancel")).as("servers that took a cancel").hasSize(2);
	}

	@Test
	void whenTheViewsServerIsKilledMidTaskThenThePageRemountsOnTheOther() {
		this.page.navigate(url("/streaming"));
		awaitConnected(this.page);
		String before = viewId(this.page);
		button("Start").click();
		assertThat(this.page.locator("#chunks .strand-chunk").first()).hasText("Async work chunk 1");
		DemoCluster.Node home = cluster.homeOf();
		home.kill();
		try {
			this.page.waitForFunction("(before) => document.querySelector('meta[name=strand-view]').content !== before",
					before, new Page.WaitForFunctionOptions().setTimeout(30_000));
			assertThat(this.page.locator("#flash .strand-flash-text"))
				.hasText("The page reconnected to the server; a task that was running has stopped. Start it again if you need it.");
			button("Start").click();
			assertThat(this.page.locator("#flash .strand-flash-info .strand-flash-text")).hasText("Completed!");
		}
		finally {
			cluster.restart(home);
		}
	}

	@Test
	void whenRedisRestartsUnderAnOpenPageThenThePageCarriesOn() {
		this.page.navigate(url("/streaming"));
		awaitConnected(this.page);
		String view = viewId(this.page);
		DemoCluster.Node any = cluster.nodes().get(0);
		cluster.redis.stop();
		try {
			await().atMost(Duration.ofSeconds(15))
				.until(() -> DemoCluster.body(any.url("/actuator/health")).contains("\"DOWN\""));
			assertThat(DemoCluster.status(any.url("/actuator/health"))).isEqualTo(503);
		}
		finally {
			cluster.redis.restart();
		}
		// every server, not just one: a server still reconnecting to Redis would time out the next test's requests
		await().atMost(Duration.ofSeconds(60)).until(() -> cluster.nodes().stream()
			.allMatch((node) -> DemoCluster.status(node.url("/actuator/health")) == 200));
		assertThat(this.page.locator("html")).not().hasClass(Pattern.compile("\\bstrand-disconnected\\b"),
				new com.microsoft.playwright.assertions.LocatorAssertions.HasClassOptions().setTimeout(30_000));
		button("Start").click();
		assertThat(this.page.locator("#flash .strand-flash-info .strand-flash-text")).hasText("Completed!");
		assertThat(viewId(this.page)).as("the page's view, kept through the restart").isEqualTo(view);
	}

}
