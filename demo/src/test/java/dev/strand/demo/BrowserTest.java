package dev.strand.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Request;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ScreenshotAnimations;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives Debian's headless Chromium with Playwright against the application under test: one browser per test
 * class, a fresh context (so a fresh session, with its own cookies) and page per test.
 */
@ExtendWith(DiagnosticsExtension.class)
abstract class BrowserTest {

	/** Debian's Chromium; {@code -Dchromium.path=...} points elsewhere. */
	static final Path CHROMIUM = Paths.get(System.getProperty("chromium.path", "/usr/bin/chromium"));

	static final Path SCREENSHOTS = Paths.get("target", "screenshots");

	/** Where the README's pictures live; written only with {@code -Ddocs.screenshots=true}. */
	static final Path DOCS = Paths.get("..", "docs");

	static Playwright playwright;

	static Browser browser;

	@LocalServerPort
	int port;

	BrowserContext context;

	Page page;

	/** What the browser said while the test ran (console messages, script errors, failed requests), each line after its time of day. */
	final List<String> browserLog = new CopyOnWriteArrayList<>();

	/** Every request the test's browser contexts made, and how it ended; printed only when the test fails. */
	final List<String> requestLog = new CopyOnWriteArrayList<>();

	@BeforeAll
	static void launchBrowser() {
		assertTrue(Files.isExecutable(CHROMIUM), "The browser tests need Chromium at " + CHROMIUM
				+ ", but it is not there; install it with 'apt-get install chromium'");
		playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
		browser = playwright.chromium().launch(launchOptions());
		PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
	}

	/** How the tests launch Chromium: headless, without what a test machine does not need. */
	static BrowserType.LaunchOptions launchOptions() {
		return new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM)
			.setHeadless(true)
			.setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
					"--disable-background-networking", "--disable-component-update", "--disable-sync"));
	}

	@AfterAll
	static void closeBrowser() {
		if (browser != null) {
			browser.close();
		}
		if (playwright != null) {
			playwright.close();
		}
	}

	@BeforeEach
	void openPage() {
		this.context = newContext();
		this.page = this.context.newPage();
	}

	@AfterEach
	void closeContext(TestInfo test) {
		try {
			if (!this.page.isClosed()) {
				// What the page looked like when the test ended: the first thing to look at when one fails.
				screenshot("end/" + getClass().getSimpleName() + "." + test.getTestMethod().orElseThrow().getName());
			}
		}
		finally {
			this.context.close();
			if (!this.browserLog.isEmpty()) {
				System.out.println("Browser log of " + test.getDisplayName() + ":\n  " + String.join("\n  ", this.browserLog));
			}
		}
	}

	/**
	 * Adds a line to the browser log, with the time of day, so that the proxy's and the browser's lines can be read
	 * in order.
	 * @param line what happened
	 */
	void log(String line) {
		this.browserLog.add(LocalTime.now() + " " + line);
	}

	BrowserContext newContext() {
		return newContext(browser);
	}

	BrowserContext newContext(Browser browser) {
		BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1200, 900));
		context.setDefaultTimeout(15_000);
		countConnections(context);
		context.onRequest((request) -> logRequest("sent", request, ""));
		context.onRequestFinished((request) -> logRequest("finished", request, ""));
		context.onRequestFailed((request) -> logRequest("failed", request, " " + request.failure()));
		context.onPage((page) -> {
			page.onConsoleMessage((message) -> log("console." + message.type() + ": " + message.text()));
			page.onPageError((error) -> log("page error: " + error));
			page.onRequestFailed((request) -> log("request failed: " + request.method() + " "
					+ request.url() + " " + request.failure()));
			page.onResponse((response) -> {
				if (response.status() >= 400) {
					log("HTTP " + response.status() + ": " + response.request().method() + " " + response.url());
				}
			});
		});
		return context;
	}

	private void logRequest(String what, Request request, String detail) {
		this.requestLog.add(LocalTime.now() + " " + what + " " + request.method() + " " + request.url() + detail);
	}

	/**
	 * What the test's pages say of themselves, and every request they made: printed by {@link DiagnosticsExtension}
	 * when a test fails, before its page is closed.
	 */
	void printPages() {
		System.out.println("Requests of " + getClass().getSimpleName() + ":\n  " + String.join("\n  ", this.requestLog));
		for (BrowserContext context : browser.contexts()) {
			for (Page page : context.pages()) {
				try {
					System.out.println("Page " + page.url() + ": " + page.evaluate(PAGE_STATE));
				}
				catch (RuntimeException ex) {
					System.out.println("Page " + page.url() + ": could not be read: " + ex.getMessage());
				}
			}
		}
	}

	/** The page's state: whether strand.js ran and connected, the resources it loaded, and the Web Locks it holds. */
	static final String PAGE_STATE = """
			async () => JSON.stringify({
			  readyState: document.readyState,
			  view: document.querySelector('meta[name=strand-view]')?.content,
			  strandRan: typeof window.Strand === 'object',
			  connected: window.__strandConnected === true,
			  classes: document.documentElement.className,
			  resources: performance.getEntriesByType('resource').map((e) => e.name + ' ' + Math.round(e.startTime) + '..' + Math.round(e.responseEnd)),
			  locks: navigator.locks ? await navigator.locks.query() : null,
			})""";

	String url(String path) {
		return "http://localhost:" + this.port + path;
	}

	Locator button(String name) {
		return this.page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
	}

	static String viewId(Page page) {
		return page.locator("meta[name=strand-view]").getAttribute("content");
	}

	/** Wait until the page's stream is open, so that what follows really goes over it. */
	static void awaitConnected(Page page) {
		page.waitForFunction("() => window.__strandConnected === true");
	}

	/** Record, before any script runs, how often strand.js reports its stream open. */
	static void countConnections(BrowserContext context) {
		context.addInitScript("window.__strandConnections = 0; document.addEventListener('strand:connected', () => {"
				+ " window.__strandConnected = true; window.__strandConnections++; });");
	}

	/**
	 * Save a screenshot under target/screenshots, and also under docs/ when {@code docs} is given and the build
	 * was asked to refresh the README's pictures.
	 */
	void screenshot(String name, String docs) {
		try {
			Path file = SCREENSHOTS.resolve(name + ".png");
			Files.createDirectories(file.getParent());
			this.page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true)
				.setAnimations(ScreenshotAnimations.DISABLED));
			if (docs != null && Boolean.getBoolean("docs.screenshots")) {
				Files.createDirectories(DOCS);
				Files.copy(file, DOCS.resolve(docs + ".png"), StandardCopyOption.REPLACE_EXISTING);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	void screenshot(String name) {
		screenshot(name, null);
	}

	/** The response's status; the response is disposed of. */
	static int status(APIResponse response) {
		try {
			return response.status();
		}
		finally {
			response.dispose();
		}
	}

}
