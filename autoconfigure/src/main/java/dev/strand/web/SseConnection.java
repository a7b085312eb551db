package dev.strand.web;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Schedulers;

import dev.strand.internal.EventLog;
import dev.strand.internal.Tab;

/**
 * One Server-Sent Events response: the events of one tab, or of several tabs of a session that share the
 * connection, and heartbeat comments, sent as fast as the connection takes them. A connection that takes
 * nothing for the write timeout (its heartbeats stay unsent) is treated as gone: it ends, and its tabs'
 * grace periods start.
 */
final class SseConnection {

	private final FluxSink<ServerSentEvent<String>> sink;

	private final List<Feed> feeds;

	private final boolean shared;

	private final Duration heartbeat;

	private final Duration writeTimeout;

	private final AtomicInteger wip = new AtomicInteger();

	private final AtomicBoolean heartbeatDue = new AtomicBoolean(true);

	/** Heartbeat periods in a row at whose end the last heartbeat was still unsent. */
	private int unsentHeartbeats;

	private int nextFeed;

	private SseConnection(FluxSink<ServerSentEvent<String>> sink, List<Source> sources, boolean shared,
			Duration heartbeat, Duration writeTimeout) {
		this.sink = sink;
		this.shared = shared;
		this.heartbeat = heartbeat;
		this.writeTimeout = writeTimeout;
		this.feeds = sources.stream().map(Feed::new).toList();
	}

	/**
	 * Return the events for one or more tabs.
	 * @param sources the tabs, with where each starts
	 * @param shared whether several tabs share the connection: event ids are then prefixed with their tab's id,
	 * and a tab that ends does not end the connection
	 * @param heartbeat the heartbeat interval
	 * @param writeTimeout how long the connection may take nothing before it is treated as gone
	 * @return the events
	 */
	static Flux<ServerSentEvent<String>> events(List<Source> sources, boolean shared, Duration heartbeat,
			Duration writeTimeout) {
		return Flux.create((sink) -> new SseConnection(sink, sources, shared, heartbeat, writeTimeout).start());
	}

	private void start() {
		// The heartbeat due at once is sent first: the response (and EventSource's "open") waits for its first bytes.
		long period = this.heartbeat.toMillis();
		Disposable heartbeats = Schedulers.parallel().schedulePeriodically(this::tick, period, period, TimeUnit.MILLISECONDS);
		this.sink.onRequest((n) -> drain());
		this.sink.onDispose(() -> {
			heartbeats.dispose();
			this.feeds.forEach(Feed::dispose);
		});
		this.feeds.forEach(Feed::start);
		drain();
	}

	/** A heartbeat period passed: send one, unless the last is still unsent for too long. */
	private void tick() {
		if (this.heartbeatDue.getAndSet(true)) {
			this.unsentHeartbeats++;
			if (this.unsentHeartbeats * this.heartbeat.toMillis() >= this.writeTimeout.toMillis()) {
				this.sink.error(new IllegalStateException("Nothing written to a Strand stream has drained for "
						+ this.writeTimeout + " (strand.stream.write-timeout); its browser is treated as gone"));
				return;
			}
		}
		else {
			this.unsentHeartbeats = 0;
		}
		drain();
	}

	private void drain() {
		if (this.wip.getAndIncrement() != 0) {
			return;
		}
		do {
			boolean idle = false;
			while (this.sink.requestedFromDownstream() > 0) {
				if (this.heartbeatDue.compareAndSet(true, false)) {
					this.sink.next(ServerSentEvent.<String>builder().comment("hb").build());
					continue;
				}
				ServerSentEvent<String> event = nextEvent();
				if (event == null) {
					idle = true;
					break;
				}
				this.sink.next(event);
			}
			if (this.feeds.stream().anyMatch(Feed::overrun)) {
				this.sink.error(new IllegalStateException("A tab's browser fell too far behind; its stream was "
						+ "dropped so that it resynchronises"));
			}
			else if (idle && (this.shared ? this.feeds.stream().allMatch(Feed::done) : this.feeds.get(0).done())) {
				this.sink.complete();
			}
		}
		while (this.wip.decrementAndGet() != 0);
	}

	/** The next event of any feed, taking turns between feeds. */
	private @Nullable ServerSentEvent<String> nextEvent() {
		int count = this.feeds.size();
		for (int i = 0; i < count; i++) {
			Feed feed = this.feeds.get((this.nextFeed + i) % count);
			ServerSentEvent<String> event = feed.next();
			if (event != null) {
				this.nextFeed = (this.nextFeed + i + 1) % count;
				return event;
			}
		}
		return null;
	}

	/**
	 * A tab to stream, or one that cannot be.
	 *
	 * @param id the tab's id
	 * @param tab the tab, or {@code null} if the session has no such tab
	 * @param lastEventId the last event its page has
	 * @param status why there is no tab: the reason it closed (such as {@code view-closed} or {@code remount}), or {@code not-found}; {@code null} when there is one
	 */
	record Source(String id, @Nullable Tab tab, long lastEventId, @Nullable String status) {
	}

	/** One tab's events on this connection. */
	private final class Feed {

		private final Source source;

		private final String prefix;

		private final AtomicReference<EventLog.@Nullable Subscription> subscription = new AtomicReference<>();

		private final AtomicBoolean disposed = new AtomicBoolean();

		/** For a tab that cannot be streamed: whether its one close event is still to be sent. */
		private final AtomicBoolean closePending;

		private volatile boolean exhausted;

		Feed(Source source) {
			this.source = source;
			this.prefix = SseConnection.this.shared ? source.id() + ":" : "";
			this.closePending = new AtomicBoolean(source.tab() == null);
		}

		void start() {
			Tab tab = this.source.tab();
			if (tab == null) {
				return;
			}
			tab.connect(this.source.lastEventId(), SseConnection.this::drain, (subscribed) -> {
				this.subscription.set(subscribed);
				if (this.disposed.get() && this.subscription.compareAndSet(subscribed, null)) {
					tab.disconnect(subscribed);
					return;
				}
				drain();
			});
		}

		@Nullable ServerSentEvent<String> next() {
			if (this.closePending.compareAndSet(true, false)) {
				return ServerSentEvent.builder("{\"reason\":\"" + this.source.status() + "\"}")
					.id(this.prefix)
					.event("close")
					.build();
			}
			EventLog.Subscription current = this.subscription.get();
			EventLog.Entry entry = (current != null) ? current.next() : null;
			if (entry == null) {
				this.exhausted = true;
				return null;
			}
			this.exhausted = false;
			return ServerSentEvent.builder(entry.data())
				.id(this.prefix + entry.id())
				.event(entry.name())
				.build();
		}

		boolean overrun() {
			EventLog.Subscription current = this.subscription.get();
			return current != null && current.overrun();
		}

		/** Whether this feed will send nothing more. */
		boolean done() {
			Tab tab = this.source.tab();
			if (tab == null) {
				return !this.closePending.get();
			}
			EventLog.Subscription current = this.subscription.get();
			return (current != null) ? current.ended() && this.exhausted : tab.isClosed();
		}

		void dispose() {
			this.disposed.set(true);
			EventLog.Subscription current = this.subscription.getAndSet(null);
			Tab tab = this.source.tab();
			if (current != null && tab != null) {
				tab.disconnect(current);
			}
		}

	}

}
