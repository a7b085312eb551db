package dev.strand.demo;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A page outlives its view: when the server restarts or shuts down, or the page was away longer than the grace
 * period, strand.js fetches the page again and swaps it in, keeping what the user typed, and says when a task
 * that was running has stopped. Runs the demo itself, so that it can stop and start it under an open page.
 */
class RemountTests extends BrowserTest {

	private ConfigurableApplicationContext app;

	@BeforeEach
	void startTheDemo() {
		this.port = freePort();
		this.app = start();
	}

	/**
	 * A free port below the kernel's ephemeral range (32768 and up on Linux), where the demo can restart: a port of
	 * that range, free when picked, can meanwhile become the local port of any outgoing connection on the machine.
	 */
	private static int freePort() {
		for (int attempt = 0; attempt < 100; attempt++) {
			int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
			try (ServerSocket socket = new ServerSocket(port)) {
				return socket.getLocalPort();
			}
			catch (IOException taken) {
				// try another
			}
		}
		throw new IllegalStateException("No free port between 20000 and 32000 after 100 tries");
	}

	@AfterEach
	void stopTheDemo() {
		if (this.app != null) {
			this.app.close();
		}
	}

	private ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(DemoApplication.class)
			.properties("server.port=" + this.port, "strand.views.disconnect-grace=2s", "strand.tasks.shutdown-grace=500ms",
					"strand.stream.heartbeat=500ms")
			.run();
	}

	@Test
	void whenTheServerRestartsUnderAnOpenPageItRemountsKeepingWhatTheUserTyped() {
		this.page.navigate(url("/organization"));
		awaitConnected(this.page);
		assertThat(this.page.locator("#org .name")).isVisible();
		String before = viewId(this.page);
		this.page.fill("#org-latency", "20000");
		orgCard().getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Reload").setExact(true)).click();
		assertThat(this.page.locator("#org")).hasAttribute("aria-busy", "true");
		this.page.fill("#profile-latency", "1234"); // typed, not sent
		this.page.locator("#profile-latency").focus();

		this.app.close(); // a graceful shutdown: the page is told to remount, and retries until the server is back
		this.app = start();

		this.page.waitForFunction("(before) => document.querySelector('meta[name=strand-view]').content !== before", before,
				new Page.WaitForFunctionOptions().setTimeout(30_000));
		assertThat(this.page.locator("#profile-latency")).hasValue("1234");
		assertThat(this.page.locator("#profile-latency")).isFocused();
		assertThat(this.page.locator("#flash .strand-flash-text"))
			.hasText("The page reconnected to the server; a task that was running has stopped. Start it again if you need it.");
		assertThat(this.page.locator("#org .name")).isVisible(); // its assignAsync keys loaded again
		this.page.fill("#org-latency", "0");
		orgCard().getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Reload with reset").setExact(true)).click();
		assertThat(this.page.locator("#org .fetched")).isVisible();
	}

	@Test
	void whenThePageWasAwayLongerThanTheGracePeriodItRemounts() throws Exception {
		try (TcpProxy proxy = new TcpProxy(this.port, this::log)) {
			this.page.navigate("http://127.0.0.1:" + proxy.port() + "/streaming");
			awaitConnected(this.page);
			String before = viewId(this.page);
			log("test: the browser goes offline");
			this.context.setOffline(true); // the browser's network goes, and its stream with it
			proxy.dropConnections();
			assertThat(this.page.locator("html")).hasClass(Pattern.compile("\\bstrand-disconnected\\b"));
			// The server notices the dead connection at its next heartbeat (it writes to it), then waits the grace
			// period: after that the view is gone. A fixed wait is not enough on a loaded machine: a page that comes
			// back within the grace period rejoins its view, as it should, and never remounts.
			MeterRegistry meters = this.app.getBean(MeterRegistry.class);
			await().atMost(Duration.ofSeconds(30)).until(() -> meters.get("strand.views.active").gauge().value() == 0);
			log("test: the server has closed the view");
			log("test: the browser comes back online");
			this.context.setOffline(false);
			// its reconnect backoff may have grown to 15 s meanwhile; a loaded machine adds to that
			this.page.waitForFunction("(before) => document.querySelector('meta[name=strand-view]').content !== before", before,
					new Page.WaitForFunctionOptions().setTimeout(60_000));
			assertThat(this.page.locator("html")).not().hasClass(Pattern.compile("\\bstrand-(disconnected|expired)\\b"));
			button("Start").click();
			assertThat(this.page.locator("#chunks .strand-chunk").first()).hasText("Async work chunk 1");
		}
	}

	@Test
	void whenTheServerStaysDownThePageSaysSoAndOffersAReload() {
		this.page.navigate(url("/streaming"));
		awaitConnected(this.page);
		this.app.close();
		this.app = null;
		Locator banner = this.page.locator(".strand-banner");
		// five remount attempts, backing off up to 3-9 s, after a shutdown that a loaded machine makes slow
		assertThat(banner).containsText("lost its connection", new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(60_000));
		assertThat(banner.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Reload"))).isVisible();
	}

	private Locator orgCard() {
		return this.page.locator("#org-card");
	}


}
