package dev.strand.web;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebSession;
import org.springframework.web.server.session.WebSessionStore;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import dev.strand.internal.EventLog;
import dev.strand.internal.Tab;
import dev.strand.internal.TabRegistry;

/**
 * Serves each tab's Server-Sent Events stream. The stream reads the tab's event log at the pace the
 * connection accepts, replays what a reconnecting browser missed, and sends heartbeat comments. A tab that
 * the session had and that has closed gets {@code 410}; any other id, whether unknown or another session's,
 * gets the same empty {@code 404}.
 */
public final class StreamHandler {

	private final TabRegistry registry;

	private final Supplier<@Nullable WebSessionStore> sessionStore;

	private final Duration heartbeat;

	public StreamHandler(TabRegistry registry, Supplier<@Nullable WebSessionStore> sessionStore, Duration heartbeat) {
		this.registry = registry;
		this.sessionStore = sessionStore;
		this.heartbeat = heartbeat;
	}

	/**
	 * Return the routes: the stream at {@code path}, and its status at {@code path + "/status"}.
	 * @param path the stream's path
	 * @return the routes
	 */
	public RouterFunction<ServerResponse> routes(String path) {
		return RouterFunctions.route()
			.GET(path, this::stream)
			.GET(path + "/status", this::status)
			.build();
	}

	private Mono<ServerResponse> status(ServerRequest request) {
		return lookup(request).flatMap((lookup) -> switch (lookup.status()) {
			case FOUND -> ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue("connected=" + lookup.tab().isConnected());
			case GONE -> ServerResponse.status(HttpStatus.GONE).build();
			case NOT_FOUND -> ServerResponse.notFound().build();
		});
	}

	private Mono<ServerResponse> stream(ServerRequest request) {
		long lastEventId;
		try {
			lastEventId = lastEventId(request);
		}
		catch (NumberFormatException ex) {
			return ServerResponse.badRequest().bodyValue("Last-Event-ID and lastEventId must be a non-negative integer");
		}
		return lookup(request).flatMap((lookup) -> switch (lookup.status()) {
			case FOUND -> ServerResponse.ok()
				.contentType(MediaType.TEXT_EVENT_STREAM)
				.header("Cache-Control", "no-cache, no-transform")
				.header("X-Accel-Buffering", "no")
				.body(BodyInserters.fromServerSentEvents(events(lookup.tab(), lastEventId)));
			case GONE -> ServerResponse.status(HttpStatus.GONE).build();
			case NOT_FOUND -> ServerResponse.notFound().build();
		});
	}

	private Mono<TabRegistry.Lookup> lookup(ServerRequest request) {
		String id = request.queryParam("view").orElse("");
		return request.session().map((session) -> this.registry.find(sessionKey(session),
				new WebSessionHandle(session, this.sessionStore.get()), id));
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

	private Flux<ServerSentEvent<String>> events(Tab tab, long lastEventId) {
		return Flux.create((sink) -> new Pump(tab, sink).start(lastEventId));
	}

	/** Moves events from a view's log to one connection, as fast as the connection takes them. */
	private final class Pump {

		private final Tab tab;

		private final FluxSink<ServerSentEvent<String>> sink;

		private final AtomicReference<EventLog.@Nullable Subscription> subscription = new AtomicReference<>();

		private final AtomicInteger wip = new AtomicInteger();

		private final AtomicBoolean heartbeatDue = new AtomicBoolean();

		private final AtomicBoolean disposed = new AtomicBoolean();

		Pump(Tab tab, FluxSink<ServerSentEvent<String>> sink) {
			this.tab = tab;
			this.sink = sink;
		}

		void start(long lastEventId) {
			// Send a comment at once: the response (and EventSource's "open") is held back until its first bytes.
			this.heartbeatDue.set(true);
			long period = StreamHandler.this.heartbeat.toMillis();
			Disposable heartbeats = Schedulers.parallel().schedulePeriodically(() -> {
				this.heartbeatDue.set(true);
				drain();
			}, period, period, TimeUnit.MILLISECONDS);
			this.sink.onRequest((n) -> drain());
			this.sink.onDispose(() -> {
				heartbeats.dispose();
				this.disposed.set(true);
				EventLog.Subscription current = this.subscription.getAndSet(null);
				if (current != null) {
					this.tab.disconnect(current);
				}
			});
			this.tab.connect(lastEventId, this::drain, (subscribed) -> {
				this.subscription.set(subscribed);
				if (this.disposed.get() && this.subscription.compareAndSet(subscribed, null)) {
					this.tab.disconnect(subscribed);
					return;
				}
				drain();
			});
		}

		private void drain() {
			if (this.wip.getAndIncrement() != 0) {
				return;
			}
			do {
				EventLog.Subscription current = this.subscription.get();
				if (current == null) {
					if (this.tab.isClosed()) {
						this.sink.complete();
					}
					continue;
				}
				boolean exhausted = false;
				while (!current.overrun() && this.sink.requestedFromDownstream() > 0) {
					if (this.heartbeatDue.compareAndSet(true, false)) {
						this.sink.next(ServerSentEvent.<String>builder().comment("hb").build());
						continue;
					}
					EventLog.Entry event = current.next();
					if (event == null) {
						exhausted = true;
						break;
					}
					this.sink.next(ServerSentEvent.builder(event.data())
						.id(Long.toString(event.id()))
						.event(event.name())
						.build());
				}
				if (current.overrun() || (current.ended() && exhausted)) {
					if (current.overrun()) {
						this.sink.error(new IllegalStateException(this.tab + ": the browser fell too far behind; "
								+ "its stream was dropped so that it resynchronises"));
					}
					else {
						this.sink.complete();
					}
				}
			}
			while (this.wip.decrementAndGet() != 0);
		}

	}

}
