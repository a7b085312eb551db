package dev.strand.test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.util.UriBuilder;

import dev.strand.internal.TabRegistry;

/**
 * Drives Strand pages in tests without a browser, as LiveView's {@code live/2} and {@code render_async/2} do:
 * {@link #open} GETs a page and returns its {@link TestTab}, which connects the page's stream, posts page events,
 * awaits the view's tasks, and reads the page's HTML as strand.js would have patched it, and the view's assigns.
 *
 * <pre class="code">
 * &#64;SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
 * &#64;AutoConfigureStrandTestClient
 * class ImportPageTests {
 *
 *     &#64;Autowired
 *     StrandTestClient strand;
 *
 *     &#64;Test
 *     void whenTheImportEndsThenItsFlashIsShown() {
 *         TestTab tab = this.strand.open("/import").connect();
 *         tab.post("/import/start").awaitTask("job");
 *         assertThat(tab.text("#flash")).contains("Completed!");
 *     }
 *
 * }
 * </pre>
 *
 * <p>Built on {@link WebTestClient}: against a running server with {@code RANDOM_PORT}, or bound to the
 * application context in a {@code @WebFluxTest}. Reading a view's state, awaiting its tasks and letting its
 * timeouts run out need the application in the test's JVM, which both give. Each {@link #open} starts a new
 * session, as a new browser would. The tabs a client opened are closed after each test method by
 * {@link StrandTestExecutionListener}, so that no stream or task outlives its test; this assumes that test
 * methods sharing an application context do not run in parallel.
 */
public final class StrandTestClient {

	private final WebTestClient client;

	private final ServerTabs server;

	private final Duration timeout;

	private final List<TestTab> tabs;

	StrandTestClient(WebTestClient client, Supplier<@Nullable TabRegistry> registry, Duration timeout) {
		this(client, new ServerTabs(registry), timeout, new ArrayList<>());
	}

	private StrandTestClient(WebTestClient client, ServerTabs server, Duration timeout, List<TestTab> tabs) {
		// a browser takes a page, and an event of its stream, of any size: WebTestClient's codecs stop at 256KB
		this.client = client.mutate()
			.responseTimeout(timeout)
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(-1))
			.build();
		this.server = server;
		this.timeout = timeout;
		this.tabs = tabs;
	}

	/**
	 * Create a client outside Spring Boot's test auto-configuration, for example with a {@link WebTestClient} of
	 * your own. Close its tabs yourself, with {@link #closeAll()}.
	 * @param client the client that sends the requests
	 * @param context the application's context, where Strand's tabs are read; a client without one cannot read
	 * assigns or await tasks
	 * @return the client, with a timeout of 10 seconds
	 */
	public static StrandTestClient create(WebTestClient client, @Nullable ApplicationContext context) {
		Supplier<@Nullable TabRegistry> registry = (context != null)
				? () -> context.getBeanProvider(TabRegistry.class).getIfAvailable() : () -> null;
		return new StrandTestClient(client, registry, StrandTestProperties.DEFAULT_TIMEOUT);
	}

	/**
	 * Return a client that sends its requests with another {@link WebTestClient}, for example one that
	 * authenticates them; its tabs are closed with this client's.
	 * @param client the client
	 * @return the new client
	 */
	public StrandTestClient withClient(WebTestClient client) {
		return new StrandTestClient(Objects.requireNonNull(client, "client"), this.server, this.timeout, this.tabs);
	}

	/**
	 * Return a client whose tabs wait this long for their tasks, stream and page events before they fail the
	 * test ({@code strand.test.timeout}), and whose requests wait this long for their response; its tabs are
	 * closed with this client's.
	 * @param timeout the timeout
	 * @return the new client
	 */
	public StrandTestClient withTimeout(Duration timeout) {
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("The timeout must be positive, but was " + timeout);
		}
		return new StrandTestClient(this.client, this.server, timeout, this.tabs);
	}

	/**
	 * Return how long tabs wait for their tasks, stream and page events, and requests for their response.
	 * @return the timeout
	 */
	public Duration timeout() {
		return this.timeout;
	}

	/**
	 * Open a page in a new session, as a new browser would: GET it and return its tab, which has the page as it
	 * was first rendered. Its view's tasks wait until the tab {@link TestTab#connect() connects}.
	 * @param path the page's path, such as {@code /orgs/acme}
	 * @return the tab
	 * @throws AssertionError if the GET does not answer 200 with a Strand page
	 */
	public TestTab open(String path) {
		return newSession().open(path);
	}

	/**
	 * Start a new session, as a new browser would, to open several tabs in it.
	 * @return the session
	 */
	public TestSession newSession() {
		return new TestSession(this);
	}

	/**
	 * Close every tab that this client, or one made from it, has opened: their streams end, and their views close
	 * at once, as they would once the grace period had passed (their tasks end with {@code Cancelled}).
	 */
	public void closeAll() {
		List<TestTab> open;
		synchronized (this.tabs) {
			open = List.copyOf(this.tabs);
			this.tabs.clear();
		}
		List<Throwable> failures = new ArrayList<>();
		for (TestTab tab : open) {
			try {
				tab.close();
			}
			catch (RuntimeException | AssertionError ex) {
				failures.add(ex);
			}
		}
		if (!failures.isEmpty()) {
			IllegalStateException failed = new IllegalStateException(failures.size() + " of " + open.size()
					+ " tab(s) could not be closed");
			failures.forEach(failed::addSuppressed);
			throw failed;
		}
	}

	TestTab open(TestSession session, String path) {
		EntityExchangeResult<String> result = this.client.get()
			.uri(uri(path))
			.cookies(session::addTo)
			.accept(MediaType.TEXT_HTML)
			.exchange()
			.expectBody(String.class)
			.returnResult();
		session.update(result);
		String html = result.getResponseBody();
		if (!result.getStatus().is2xxSuccessful()) {
			throw new AssertionError("GET " + path + " answered " + describe(result.getStatus().value())
					+ redirect(result) + ", not 200 with a Strand page" + body(html));
		}
		TestTab tab = new TestTab(this, session, this.server, path, result.getUrl(), (html != null) ? html : "");
		synchronized (this.tabs) {
			this.tabs.add(tab);
		}
		return tab;
	}

	WebTestClient client() {
		return this.client;
	}

	/**
	 * A path as a browser sends it, after the client's base URL: not a URI template, so that braces are sent as
	 * they are and what is percent-encoded already is not encoded again ({@code ?q=R%26D} stays one value).
	 * Characters that a URI cannot hold (a space, a brace, a letter beyond ASCII) are percent-encoded, as a
	 * browser does.
	 */
	static Function<UriBuilder, URI> uri(String path) {
		String encoded = encode(path);
		if (URI.create(encoded).isAbsolute()) {
			return (builder) -> URI.create(encoded); // a URL of its own, as the client's would take it
		}
		return (builder) -> {
			String base = builder.build().toString();
			if (base.endsWith("/") && encoded.startsWith("/")) {
				base = base.substring(0, base.length() - 1);
			}
			return URI.create(base + encoded);
		};
	}

	private static String encode(String path) {
		StringBuilder encoded = new StringBuilder(path.length());
		byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
		for (int i = 0; i < bytes.length; i++) {
			int b = bytes[i] & 0xFF;
			boolean encodedAlready = (b == '%') && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2]);
			if (encodedAlready || (b > 0x20 && b < 0x7F && "\"<>\\^`{|}[] ".indexOf(b) < 0 && b != '%')) {
				encoded.append((char) b);
			}
			else {
				encoded.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
					.append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
			}
		}
		return encoded.toString();
	}

	private static boolean isHex(byte b) {
		return Character.digit(b, 16) >= 0;
	}

	/** A duration as a person writes it: {@code 300ms}, {@code 10s}, {@code 1m30s}. */
	static String format(Duration duration) {
		if (duration.toMillis() < 1000) {
			return duration.toMillis() + "ms";
		}
		String text = duration.truncatedTo(ChronoUnit.MILLIS).toString().substring(2).toLowerCase(Locale.ROOT);
		return text.replaceAll("\\.0+s$", "s");
	}

	static String describe(int status) {
		HttpStatus known = HttpStatus.resolve(status);
		return (known != null) ? status + " " + known.getReasonPhrase() : Integer.toString(status);
	}

	private static String redirect(EntityExchangeResult<?> result) {
		String location = result.getResponseHeaders().getFirst("Location");
		return (location != null) ? " (to " + location + ")" : "";
	}

	static String body(@Nullable String body) {
		if (body == null || body.isBlank()) {
			return "";
		}
		String text = body.strip();
		return ": " + ((text.length() > 300) ? text.substring(0, 300) + "…" : text);
	}

}
