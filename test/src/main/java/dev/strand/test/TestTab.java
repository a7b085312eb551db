package dev.strand.test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.util.ObjectUtils;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.strand.AsyncResult;
import dev.strand.CancelReason;
import dev.strand.Outcome;
import dev.strand.Progress;
import dev.strand.internal.TabActor;
import dev.strand.internal.TabSnapshot;

/**
 * One browser tab showing a Strand page, in a test: what {@link StrandTestClient#open} returns. It holds the page
 * as its GET rendered it; once {@link #connect() connected}, the view's tasks run and the tab applies what its
 * stream sends, as strand.js does in a browser, so that {@link #html(String)} and {@link #text(String)} read the
 * page as a user would see it. {@link #post} sends page events as strand.js does (with the view's header, the
 * session's cookies and the CSRF token), {@link #awaitTasks()} waits until the view's tasks have ended and their
 * changes have arrived (LiveView's {@code render_async}), and {@link #assigns()} reads the view's state on the
 * server. {@link #disconnect()}, {@link #reconnect()} and {@link #expire()} play out a dropped connection, a
 * reconnect with {@code Last-Event-ID}, and the grace period running out.
 *
 * <p>Methods that wait fail the test with an {@link AssertionError} after the client's timeout
 * ({@code strand.test.timeout}), saying what was still running and what the tab last received. Safe to use from
 * one test thread; the stream's events arrive on another.
 */
public final class TestTab {

	private static final ParameterizedTypeReference<ServerSentEvent<String>> EVENT = new ParameterizedTypeReference<>() {
	};

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final int SHOWN_EVENTS = 10;

	/** How long a view's mailbox gets to answer past a wait's deadline. */
	private static final Duration MAILBOX_GRACE = Duration.ofSeconds(1);

	private final StrandTestClient client;

	private final TestSession session;

	private final ServerTabs server;

	private final String path;

	private final String viewId;

	private final String streamPath;

	/** The stream's URI: its path, as the page names it, on the page's server. */
	private final URI streamUri;

	private final @Nullable String csrfHeader;

	private final @Nullable String csrfToken;

	private @Nullable TabActor tab;

	// ---- guarded by this --------------------------------------------------------------------------------------

	private final PageDocument page;

	private final List<ReceivedEvent> events = new ArrayList<>();

	private final Map<String, List<String>> chunks = new LinkedHashMap<>();

	private final Map<String, Progress> progress = new LinkedHashMap<>();

	private final List<ReceivedOutcome> outcomes = new ArrayList<>();

	private final List<ReceivedFlash> flashes = new ArrayList<>();

	private final List<String> problems = new ArrayList<>();

	private long lastEventId;

	private @Nullable String closeReason;

	/** The stream being read, or {@code null}; its number tells a stale stream's signals apart. */
	private @Nullable Disposable stream;

	private int streamNumber;

	private @Nullable String streamEnd;

	/** Whether a reset has arrived: the outcomes of the tasks that ended before it were not sent. */
	private boolean reset;

	TestTab(StrandTestClient client, TestSession session, ServerTabs server, String path, URI pageUrl, String html) {
		this.client = client;
		this.session = session;
		this.server = server;
		this.path = path;
		this.page = new PageDocument(html);
		Element view = this.page.document().selectFirst("meta[name=strand-view]");
		if (view == null || view.attr("content").isBlank()) {
			throw new AssertionError("GET " + path + " answered with a page that has no <meta name=\"strand-view\">, so it "
					+ "has no Strand view: put <strand:head/> in the page's <head>, and take a View in the controller "
					+ "method that handles the GET" + StrandTestClient.body(html));
		}
		this.viewId = view.attr("content");
		Element stream = this.page.document().selectFirst("meta[name=strand-stream]");
		this.streamPath = (stream != null && !stream.attr("content").isBlank()) ? stream.attr("content") : "/strand/stream";
		// the page names its stream by its path on the server, base path included (spring.webflux.base-path), as
		// the browser resolves it against the page's URL: not after the client's base URL, which has it already
		this.streamUri = pageUrl.isAbsolute() ? pageUrl.resolve(this.streamPath) : URI.create(this.streamPath);
		Element event = this.page.document().selectFirst("meta[name=strand-event]");
		String rendered = (event != null) ? event.attr("content") : "";
		this.lastEventId = rendered.matches("[0-9]{1,18}") ? Long.parseLong(rendered) : 0;
		Element csrf = this.page.document().selectFirst("meta[name=strand-csrf]");
		this.csrfToken = (csrf != null) ? csrf.attr("content") : null;
		this.csrfHeader = (csrf != null) ? (csrf.hasAttr("data-header") ? csrf.attr("data-header") : "X-CSRF-TOKEN") : null;
		serverTab(); // now, while its view is open
	}

	/**
	 * Return the id of this tab's view, which its page events carry in the {@code Strand-View} header.
	 * @return the view id
	 */
	public String viewId() {
		return this.viewId;
	}

	/**
	 * Return the path this tab opened.
	 * @return the path
	 */
	public String path() {
		return this.path;
	}

	/**
	 * Return the session this tab belongs to, to open another tab in it.
	 * @return the session
	 */
	public TestSession session() {
		return this.session;
	}

	// ---- the stream ---------------------------------------------------------------------------------------------

	/**
	 * Connect the page's stream, as strand.js does once the page has loaded, and wait until the view has it: its
	 * waiting tasks (such as those of {@code assignAsync} in the GET) then start.
	 * @return this tab
	 * @throws IllegalStateException if the tab is connected already
	 * @throws AssertionError if the stream does not answer 200 (its view is gone, or another session's)
	 */
	public TestTab connect() {
		synchronized (this) {
			if (this.stream != null) {
				throw new IllegalStateException(this + " is connected already; reconnect() drops its stream first");
			}
		}
		openStream(false);
		return this;
	}

	/**
	 * Drop the page's stream, as a lost connection or a closed tab does, and wait until the view knows: it then
	 * waits for a reconnect for {@code strand.views.disconnect-grace}, and its tasks run on meanwhile.
	 * @return this tab
	 * @throws IllegalStateException if the tab is not connected
	 */
	public TestTab disconnect() {
		Disposable stream;
		synchronized (this) {
			stream = this.stream;
			if (stream == null) {
				throw new IllegalStateException(this + " is not connected");
			}
			this.stream = null;
			this.streamNumber++;
			this.streamEnd = "disconnect()";
			notifyAll();
		}
		stream.dispose();
		TabActor tab = serverTab();
		if (tab != null) {
			long deadline = deadline(this.client.timeout());
			while (true) {
				TabSnapshot snapshot = snapshot(tab, deadline);
				if (!snapshot.connected() || snapshot.closed()) {
					return this;
				}
				if (System.nanoTime() - deadline >= 0) {
					throw new AssertionError("Gave up after " + StrandTestClient.format(this.client.timeout())
							+ " waiting for " + viewName() + " to notice that its stream was dropped");
				}
				pause();
			}
		}
		return this;
	}

	/**
	 * Reconnect the page's stream with the {@code Last-Event-ID} of the last event it received, as a browser's
	 * EventSource does after a lost connection (dropping the stream first if it is still connected): the view
	 * sends what the tab missed, or a full re-render ({@code reset}) if that is no longer kept.
	 * @return this tab
	 * @throws AssertionError if the stream does not answer 200: {@code 410} once the view has closed
	 */
	public TestTab reconnect() {
		if (isConnected()) {
			disconnect();
		}
		openStream(true);
		return this;
	}

	/**
	 * Let the time the view waits for its stream run out now, without sleeping through it: the disconnect grace
	 * period ({@code strand.views.disconnect-grace}) after {@link #disconnect()}, or the connect timeout
	 * ({@code strand.views.connect-timeout}) of a tab that never connected. The view closes as it would then:
	 * its tasks end with {@code Cancelled} ({@code VIEW_CLOSED}), and a {@link #reconnect()} answers {@code 410}.
	 * @return this tab
	 * @throws IllegalStateException if the tab is connected: disconnect it first
	 */
	public TestTab expire() {
		synchronized (this) {
			if (this.stream != null) {
				throw new IllegalStateException(this + " is connected: its view waits for a stream only once it has "
						+ "none; call disconnect() first");
			}
		}
		TabActor tab = requireServerTab();
		if (!join(tab.timeoutNow(), deadline(this.client.timeout()), "let its grace period run out")) {
			throw new AssertionError(viewName() + " did not close when its grace period ran out: it has a stream "
					+ "attached, which this tab did not open");
		}
		return this;
	}

	/**
	 * Close the tab, as a user does, without waiting for the grace period: its stream ends and its view closes at
	 * once, its tasks ending with {@code Cancelled} ({@code VIEW_CLOSED}). Done for every tab after each test.
	 */
	public void close() {
		Disposable stream;
		synchronized (this) {
			stream = this.stream;
			this.stream = null;
			this.streamNumber++;
			this.streamEnd = "close()";
			notifyAll();
		}
		if (stream != null) {
			stream.dispose();
		}
		TabActor tab = serverTab();
		if (tab != null && !tab.isClosed()) {
			tab.close(CancelReason.VIEW_CLOSED);
			snapshot(tab, deadline(this.client.timeout())); // handled after the close
		}
	}

	/**
	 * Whether the tab's stream is open.
	 * @return whether it is connected
	 */
	public synchronized boolean isConnected() {
		return this.stream != null;
	}

	/**
	 * Whether the view has closed: its grace period ran out, its session ended, or it was closed. Read on the
	 * server when it runs in the test's JVM, else from the {@code close} event received.
	 * @return whether it is closed
	 */
	public boolean isClosed() {
		TabActor tab = serverTab();
		if (tab != null) {
			return snapshot(tab, deadline(this.client.timeout())).closed();
		}
		synchronized (this) {
			return this.closeReason != null;
		}
	}

	private void openStream(boolean reconnect) {
		long from;
		synchronized (this) {
			from = this.lastEventId;
		}
		URI uri = streamUri("")
			.queryParamIfPresent("lastEventId", reconnect ? Optional.empty() : Optional.of(from))
			.build(true) // the stream's URI is encoded already, as the page has it
			.toUri();
		FluxExchangeResult<ServerSentEvent<String>> result = this.client.client().get()
			.uri(uri)
			.cookies(this.session::addTo)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.headers((headers) -> {
				if (reconnect) {
					headers.set("Last-Event-ID", Long.toString(from));
				}
			})
			.exchange()
			.returnResult(EVENT);
		this.session.update(result);
		int status = result.getStatus().value();
		if (status != 200) {
			result.getResponseBody().subscribe().dispose();
			throw new AssertionError("The stream of " + viewName() + " answered " + StrandTestClient.describe(status)
					+ streamRefusal(status));
		}
		int number;
		synchronized (this) {
			number = ++this.streamNumber;
			this.streamEnd = null;
		}
		Disposable subscription = result.getResponseBody()
			.subscribe((event) -> receive(number, event), (error) -> ended(number, "it failed: " + error),
					() -> ended(number, "the server ended it"));
		synchronized (this) {
			if (this.streamNumber == number && this.streamEnd == null) {
				this.stream = subscription;
			}
			else {
				subscription.dispose();
				throw new AssertionError("The stream of " + viewName() + " ended as soon as it opened: " + this.streamEnd
						+ lastEvents());
			}
		}
		TabActor tab = serverTab();
		if (tab != null) {
			long deadline = deadline(this.client.timeout());
			while (true) {
				TabSnapshot snapshot = snapshot(tab, deadline);
				if (snapshot.connected()) {
					// what the view sent meanwhile, replayed or a reset, is on the page when connect() returns
					awaitReceived(snapshot.lastEventId(), deadline, "the events the view had sent when the stream attached");
					return;
				}
				synchronized (this) {
					if (this.stream != subscription) {
						throw new AssertionError("The stream of " + viewName() + " ended before its view had it: "
								+ this.streamEnd + lastEvents());
					}
				}
				if (System.nanoTime() - deadline >= 0) {
					throw new AssertionError("Gave up after " + StrandTestClient.format(this.client.timeout())
							+ " waiting for " + viewName() + " to attach its stream" + lastEvents());
				}
				pause();
			}
		}
	}

	private String streamRefusal(int status) {
		return switch (status) {
			case 410 -> ": the view has closed (" + statusText() + ")";
			case 404 -> ": this session has no such view (it never had, or it closed long ago); is the tab's "
					+ "session cookie set?";
			default -> "";
		};
	}

	/** The stream's URI, or one under it, for this tab's view. */
	private UriComponentsBuilder streamUri(String path) {
		return UriComponentsBuilder.fromUri(this.streamUri)
			.path(path)
			.queryParam("view", UriUtils.encodeQueryParam(this.viewId, StandardCharsets.UTF_8));
	}

	private String statusText() {
		EntityExchangeResult<String> status = this.client.client().get()
			.uri(streamUri("/status").build(true).toUri())
			.cookies(this.session::addTo)
			.exchange()
			.expectBody(String.class)
			.returnResult();
		return (status.getResponseBody() != null) ? status.getResponseBody().strip() : "no reason given";
	}

	private void receive(int number, ServerSentEvent<String> event) {
		String name = event.event();
		if (name == null) {
			return; // a heartbeat comment
		}
		String data = (event.data() != null) ? event.data() : "";
		long id;
		try {
			id = Long.parseLong(event.id());
		}
		catch (NumberFormatException ex) {
			id = -1;
		}
		synchronized (this) {
			if (number != this.streamNumber) {
				return; // a stream dropped meanwhile
			}
			if (id >= 0 && id <= this.lastEventId && !name.equals("close")) {
				return; // replayed after a reconnect: strand.js drops it too
			}
			if (id > this.lastEventId) {
				this.lastEventId = id;
			}
			ReceivedEvent received = new ReceivedEvent(id, name, data);
			this.events.add(received);
			try {
				apply(received);
			}
			catch (RuntimeException ex) {
				this.problems.add("could not apply " + received + ": " + ex);
			}
			notifyAll();
		}
	}

	private synchronized void ended(int number, String why) {
		if (number == this.streamNumber) {
			this.stream = null;
			this.streamEnd = why;
			notifyAll();
		}
	}

	/** What strand.js does with each event. */
	private void apply(ReceivedEvent event) {
		JsonNode data = json.readTree(event.data());
		switch (event.name()) {
			case "patch" -> patch(data);
			case "chunk" -> {
				String task = data.path("task").asString();
				String text = data.has("text") ? data.path("text").asString("") : String.valueOf(data.get("json"));
				this.chunks.computeIfAbsent(task, (key) -> new ArrayList<>()).add(text);
				this.page.chunk(task, text, string(data, "html"));
			}
			case "progress" -> {
				String task = data.path("task").asString();
				long done = data.path("done").asLong();
				long total = data.path("total").asLong();
				this.progress.put(task, new Progress(done, total));
				this.page.progress(task, done, total);
			}
			case "outcome" -> this.outcomes.add(new ReceivedOutcome(data.path("task").asString(),
					Outcome.Kind.valueOf(data.path("kind").asString().toUpperCase(Locale.ROOT)),
					string(data, "code"), string(data, "ref"), string(data, "reason")));
			case "flash" -> {
				String kind = data.path("kind").asString("info");
				String message = string(data, "message");
				this.flashes.add(new ReceivedFlash(kind, message));
				this.page.flash(kind, message);
			}
			case "reset" -> {
				data.path("patches").forEach(this::patch);
				this.reset = true;
			}
			case "navigate" -> {
				// the browser leaves for data.url: the test reads it from events()
			}
			case "close" -> this.closeReason = data.path("reason").asString("");
			default -> this.problems.add("an event of unknown type: " + event);
		}
	}

	private void patch(JsonNode patch) {
		this.page.patch(patch.path("target").asString(), patch.path("op").asString(), string(patch, "html"));
	}

	private static @Nullable String string(JsonNode data, String field) {
		JsonNode value = data.get(field);
		return (value == null || value.isNull()) ? null : value.asString();
	}

	// ---- page events ------------------------------------------------------------------------------------------

	/**
	 * Post a page event without a body, as a {@code data-strand-post} button does, and, if the tab is connected,
	 * wait until the changes its handler made have arrived over the stream (the response's {@code Strand-Event}).
	 * @param path the handler's path
	 * @return this tab
	 * @throws AssertionError if it does not answer 2xx
	 */
	public TestTab post(String path) {
		return post(path, Map.of());
	}

	/**
	 * Post a page event with form data, as a {@code data-strand-post} form does, and, if the tab is connected,
	 * wait until the changes its handler made have arrived over the stream (the response's {@code Strand-Event}).
	 * @param path the handler's path
	 * @param form the form's fields; a value that is an {@link Iterable} or an array sends the field once per
	 * element
	 * @return this tab
	 * @throws AssertionError if it does not answer 2xx
	 */
	public TestTab post(String path, Map<String, ?> form) {
		MultiValueMap<String, String> fields = new LinkedMultiValueMap<>();
		form.forEach((name, value) -> {
			if (value instanceof Iterable<?> values) {
				values.forEach((each) -> fields.add(name, String.valueOf(each)));
			}
			else if (value != null && value.getClass().isArray()) {
				for (Object each : ObjectUtils.toObjectArray(value)) {
					fields.add(name, String.valueOf(each));
				}
			}
			else {
				fields.add(name, String.valueOf(value));
			}
		});
		EntityExchangeResult<String> result = pageEvent(path).body(BodyInserters.fromFormData(fields))
			.exchange()
			.expectBody(String.class)
			.returnResult();
		this.session.update(result);
		int status = result.getStatus().value();
		if (!result.getStatus().is2xxSuccessful()) {
			throw new AssertionError("POST " + path + " from " + viewName() + " answered "
					+ StrandTestClient.describe(status)
					+ pageEventRefusal(status) + StrandTestClient.body(result.getResponseBody()));
		}
		String redirect = result.getResponseHeaders().getFirst("Strand-Redirect");
		if (redirect != null) {
			throw new AssertionError("POST " + path + " from " + viewName() + " answered with a redirect to " + redirect
					+ " (Strand-Redirect), which a browser would follow, leaving the page; to check a redirect, send "
					+ "the page event with pageEvent(path) and read its Strand-Redirect header");
		}
		String event = result.getResponseHeaders().getFirst("Strand-Event");
		if (event != null && event.matches("[0-9]{1,18}") && isConnected()) {
			awaitReceived(Long.parseLong(event), deadline(this.client.timeout()), "the changes of POST " + path);
		}
		return this;
	}

	/**
	 * Return a page event's request, with the view's header, the session's cookies and the CSRF token, for a test
	 * that sends and checks it itself, such as one that expects {@code 429}.
	 * @param path the handler's path
	 * @return the request, to add a body to and exchange
	 */
	public WebTestClient.RequestBodySpec pageEvent(String path) {
		WebTestClient.RequestBodySpec request = this.client.client().post()
			.uri(StrandTestClient.uri(path))
			.cookies(this.session::addTo)
			.header("Strand-View", this.viewId)
			.accept(MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL);
		String header = this.csrfHeader;
		String token = this.csrfToken;
		return (header != null && token != null) ? request.header(header, token) : request;
	}

	private static String pageEventRefusal(int status) {
		return switch (status) {
			case 403 -> " (with Spring Security, a page event needs the page's CSRF token, which <strand:head/> renders)";
			case 404 -> " (this session has no such view)";
			case 410 -> " (the view has closed)";
			case 429 -> " (a Strand limit)";
			default -> "";
		};
	}

	// ---- tasks --------------------------------------------------------------------------------------------------

	/**
	 * Wait until none of the view's tasks is running, and what they changed has arrived over the stream, as
	 * LiveView's {@code render_async} does; a task that a callback starts is waited for too.
	 * @return this tab
	 * @throws AssertionError if tasks still run after the client's timeout; it names them, and the last events
	 * received
	 * @throws IllegalStateException if tasks wait for a stream that was never connected
	 */
	public TestTab awaitTasks() {
		return awaitTasks(this.client.timeout());
	}

	/**
	 * Wait, up to this timeout, until none of the view's tasks is running, and what they changed has arrived.
	 * @param timeout how long to wait
	 * @return this tab
	 * @see #awaitTasks()
	 */
	public TestTab awaitTasks(Duration timeout) {
		return await(null, timeout);
	}

	/**
	 * Wait until the task with this name, or the {@code assignAsync} task that loads this key, has ended, and
	 * what it changed has arrived over the stream. Returns at once if it has already ended. A name that ends in
	 * {@code *}, such as {@code "worker-*"}, waits for every task whose name starts with what precedes it, as
	 * {@code @HandleAsync("worker-*")} receives their outcomes: use it on a page that also runs a task for as long
	 * as it is open, which {@link #awaitTasks()} would wait for in vain.
	 * @param nameOrKey a task name, an {@code assignAsync} key, or a prefix pattern ending in {@code *}
	 * @return this tab
	 * @throws AssertionError if it still runs after the client's timeout, or the view has no such task and sent
	 * no outcome for one
	 */
	public TestTab awaitTask(String nameOrKey) {
		return awaitTask(nameOrKey, this.client.timeout());
	}

	/**
	 * Wait, up to this timeout, until this task has ended and what it changed has arrived.
	 * @param nameOrKey a task name, an {@code assignAsync} key, or a prefix pattern ending in {@code *}
	 * @param timeout how long to wait
	 * @return this tab
	 * @see #awaitTask(String)
	 */
	public TestTab awaitTask(String nameOrKey, Duration timeout) {
		return await(nameOrKey, timeout);
	}

	private TestTab await(@Nullable String nameOrKey, Duration timeout) {
		TabActor tab = requireServerTab();
		long deadline = deadline(timeout);
		boolean seenRunning = false;
		while (true) {
			TabSnapshot snapshot = snapshot(tab, deadline);
			List<TabSnapshot.Task> pending = snapshot.tasks().stream()
				.filter((task) -> nameOrKey == null || matches(task, nameOrKey))
				.toList();
			if (pending.isEmpty()) {
				if (isConnected()) {
					awaitReceived(snapshot.lastEventId(), deadline, "the events of " + what(nameOrKey));
				}
				if (nameOrKey != null && !seenRunning && isConnected() && outcome(nameOrKey) == null && !hasReset()) {
					throw new AssertionError(viewName() + " has no task '" + nameOrKey + "' and sent no outcome for one; "
							+ "name a task given to startAsync, or a key given to assignAsync. " + known(snapshot));
				}
				return this;
			}
			seenRunning = true;
			if (!snapshot.connected() && !snapshot.closed()
					&& pending.stream().anyMatch((task) -> task.state() == TabSnapshot.State.WAITING)) {
				throw new IllegalStateException(describe(pending) + " of " + viewName() + " wait(s) for the page's stream: "
						+ "tasks start only once it connects; call connect() first");
			}
			if (System.nanoTime() - deadline >= 0) {
				throw new AssertionError("Gave up after " + StrandTestClient.format(timeout) + " waiting for " + what(nameOrKey)
						+ " of "
						+ viewName() + " to end; still running: " + describe(pending) + ". " + streamState(snapshot)
						+ lastEvents());
			}
			pause();
		}
	}

	/** Whether a task has this name, loads this key, or has a name that starts with a pattern's prefix. */
	private static boolean matches(TabSnapshot.Task task, String nameOrKey) {
		return nameOrKey.endsWith("*") ? task.name().startsWith(nameOrKey.substring(0, nameOrKey.length() - 1))
				: task.matches(nameOrKey);
	}

	private static String what(@Nullable String nameOrKey) {
		return (nameOrKey != null) ? "task '" + nameOrKey + "'" : "the tasks";
	}

	private static String describe(List<TabSnapshot.Task> tasks) {
		return tasks.stream().map((task) -> "'" + task.name() + "' (" + switch (task.state()) {
			case WAITING -> "waiting for the stream";
			case RUNNING -> "running";
			case ENDING -> "ending";
		} + ")").collect(Collectors.joining(", "));
	}

	private String known(TabSnapshot snapshot) {
		Set<String> names = new LinkedHashSet<>();
		snapshot.tasks().forEach((task) -> names.add(task.name()));
		synchronized (this) {
			this.outcomes.forEach((outcome) -> names.add(outcome.task()));
		}
		return names.isEmpty() ? "It runs no task now, and the tab has received no outcome."
				: "Its tasks: " + String.join(", ", names) + ".";
	}

	private synchronized boolean hasReset() {
		return this.reset;
	}

	private synchronized String streamState(TabSnapshot snapshot) {
		if (this.stream == null) {
			return "The tab is not connected" + ((this.streamEnd != null) ? " (" + this.streamEnd + ")" : "") + ".";
		}
		return "The tab is connected, and has received the events up to #" + this.lastEventId + " of #"
				+ snapshot.lastEventId() + ".";
	}

	private void awaitReceived(long eventId, long deadline, String what) {
		synchronized (this) {
			while (this.lastEventId < eventId) {
				if (this.stream == null) {
					throw new AssertionError("The stream of " + viewName() + " ended (" + this.streamEnd + ") before "
							+ what + " arrived: it has the events up to #" + this.lastEventId + " of #" + eventId
							+ lastEvents());
				}
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					throw new AssertionError("Gave up waiting for " + what + " to arrive over the stream of " + viewName()
							+ ": it has the events up to #" + this.lastEventId + " of #" + eventId + lastEvents());
				}
				try {
					TimeUnit.NANOSECONDS.timedWait(this, left);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new AssertionError("Interrupted while waiting for " + what, ex);
				}
			}
		}
	}

	// ---- the view's state, on the server -------------------------------------------------------------------------

	/**
	 * Return the view's assigns, read on the server between two of its turns.
	 * @return the assigns, in the order they were first set
	 */
	public Map<String, @Nullable Object> assigns() {
		return snapshot(requireServerTab(), deadline(this.client.timeout())).assigns();
	}

	/**
	 * Return one of the view's assigns, read on the server.
	 * @param <T> the type of its value
	 * @param key the key
	 * @return the value, which may be {@code null}
	 * @throws AssertionError if the view has no assign with this key
	 */
	@SuppressWarnings("unchecked")
	public <T> @Nullable T assign(String key) {
		Map<String, @Nullable Object> assigns = assigns();
		if (!assigns.containsKey(key)) {
			throw new AssertionError(viewName() + " has no assign '" + key + "'; it has " + assigns.keySet());
		}
		return (T) assigns.get(key);
	}

	/**
	 * Return the {@link AsyncResult} an assign holds, read on the server: one that {@code assignAsync} loads, or
	 * that follows a task of the same name.
	 * @param <T> the type of its result
	 * @param key the key
	 * @return the result
	 * @throws AssertionError if the view has no such assign, or it holds something else
	 */
	@SuppressWarnings("unchecked")
	public <T> AsyncResult<T> asyncResult(String key) {
		Object value = assign(key);
		if (!(value instanceof AsyncResult<?> result)) {
			throw new AssertionError("Assign '" + key + "' of " + viewName() + " holds "
					+ ((value != null) ? "a " + value.getClass().getName() : "null") + ", not an AsyncResult");
		}
		return (AsyncResult<T>) result;
	}

	/**
	 * Return the view's tasks that run or wait for the stream, read on the server, as {@code View.isRunning}
	 * sees them.
	 * @return their names, in the order they were first started
	 */
	public Set<String> runningTasks() {
		Set<String> running = new LinkedHashSet<>();
		for (TabSnapshot.Task task : snapshot(requireServerTab(), deadline(this.client.timeout())).tasks()) {
			if (task.state() != TabSnapshot.State.ENDING) {
				running.add(task.name());
			}
		}
		return running;
	}

	// ---- what the tab received ----------------------------------------------------------------------------------

	/**
	 * Return the page's HTML as it stands, with every patch received applied.
	 * @return the HTML
	 */
	public synchronized String html() {
		return this.page.document().outerHtml();
	}

	/**
	 * Return the HTML of the first element that matches a CSS selector, with every patch received applied.
	 * @param selector a CSS selector, such as {@code #org}
	 * @return its outer HTML
	 * @throws AssertionError if no element matches
	 */
	public synchronized String html(String selector) {
		return first(selector).outerHtml();
	}

	/**
	 * Return the text of the first element that matches a CSS selector, its white space normalized as a reader
	 * sees it.
	 * @param selector a CSS selector, such as {@code #flash}
	 * @return its text
	 * @throws AssertionError if no element matches
	 */
	public synchronized String text(String selector) {
		return first(selector).text();
	}

	/**
	 * Return the text of every element that matches a CSS selector.
	 * @param selector a CSS selector, such as {@code #chunks .strand-chunk}
	 * @return their texts, in document order; empty if none matches
	 */
	public synchronized List<String> texts(String selector) {
		return this.page.document().select(selector).eachText();
	}

	/**
	 * Return how many elements match a CSS selector.
	 * @param selector a CSS selector
	 * @return the count
	 */
	public synchronized int count(String selector) {
		return this.page.document().select(selector).size();
	}

	/**
	 * Return an attribute of the first element that matches a CSS selector.
	 * @param selector a CSS selector, such as {@code #job-progress}
	 * @param attribute the attribute's name, such as {@code value}
	 * @return its value, or {@code null} if the element does not have it
	 * @throws AssertionError if no element matches
	 */
	public synchronized @Nullable String attribute(String selector, String attribute) {
		Element element = first(selector);
		return element.hasAttr(attribute) ? element.attr(attribute) : null;
	}

	/**
	 * Return the chunks received from a task, in order: their text, or their JSON for other values. A task whose
	 * {@code @HandleChunk} has {@code send = false} sends none.
	 * @param task the task's name
	 * @return the chunks
	 */
	public synchronized List<String> chunks(String task) {
		return List.copyOf(this.chunks.getOrDefault(task, List.of()));
	}

	/**
	 * Return the latest progress received from a task.
	 * @param task the task's name
	 * @return the progress, or {@code null} if none has arrived
	 */
	public synchronized @Nullable Progress progress(String task) {
		return this.progress.get(task);
	}

	/**
	 * Return every outcome received, in order.
	 * @return the outcomes
	 */
	public synchronized List<ReceivedOutcome> outcomes() {
		return List.copyOf(this.outcomes);
	}

	/**
	 * Return the latest outcome received from the task with this name, or from the {@code assignAsync} task that
	 * loads this key.
	 * @param nameOrKey a task name, an {@code assignAsync} key, or a prefix pattern ending in {@code *}
	 * @return the outcome, or {@code null} if none has arrived
	 */
	public synchronized @Nullable ReceivedOutcome outcome(String nameOrKey) {
		for (int i = this.outcomes.size() - 1; i >= 0; i--) {
			if (this.outcomes.get(i).isOf(nameOrKey)) {
				return this.outcomes.get(i);
			}
		}
		return null;
	}

	/**
	 * Return every flash message received, in order.
	 * @return the flash messages
	 */
	public synchronized List<ReceivedFlash> flashes() {
		return List.copyOf(this.flashes);
	}

	/**
	 * Return the latest flash message of a kind received.
	 * @param kind the kind, such as {@code info}
	 * @return its text, or {@code null} if none has arrived
	 */
	public synchronized @Nullable String flash(String kind) {
		for (int i = this.flashes.size() - 1; i >= 0; i--) {
			if (this.flashes.get(i).kind().equals(kind)) {
				return this.flashes.get(i).message();
			}
		}
		return null;
	}

	/**
	 * Return every event received, in order, as the server sent it.
	 * @return the events
	 */
	public synchronized List<ReceivedEvent> events() {
		return List.copyOf(this.events);
	}

	/**
	 * Return the id of the last event the tab has: received, or named by its page when it was rendered.
	 * @return the id
	 */
	public synchronized long lastEventId() {
		return this.lastEventId;
	}

	/**
	 * Return why the view closed, from the {@code close} event received, such as {@code view-closed} or
	 * {@code session-ended}.
	 * @return the reason, or {@code null} if no close event has arrived
	 */
	public synchronized @Nullable String closeReason() {
		return this.closeReason;
	}

	@Override
	public String toString() {
		return "the tab of " + this.path + " (" + viewName() + ")";
	}

	// ---- helpers --------------------------------------------------------------------------------------------------

	private Element first(String selector) {
		Elements found = this.page.document().select(selector);
		if (found.isEmpty()) {
			List<String> ids = this.page.document().select("body [id]").eachAttr("id");
			throw new AssertionError("No element matches '" + selector + "' in the page of " + viewName()
					+ "; its elements with ids: " + ids
					+ (this.page.missedTargets().isEmpty() ? ""
							: "; patches for elements it lacks: " + this.page.missedTargets()));
		}
		return found.get(0);
	}

	private String viewName() {
		return "view " + this.viewId.substring(0, Math.min(5, this.viewId.length())) + "… of " + this.path;
	}

	private synchronized String lastEvents() {
		StringBuilder text = new StringBuilder();
		if (this.events.isEmpty()) {
			text.append("\nThe tab has received no event.");
		}
		else {
			int from = Math.max(0, this.events.size() - SHOWN_EVENTS);
			text.append("\nThe last ").append(this.events.size() - from).append(" of the ").append(this.events.size())
				.append(" events it received:");
			this.events.subList(from, this.events.size()).forEach((event) -> text.append("\n  ").append(summary(event)));
		}
		this.problems.forEach((problem) -> text.append("\nProblem: ").append(problem));
		return text.toString();
	}

	/** An event as a failure message shows it: a patch by its target and the text it shows, others as sent. */
	private static String summary(ReceivedEvent event) {
		if (!event.name().equals("patch") && !event.name().equals("reset")) {
			return event.toString();
		}
		try {
			JsonNode data = json.readTree(event.data());
			if (event.name().equals("reset")) {
				return "#" + event.id() + " reset of " + data.path("patches").size() + " element(s)";
			}
			String html = string(data, "html");
			String shown = (html != null) ? Jsoup.parseBodyFragment(html).text() : "";
			return "#" + event.id() + " patch #" + data.path("target").asString() + " (" + data.path("op").asString()
					+ "): \""
					+ ((shown.length() > 100) ? shown.substring(0, 100) + "…" : shown) + "\"";
		}
		catch (RuntimeException ex) {
			return event.toString();
		}
	}

	private @Nullable TabActor serverTab() {
		TabActor tab = this.tab;
		if (tab == null) {
			try {
				tab = this.server.find(this.viewId);
			}
			catch (IllegalStateException ex) {
				return null;
			}
			this.tab = tab;
		}
		return tab;
	}

	private TabActor requireServerTab() {
		TabActor tab = this.tab;
		if (tab == null) {
			tab = this.server.find(this.viewId); // throws, saying why the server's tabs cannot be read
			if (tab == null) {
				throw new AssertionError(viewName() + " has closed, and this tab never read it before it did");
			}
			this.tab = tab;
		}
		return tab;
	}

	private TabSnapshot snapshot(TabActor tab, long deadline) {
		return join(tab.snapshot(), deadline, "read its state");
	}

	private <T> T join(CompletableFuture<T> future, long deadline, String what) {
		try {
			// a wait that ends now still gets its answer, so that it can say what it waited for
			return future.get(Math.max(MAILBOX_GRACE.toNanos(), deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			throw new AssertionError("Gave up waiting for " + viewName() + " to " + what + ": its mailbox did not come "
					+ "to it in time. A page-event handler or a callback of the view may be blocked (each holds the view "
					+ "while it runs); a thread dump shows where", ex);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("Could not " + what + " of " + viewName(), ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("Interrupted while waiting for " + viewName() + " to " + what, ex);
		}
	}

	private static long deadline(Duration timeout) {
		return System.nanoTime() + timeout.toNanos();
	}

	private static void pause() {
		try {
			Thread.sleep(10);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("Interrupted while waiting", ex);
		}
	}

}
