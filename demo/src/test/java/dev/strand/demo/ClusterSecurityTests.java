package dev.strand.demo;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.RequestOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Security on two servers with one Redis, behind a round-robin nginx: the CSRF token of a page opened on
 * one server is accepted by the other, a page event without it is refused by both, and logging out on one server
 * stops the session's pages wherever their views live.
 */
class ClusterSecurityTests extends BrowserTest {

	static DemoCluster cluster;

	@BeforeAll
	static void startCluster() throws IOException {
		cluster = DemoCluster.start(CsrfTests.SecuredApplication.class, 2, "strand.cluster.node-timeout=2s",
				CsrfTests.SECURITY_ON);
	}

	@AfterAll
	static void stopCluster() {
		if (cluster != null) {
			cluster.close();
		}
	}

	@Override
	String url(String path) {
		return cluster.url(path);
	}

	@Test
	void whenPageEventsLandOnEitherServerThenThePagesCsrfTokenIsAcceptedByBoth() {
		int mark = cluster.logMark();
		this.page.navigate(url("/csrf"));
		awaitConnected(this.page);
		for (int n = 1; n <= 4; n++) {
			this.page.getByText("Increment").click();
			assertThat(this.page.locator("#count")).hasText(Integer.toString(n));
		}
		assertThat(this.browserLog).noneMatch((line) -> line.contains(" HTTP 403: "));
		assertThat(cluster.answeredBy(mark, "POST", "/csrf/increment")).as("servers that took page events").hasSize(2);
	}

	@Test
	void whenAPageEventLacksTheTokenThenEitherServerRefusesIt() {
		this.page.navigate(url("/csrf"));
		awaitConnected(this.page);
		String view = viewId(this.page);
		int mark = cluster.logMark();
		for (int n = 0; n < 2; n++) {
			assertThat(status(this.context.request()
				.post(url("/csrf/increment"), RequestOptions.create().setHeader("Strand-View", view).setTimeout(10_000))))
				.as("a page event without the CSRF token").isEqualTo(403);
		}
		assertThat(cluster.answeredBy(mark, "POST", "/csrf/increment")).as("servers that refused it").hasSize(2);
		assertThat(this.page.locator("#count")).hasText("0");
	}

	@Test
	void whenTheSessionLogsOutOnOneServerThenItsPagesOnEveryServerStop() {
		List<Page> tabs = new java.util.ArrayList<>(List.of(this.page));
		this.page.navigate(url("/csrf"));
		awaitConnected(this.page);
		while (!cluster.nodes().stream().allMatch((node) -> node.openViews() > 0) && tabs.size() < 8) {
			// a new tab makes two requests (its page, and the shared stream reopened for it): one or two more, in
			// turn, so that the round robin sends the next page to the other server
			DemoCluster.skipTurns(this.page, 1 + tabs.size() % 2);
			Page tab = this.context.newPage();
			tab.navigate(url("/csrf"));
			awaitConnected(tab);
			tabs.add(tab);
		}
		assertThat(cluster.nodes()).as("servers with a view of the session").allMatch((node) -> node.openViews() > 0);
		long start = System.nanoTime();
		Object status = this.page.evaluate("async () => { const m = document.querySelector('meta[name=strand-csrf]');"
				+ " const r = await fetch('/logout', { method: 'POST', redirect: 'manual', headers: { [m.dataset.header]: m.content } });"
				+ " return r.status || r.type; }");
		assertThat(String.valueOf(status)).as("the logout's answer").isIn("302", "opaqueredirect");
		for (Page tab : tabs) {
			assertThat(tab.locator(".strand-banner")).containsText("Your session has ended");
		}
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("long before the reaper's 30 s")
			.isLessThan(Duration.ofSeconds(10));
	}

}
