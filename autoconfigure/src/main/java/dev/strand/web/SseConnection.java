package dev.strand.web;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ReactiveHttpOutputMessage;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import dev.strand.internal.EventLog;
import dev.strand.internal.Tab;

/**
 * One Server-Sent Events response: the events of one tab, or of several tabs of a session that share the
 * connection, and heartbeat comments, sent as fast as the connection takes them. Whatever is ready when the
 * connection can take more ({@link Writability}) is encoded straight into one buffer, so a burst costs one
 * write and one flush, not one per event. A connection that takes nothing for the write timeout (its
 * heartbeats stay unsent) is treated as gone: it ends, and its tabs' grace periods start.
 */
final class SseConnection {

	/** Bytes past which a batch is written, and the rest waits for the next one. */
	private static final int BATCH_BYTES = 32 * 1024;

	private static final byte[] HEARTBEAT = ascii(":hb\n\n");

	private static final byte[] ID = ascii("id: ");

	private static final byte[] EVENT = ascii("\nevent: ");

	private static final byte[] DATA = ascii("\ndata: ");

	private static final byte[] END = ascii("\n\n");

	/** The events' names, as bytes: a handful, made once each. */
	private static final Map<String, byte[]> NAMES = new ConcurrentHashMap<>();

	private static final VarHandle WIP = field(SseConnection.class, "wip", int.class);

	private static final VarHandle HEARTBEAT_DUE = field(SseConnection.class, "heartbeatDue", boolean.class);

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	private static VarHandle field(Class<?> owner, String name, Class<?> type) {
		try {
			return MethodHandles.lookup().findVarHandle(owner, name, type);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final FluxSink<DataBuffer> sink;

	private final List<Feed> feeds;

	private final boolean shared;

	private final Heartbeats heartbeats;

	private final Writability writability;

	/**
	 * Drains asked for and not done yet: one from the start, which start() holds until all is set up. This and the
	 * other fields set atomically are plain fields with a VarHandle, not an atomic object each: a connection per
	 * open tab.
	 */
	private volatile int wip = 1;

	private final Runnable drainer = this::drainAll;

	private volatile boolean heartbeatDue = true;

	/** Heartbeat periods in a row at whose end the last heartbeat was still unsent. */
	private int unsentHeartbeats;

	/** Whether the heartbeats have been unsent for the write timeout: the stream is to end with an error. */
	private volatile boolean stalled;

	private int nextFeed;

	/** The batch being encoded by the draining thread. */
	private @Nullable DataBuffer batch;

	private SseConnection(FluxSink<DataBuffer> sink, List<Source> sources,
			boolean shared, Heartbeats heartbeats, Writability writability) {
		this.sink = sink;
		this.shared = shared;
		this.heartbeats = heartbeats;
		this.writability = writability;
		this.feeds = sources.stream().map(Feed::new).toList();
	}

	/**
	 * Stream one or more tabs into a response.
	 * @param response the response
	 * @param sources the tabs, with where each starts
	 * @param shared whether several tabs share the connection: event ids are then prefixed with their tab's id,
	 * and a tab that ends does not end the connection
	 * @param heartbeats the heartbeat clock the connection ticks with
	 * @param writability whether the connection takes more now
	 * @return completes when the stream ends, or at once if its body is written once WebFlux has handled the
	 * request ({@link DetachedStreams})
	 */
	static Mono<Void> write(ReactiveHttpOutputMessage response, List<Source> sources, boolean shared,
			Heartbeats heartbeats, Writability writability) {
		// create, not push: only create's sink says when the server asks for more. No buffer for overflow (the
		// default's is 1.1 KB per stream, held for nothing): drain() never sends more than was asked for
		return DetachedStreams.write(response, Flux.<DataBuffer>create(
				(sink) -> new SseConnection(sink, sources, shared, heartbeats, writability).start(),
				FluxSink.OverflowStrategy.ERROR)
			.doOnDiscard(DataBuffer.class, DataBufferUtils::release));
	}

	private void start() {
		this.sink.onRequest((n) -> drain());
		Runnable unwatch = this.writability.whenWritable(this::drain);
		this.sink.onDispose(() -> {
			unwatch.run();
			this.heartbeats.remove(this);
			this.feeds.forEach(Feed::dispose);
		});
		this.heartbeats.add(this);
		this.feeds.forEach(Feed::start);
		// the first drain, which may run on another thread and end the stream at once, only now that all is set up;
		// the drains asked for meanwhile wait for it. The heartbeat due at once is sent first: the response (and
		// EventSource's "open") waits for its first bytes
		this.writability.drain(this.drainer);
	}

	/** A heartbeat period passed: send one, unless the last is still unsent for too long. */
	void tick() {
		if ((boolean) HEARTBEAT_DUE.getAndSet(this, true)) {
			this.unsentHeartbeats++;
			if (this.unsentHeartbeats * this.heartbeats.period().toMillis() >= this.heartbeats.writeTimeout().toMillis()) {
				this.stalled = true; // drain() ends the stream: only the draining thread signals the sink
			}
		}
		else {
			this.unsentHeartbeats = 0;
		}
		drain();
	}

	/** Drain now, or have the thread that drains already drain once more. */
	private void drain() {
		if ((int) WIP.getAndAdd(this, 1) == 0) {
			this.writability.drain(this.drainer);
		}
	}

	/** Send what is ready, for as long as the connection takes it, until no drain is asked for meanwhile. */
	private void drainAll() {
		do {
			if (this.stalled) {
				this.sink.error(new IllegalStateException("Nothing written to a Strand stream has drained for "
						+ this.heartbeats.writeTimeout() + " (strand.stream.write-timeout); its browser is treated as gone"));
				return; // wip stays up: nothing is signalled after the error
			}
			boolean idle = false;
			while (this.sink.requestedFromDownstream() > 0 && !this.sink.isCancelled() && this.writability.writable()) {
				DataBuffer batch = nextBatch();
				if (batch == null) {
					idle = true;
					break;
				}
				this.sink.next(batch);
			}
			if (overrun()) {
				this.sink.error(new IllegalStateException("A tab's browser fell too far behind; its stream was "
						+ "dropped so that it resynchronises"));
			}
			else if (idle && done()) {
				this.sink.complete();
			}
		}
		while ((int) WIP.getAndAdd(this, -1) != 1);
	}

	// loops, not streams: these run once per batch sent

	private boolean overrun() {
		for (Feed feed : this.feeds) {
			if (feed.overrun()) {
				return true;
			}
		}
		return false;
	}

	/** Whether nothing more will be sent: by the one tab, or by every tab of a shared connection. */
	private boolean done() {
		if (!this.shared) {
			return this.feeds.get(0).done();
		}
		for (Feed feed : this.feeds) {
			if (!feed.done()) {
				return false;
			}
		}
		return true;
	}

	/** What is ready to send, encoded into one buffer; {@code null} if nothing is. */
	private @Nullable DataBuffer nextBatch() {
		if (HEARTBEAT_DUE.compareAndSet(this, true, false)) {
			buffer(256).write(HEARTBEAT);
		}
		int count = this.feeds.size();
		boolean more = true;
		while (more && batchSize() < BATCH_BYTES) {
			more = false;
			for (int i = 0; i < count && batchSize() < BATCH_BYTES; i++) {
				Feed feed = this.feeds.get(this.nextFeed);
				this.nextFeed = (this.nextFeed + 1) % count; // the tabs of a shared connection take turns
				more |= feed.writeNext();
			}
		}
		DataBuffer ready = this.batch;
		this.batch = null;
		return ready;
	}

	private int batchSize() {
		return (this.batch != null) ? this.batch.readableByteCount() : 0;
	}

	/**
	 * The batch being encoded, made when the first thing goes in ({@link Writability#batches()}), the size of that
	 * first thing: one chunk's frame is most batches, and a batch of several grows as they go in.
	 */
	private DataBuffer buffer(int bytes) {
		if (this.batch == null) {
			this.batch = this.writability.batches().allocateBuffer(bytes);
		}
		return this.batch;
	}

	/**
	 * A tab to stream, or one that cannot be.
	 *
	 * @param id the tab's id
	 * @param tab the tab, or {@code null} if the session has no such tab
	 * @param lastEventId the last event its page has
	 * @param status why there is no tab: the reason it closed (such as {@code view-closed} or {@code remount}),
	 * or {@code not-found}; {@code null} when there is one
	 */
	record Source(String id, @Nullable Tab tab, long lastEventId, @Nullable String status) {
	}

	/**
	 * The heartbeat clock of a stream endpoint: one timer for all its connections, which it ticks each period,
	 * instead of one per connection.
	 */
	static final class Heartbeats {

		private final Duration period;

		private final Duration writeTimeout;

		private final Set<SseConnection> connections = ConcurrentHashMap.newKeySet();

		private final AtomicReference<@Nullable Disposable> timer = new AtomicReference<>();

		Heartbeats(Duration period, Duration writeTimeout) {
			this.period = period;
			this.writeTimeout = writeTimeout;
		}

		Duration period() {
			return this.period;
		}

		Duration writeTimeout() {
			return this.writeTimeout;
		}

		void add(SseConnection connection) {
			this.connections.add(connection);
			ensureTicking();
		}

		private void ensureTicking() {
			if (this.timer.get() == null) {
				long millis = this.period.toMillis();
				Disposable started = Schedulers.parallel().schedulePeriodically(this::tick, millis, millis, TimeUnit.MILLISECONDS);
				if (!this.timer.compareAndSet(null, started)) {
					started.dispose();
				}
			}
		}

		void remove(SseConnection connection) {
			this.connections.remove(connection);
		}

		/** How many connections it ticks. */
		int size() {
			return this.connections.size();
		}

		private void tick() {
			for (SseConnection connection : this.connections) {
				connection.tick();
			}
			if (this.connections.isEmpty()) {
				// no timer while there is nothing to tick; one that arrived meanwhile starts it again
				stop();
				if (!this.connections.isEmpty()) {
					ensureTicking();
				}
			}
		}

		private void stop() {
			Disposable current = this.timer.getAndSet(null);
			if (current != null) {
				current.dispose();
			}
		}

	}

	/** One tab's events on this connection. */
	private final class Feed {

		private static final VarHandle SUBSCRIPTION = field(Feed.class, "subscription", EventLog.Subscription.class);

		private static final VarHandle CLOSE_PENDING = field(Feed.class, "closePending", boolean.class);

		private static final byte[] NO_PREFIX = {};

		private final Source source;

		/** What its events' ids start with: the tab's id and a colon on a shared connection, else nothing. */
		private final byte[] prefix;

		/** Where an event's id is written as digits, by the draining thread: no string made per event. */
		private final byte[] digits = new byte[20];

		private volatile EventLog.@Nullable Subscription subscription;

		private volatile boolean disposed;

		/** For a tab that cannot be streamed: whether its one close event is still to be sent. */
		private volatile boolean closePending;

		/**
		 * Whether the last read found nothing although the log had already ended before it: then nothing more
		 * will come. (Asked after the read, the log may have ended, with a last event, in between.)
		 */
		private volatile boolean drainedAfterEnd;

		Feed(Source source) {
			this.source = source;
			this.prefix = SseConnection.this.shared ? (source.id() + ":").getBytes(StandardCharsets.UTF_8) : NO_PREFIX;
			this.closePending = source.tab() == null;
		}

		void start() {
			Tab tab = this.source.tab();
			if (tab == null) {
				return;
			}
			tab.connect(this.source.lastEventId(), SseConnection.this::drain, (subscribed) -> {
				this.subscription = subscribed;
				if (this.disposed && SUBSCRIPTION.compareAndSet(this, subscribed, null)) {
					tab.disconnect(subscribed);
					return;
				}
				drain();
			});
		}

		/**
		 * Encode this feed's next event into the batch.
		 * @return whether there was one
		 */
		boolean writeNext() {
			if (CLOSE_PENDING.compareAndSet(this, true, false)) {
				write(buffer(128).write(ID).write(this.prefix), ascii("close"),
						("{\"reason\":\"" + this.source.status() + "\"}").getBytes(StandardCharsets.UTF_8));
				return true;
			}
			EventLog.Subscription current = this.subscription;
			if (current == null) {
				return false; // not subscribed yet, or disposed: done() asks the tab
			}
			boolean ended = current.ended();
			EventLog.Entry entry = current.next();
			if (entry == null) {
				this.drainedAfterEnd = ended;
				return false;
			}
			this.drainedAfterEnd = false;
			byte[] data = entry.utf8();
			byte[] name = NAMES.computeIfAbsent(entry.name(), SseConnection::ascii);
			int frame = ID.length + this.prefix.length + this.digits.length + EVENT.length + name.length + DATA.length
					+ data.length + END.length;
			write(writeDigits(buffer(frame).write(ID).write(this.prefix), entry.id()), name, data);
			return true;
		}

		/** Write an id's decimal digits, with no string made for them. */
		private DataBuffer writeDigits(DataBuffer buffer, long id) {
			int at = this.digits.length;
			long rest = id;
			do {
				this.digits[--at] = (byte) ('0' + rest % 10);
				rest /= 10;
			}
			while (rest > 0);
			return buffer.write(this.digits, at, this.digits.length - at);
		}

		/**
		 * The rest of one event, after its id, as SSE: its data is JSON, which never holds a raw newline, so it is
		 * one {@code data:} line. The data goes in as the bytes the log keeps; the framing's constant parts as
		 * bytes made once.
		 */
		private void write(DataBuffer buffer, byte[] name, byte[] data) {
			buffer.write(EVENT)
				.write(name)
				.write(DATA)
				.write(data)
				.write(END);
		}

		boolean overrun() {
			EventLog.Subscription current = this.subscription;
			return current != null && current.overrun();
		}

		/** Whether this feed will send nothing more. */
		boolean done() {
			Tab tab = this.source.tab();
			if (tab == null) {
				return !this.closePending;
			}
			EventLog.Subscription current = this.subscription;
			return (current != null) ? this.drainedAfterEnd : tab.isClosed();
		}

		void dispose() {
			this.disposed = true;
			EventLog.Subscription current = (EventLog.Subscription) SUBSCRIPTION.getAndSet(this, null);
			Tab tab = this.source.tab();
			if (current != null && tab != null) {
				tab.disconnect(current);
			}
		}

	}

}
