package dev.strand.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import org.junit.jupiter.api.Test;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many tabs of one browser: over HTTP/1.1 a browser opens at most six connections to a host, so the tabs share
 * one stream, held by one of them; and after an outage, browsers come back at scattered instants.
 */
@DemoTest
class ManyTabsTests extends BrowserTest {

	private static final int TABS = 10;

	@Test
	void tenTabsOfOneBrowserEachRunATaskToTheEnd() {
		List<String> streams = streamRequests();
		List<Page> tabs = new ArrayList<>(List.of(this.page));
		for (int i = 1; i < TABS; i++) {
			tabs.add(this.context.newPage());
		}
		for (Page tab : tabs) {
			tab.navigate(url("/streaming"));
			awaitConnected(tab);
		}
		for (Page tab : tabs) {
			start(tab);
		}
		for (Page tab : tabs) {
			assertThat(tab.locator("#flash .strand-flash-info .strand-flash-text")).hasText("Completed!");
			assertThat(tab.locator("#chunks .strand-chunk")).hasCount(StreamingController.CHUNKS);
		}
		assertThat(streams).as("stream requests").allMatch((url) -> url.contains("tabs="));
	}

	@Test
	void whenTheTabHoldingTheStreamClosesAnotherTakesItOver() {
		List<Page> tabs = new ArrayList<>(List.of(this.page, this.context.newPage(), this.context.newPage()));
		for (Page tab : tabs) {
			tab.navigate(url("/streaming"));
			awaitConnected(tab);
		}
		tabs.get(0).close(); // the first tab took the lock, so it held the stream
		for (Page tab : tabs.subList(1, 3)) {
			start(tab);
		}
		for (Page tab : tabs.subList(1, 3)) {
			assertThat(tab.locator("#flash .strand-flash-info .strand-flash-text")).hasText("Completed!");
		}
	}

	/**
	 * A browser may refuse a page its Web Lock (a sandboxed frame, an opaque origin): the tab cannot take part in
	 * the shared stream, so it opens one of its own rather than none.
	 */
	@Test
	void whenTheBrowserRefusesTheWebLockThenTheTabOpensItsOwnStream() {
		List<String> streams = streamRequests();
		this.page.addInitScript("navigator.locks.request = () =>"
				+ " Promise.reject(new DOMException('This page may not use locks', 'SecurityError'));");
		this.page.navigate(url("/streaming"));
		awaitConnected(this.page);
		start(this.page);
		assertThat(this.page.locator("#flash .strand-flash-info .strand-flash-text")).hasText("Completed!");
		assertThat(this.page.locator("#chunks .strand-chunk")).hasCount(StreamingController.CHUNKS);
		assertThat(streams).as("stream requests").isNotEmpty().allMatch((url) -> url.contains("view="));
	}

	/**
	 * Four browsers reach the application through a TCP proxy that resets every connection for a few seconds,
	 * as a restarting server would: each comes back after its own jittered delay, not at the browser's fixed
	 * three-second EventSource retry, all at the same instants.
	 */
	@Test
	void afterAnOutageBrowsersReconnectAtScatteredInstants() throws Exception {
		try (TcpProxy proxy = new TcpProxy(this.port)) {
			List<BrowserContext> browsers = new ArrayList<>();
			try {
				for (int b = 0; b < 4; b++) {
					BrowserContext browser = newContext();
					browsers.add(browser);
					// When each stream is opened, by the browser's clock (Playwright hands events over late).
					browser.addInitScript("window.__streams = []; const Native = window.EventSource;"
							+ " window.EventSource = function (url, init) { window.__streams.push(Date.now()); return new Native(url, init); };"
							+ " window.EventSource.prototype = Native.prototype; Object.assign(window.EventSource, Native);");
					Page page = browser.newPage();
					page.navigate("http://127.0.0.1:" + proxy.port() + "/streaming");
					awaitConnected(page);
				}
				long outage = System.currentTimeMillis();
				proxy.refuse(true);
				proxy.dropConnections();
				Thread.sleep(4000);
				proxy.refuse(false);
				List<Long> firstRetries = new ArrayList<>();
				for (BrowserContext browser : browsers) {
					Page page = browser.pages().get(0);
					awaitConnected(page);
					List<?> opened = (List<?>) page.evaluate("() => window.__streams");
					long first = opened.stream().mapToLong((at) -> ((Number) at).longValue()).filter((at) -> at >= outage)
						.min().orElseThrow();
					firstRetries.add(first - outage);
				}
				assertThat(firstRetries).as("ms from the outage to each browser's first retry")
					.allSatisfy((ms) -> assertThat(ms).isLessThan(1500));
				long spread = firstRetries.stream().mapToLong(Long::longValue).max().orElseThrow()
						- firstRetries.stream().mapToLong(Long::longValue).min().orElseThrow();
				assertThat(spread).as("spread of the first retries, in ms: %s", firstRetries).isGreaterThan(20);
			}
			finally {
				browsers.forEach(BrowserContext::close);
			}
		}
	}

	/** The URLs of the stream requests the test's context makes from now on. */
	private List<String> streamRequests() {
		List<String> streams = new CopyOnWriteArrayList<>();
		this.context.onRequest((request) -> {
			if (request.url().contains("/strand/stream?")) {
				streams.add(request.url());
			}
		});
		return streams;
	}

	private void start(Page tab) {
		tab.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Start").setExact(true)).click();
		assertThat(tab.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Cancel").setExact(true))).isVisible();
	}

}
