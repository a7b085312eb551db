package dev.strand.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebSession;
import org.springframework.web.server.session.WebSessionStore;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.strand.CancelReason;
import dev.strand.internal.Tab;
import dev.strand.internal.TabRegistry;

/**
 * Serves the Server-Sent Events streams. A stream carries one tab's events ({@code ?view=ID&lastEventId=N}),
 * or those of several tabs of the session that share one connection ({@code ?tabs=ID:N,ID:N}, for a browser
 * whose tabs of one origin elect one to hold the stream); it replays what a reconnecting browser missed,
 * and sends heartbeat comments. On a stream of its own, a tab that the session had and that has closed gets
 * {@code 410}, and any other id, whether unknown or another session's, the same empty {@code 404}; on a
 * shared one, such a tab gets a {@code close} event instead.
 */
public final class StreamHandler {

	private static final Pattern SHARED = Pattern.compile("[A-Za-z0-9_-]{1,64}:[0-9]{1,18}(,[A-Za-z0-9_-]{1,64}:[0-9]{1,18})*");

	private final TabRegistry registry;

	private final Supplier<@Nullable WebSessionStore> sessionStore;

	private final SseConnection.Heartbeats heartbeats;

	private final int maxTabs;

	/**
	 * Create the handler.
	 * @param registry the tabs
	 * @param sessionStore the session store, to keep sessions with a connected tab alive
	 * @param heartbeat the heartbeat interval
	 * @param writeTimeout how long a stream may take nothing before it is treated as gone
	 * @param maxTabs the most tabs one shared stream may carry
	 */
	public StreamHandler(TabRegistry registry, Supplier<@Nullable WebSessionStore> sessionStore, Duration heartbeat,
			Duration writeTimeout, int maxTabs) {
		this.registry = registry;
		this.sessionStore = sessionStore;
		this.heartbeats = new SseConnection.Heartbeats(heartbeat, writeTimeout);
		this.maxTabs = maxTabs;
	}

	/**
	 * Return the routes: the stream at {@code path}, a tab's status at {@code path + "/status"}, and the page
	 * events strand.js sends on its own: {@code path + "/clear-flash"} when a flash message is dismissed, and
	 * {@code path + "/close"} when its page is left.
	 * @param path the stream's path
	 * @return the routes
	 */
	public RouterFunction<ServerResponse> routes(String path) {
		return RouterFunctions.route()
			.GET(path, this::stream)
			.GET(path + "/status", this::status)
			.POST(path + "/clear-flash", this::clearFlash)
			.POST(path + "/close", this::close)
			.build();
	}

	/**
	 * A flash message was dismissed in the page: clear it on the server too, so that no full re-render brings
	 * it back. Answered at once; the flash is cleared in the tab's next turn.
	 */
	private Mono<ServerResponse> clearFlash(ServerRequest request) {
		return request.formData().flatMap((form) -> pageEvent(request, (tab) -> tab.requestTurn(null, (turn) -> {
			try {
				String kind = form.getFirst("kind");
				if (kind != null && !kind.isBlank()) {
					turn.view().clearFlash(kind);
				}
				else {
					turn.view().clearFlash();
				}
			}
			finally {
				turn.end();
			}
		})));
	}

	/**
	 * The page was left (unloaded, navigated away from, put in the back/forward cache): close its tab now,
	 * cancelling its tasks, rather than once the disconnect grace period is over.
	 */
	private Mono<ServerResponse> close(ServerRequest request) {
		return pageEvent(request, (tab) -> tab.close(CancelReason.VIEW_CLOSED));
	}

	/** Act on the tab a page event names in its {@code Strand-View} header, answering as page events are. */
	private Mono<ServerResponse> pageEvent(ServerRequest request, java.util.function.Consumer<Tab> action) {
		String id = request.headers().firstHeader(StrandWebFilter.VIEW_HEADER);
		return lookup(request, (id != null) ? id : "").flatMap((lookup) -> switch (lookup.status()) {
			case FOUND, ELSEWHERE -> {
				action.accept(lookup.tab());
				yield ServerResponse.noContent().build();
			}
			case UNAVAILABLE -> unavailable(lookup);
			case GONE -> ServerResponse.status(HttpStatus.GONE).build();
			case NOT_FOUND -> ServerResponse.notFound().build();
		});
	}

	private Mono<ServerResponse> status(ServerRequest request) {
		return lookup(request, request.queryParam("view").orElse("")).flatMap((lookup) -> switch (lookup.status()) {
			case FOUND, ELSEWHERE -> ServerResponse.ok().contentType(MediaType.TEXT_PLAIN)
				.bodyValue("connected=" + lookup.tab().isConnected());
			case UNAVAILABLE -> unavailable(lookup);
			case GONE -> ServerResponse.status(HttpStatus.GONE).contentType(MediaType.TEXT_PLAIN).bodyValue(lookup.reason());
			case NOT_FOUND -> ServerResponse.notFound().build();
		});
	}

	private Mono<ServerResponse> stream(ServerRequest request) {
		String shared = request.queryParam("tabs").orElse(null);
		if (shared != null) {
			return sharedStream(request, shared);
		}
		long lastEventId;
		try {
			lastEventId = lastEventId(request);
		}
		catch (NumberFormatException ex) {
			return ServerResponse.badRequest().bodyValue("Last-Event-ID and lastEventId must be a non-negative integer");
		}
		String id = request.queryParam("view").orElse("");
		return lookup(request, id).flatMap((lookup) -> switch (lookup.status()) {
			case FOUND, ELSEWHERE -> respond(request, List.of(new SseConnection.Source(id, lookup.tab(), lastEventId, null)), false);
			case UNAVAILABLE -> unavailable(lookup);
			case GONE -> ServerResponse.status(HttpStatus.GONE).build();
			case NOT_FOUND -> ServerResponse.notFound().build();
		});
	}

	private Mono<ServerResponse> sharedStream(ServerRequest request, String tabs) {
		if (!SHARED.matcher(tabs).matches()) {
			return ServerResponse.badRequest().bodyValue("tabs must list ID:lastEventId pairs, separated by commas");
		}
		String[] pairs = tabs.split(",");
		if (pairs.length > this.maxTabs) {
			return ServerResponse.badRequest().bodyValue("A shared stream may carry at most " + this.maxTabs
					+ " tabs (strand.limits.views-per-session), but " + pairs.length + " were asked for");
		}
		return request.session().flatMap((session) -> Flux.fromArray(pairs).concatMap((pair) -> {
			int colon = pair.indexOf(':');
			String id = pair.substring(0, colon);
			long lastEventId = Long.parseLong(pair.substring(colon + 1));
			return find(session, id).map((lookup) -> switch (lookup.status()) {
				case FOUND, ELSEWHERE -> new SseConnection.Source(id, lookup.tab(), lastEventId, null);
				case GONE -> new SseConnection.Source(id, null, lastEventId, lookup.reason());
				case NOT_FOUND -> new SseConnection.Source(id, null, lastEventId, "not-found");
				case UNAVAILABLE -> new SseConnection.Source(id, null, lastEventId, "unavailable");
			});
		}).collectList()).flatMap((sources) -> {
			if (sources.stream().anyMatch((source) -> "unavailable".equals(source.status()))) {
				return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE).bodyValue("Strand's shared store cannot be reached");
			}
			return respond(request, sources, true);
		});
	}

	private Mono<ServerResponse> respond(ServerRequest request, List<SseConnection.Source> sources, boolean shared) {
		TcpTimeouts.userTimeout(request.exchange(), this.heartbeats.writeTimeout());
		return ServerResponse.ok()
			.contentType(MediaType.TEXT_EVENT_STREAM)
			.header("Cache-Control", "no-cache, no-transform")
			.header("X-Accel-Buffering", "no")
			.body((response, context) -> SseConnection.write(response, sources, shared, this.heartbeats,
					Writability.of(request.exchange())));
	}

	private static Mono<ServerResponse> unavailable(TabRegistry.Lookup lookup) {
		return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE).contentType(MediaType.TEXT_PLAIN)
			.bodyValue(String.valueOf(lookup.reason()));
	}

	private Mono<TabRegistry.Lookup> lookup(ServerRequest request, String id) {
		return request.session().flatMap((session) -> find(session, id));
	}

	private Mono<TabRegistry.Lookup> find(WebSession session, String id) {
		return this.registry.find(sessionKey(session), new WebSessionHandle(session, this.sessionStore.get()), id);
	}

	private static @Nullable String sessionKey(WebSession session) {
		return session.getAttribute(StrandWebFilter.sessionKeyAttribute());
	}

	private static long lastEventId(ServerRequest request) {
		String value = request.headers().firstHeader("Last-Event-ID");
		if (value == null || value.isBlank()) {
			value = request.queryParam("lastEventId").orElse("0");
		}
		long id = Long.parseLong(value.trim());
		if (id < 0) {
			throw new NumberFormatException(value);
		}
		return id;
	}

}
