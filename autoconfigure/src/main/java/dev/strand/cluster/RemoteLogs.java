package dev.strand.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.stream.ByteBufferRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import dev.strand.internal.EventLog;
import dev.strand.internal.Tab;

/**
 * Serves, on this server, the streams of tabs whose home is another server, from the copies of their logs in
 * Redis. One loop reads them all, with one blocking {@code XREAD} over every stream being served (Spring Data
 * Redis's {@code StreamReceiver} would hold a blocking read per stream). A stream reads on from where its home
 * said it starts; an entry missing from a copy (a write that failed) ends the stream, so that its browser
 * resynchronises; and when the home server stops heartbeating, the stream gets a {@code close} event that
 * makes the page remount here. What a stream has sent is acknowledged to the home, whose pushing tasks wait on
 * it as they wait on a stream of their own.
 */
final class RemoteLogs {

	private static final Log logger = LogFactory.getLog(RemoteLogs.class);

	/** How many entries a stream may hold unsent before its copy is not read for it until it sends some. */
	static final int QUEUE_LIMIT = 1000;

	private static final Duration BLOCK = Duration.ofMillis(100);

	private final RedisCluster cluster;

	private final ReactiveRedisConnectionFactory connections;

	private final Map<String, RemoteSubscription> byTab = new ConcurrentHashMap<>();

	private final Map<String, RemoteSubscription> bySession = new ConcurrentHashMap<>();

	private volatile @Nullable ReactiveRedisConnection connection;

	private volatile @Nullable Disposable loop;

	private volatile boolean running;

	private long homesCheckedAt;

	private final AtomicBoolean acknowledging = new AtomicBoolean();

	RemoteLogs(RedisCluster cluster, ReactiveRedisConnectionFactory connections) {
		this.cluster = cluster;
		this.connections = connections;
		cluster.on("end", (message) -> {
			RemoteSubscription subscription = this.bySession.get(message.getOrDefault("sid", ""));
			if (subscription != null) {
				subscription.end("1".equals(message.get("overrun")));
			}
			return Mono.empty();
		});
	}

	/**
	 * Serve a tab's stream from its copy, after the entry its home said the stream starts at. A stream of this
	 * tab served here before ends.
	 * @param tab the tab's id
	 * @param sessionKey its session's stable key
	 * @param home its home server
	 * @param sid the stream's id, by which the home knows it
	 * @param start the id of the last entry not to send
	 * @param missed whether the browser missed events (its home has then appended a reset)
	 * @param listener called when there is something to read or the stream must end
	 * @return the subscription
	 */
	RemoteSubscription subscribe(String tab, String sessionKey, String home, String sid, long start, boolean missed,
			Runnable listener) {
		RemoteSubscription subscription = new RemoteSubscription(tab, sessionKey, home, sid, start, missed, listener);
		this.bySession.put(sid, subscription);
		RemoteSubscription previous = this.byTab.put(tab, subscription);
		if (previous != null) {
			previous.end(false);
		}
		return subscription;
	}

	/**
	 * Return a subscription that sends one {@code close} event and ends, for a tab that has gone.
	 * @param reason why it has gone
	 * @param listener called when there is something to read
	 * @return the subscription
	 */
	RemoteSubscription closed(String reason, Runnable listener) {
		RemoteSubscription subscription = new RemoteSubscription("", "", "", "", 0, false, listener);
		subscription.close(reason);
		return subscription;
	}

	/**
	 * Return a subscription for a tab whose home did not answer in time: its stream ends, empty, and its browser
	 * reconnects (by then the home has answered, or is known to be gone and the page remounts). Not an error:
	 * nothing was lost, and a home that has just died is not one until its heartbeat runs out.
	 * @param listener called when the stream must end
	 * @return the subscription
	 */
	RemoteSubscription failed(Runnable listener) {
		RemoteSubscription subscription = new RemoteSubscription("", "", "", "", 0, false, listener);
		subscription.done = true;
		return subscription;
	}

	void start() {
		this.running = true;
		this.loop = Mono.defer(this::readOnce)
			.onErrorResume((ex) -> {
				failAll(ex);
				return Mono.delay(Duration.ofMillis(500)).then();
			})
			.repeat(() -> this.running)
			.subscribe();
	}

	/** Check the homes, and read once from every copy that has a stream with room. */
	private Mono<Void> readOnce() {
		Mono<Void> chores = checkHomes();
		List<RemoteSubscription> ready = new ArrayList<>();
		for (RemoteSubscription subscription : this.byTab.values()) {
			if (!subscription.done && subscription.queued.get() < QUEUE_LIMIT) {
				ready.add(subscription);
			}
		}
		if (ready.isEmpty()) {
			return chores.then(Mono.delay(Duration.ofMillis(50))).then();
		}
		@SuppressWarnings("unchecked")
		StreamOffset<ByteBuffer>[] offsets = ready.stream()
			.map((subscription) -> StreamOffset.create(subscription.key.duplicate(),
					ReadOffset.from(subscription.position + "-0")))
			.toArray(StreamOffset[]::new);
		return chores.then(Mono.defer(() -> connection().streamCommands()
			.xRead(StreamReadOptions.empty().block(BLOCK).count(200), offsets)
			.doOnNext(this::deliver)
			.then()));
	}

	private ReactiveRedisConnection connection() {
		ReactiveRedisConnection current = this.connection;
		if (current == null) {
			current = this.connections.getReactiveConnection();
			this.connection = current;
		}
		return current;
	}

	private void deliver(ByteBufferRecord record) {
		String key = string(record.getStream());
		RemoteSubscription subscription = this.byTab.get(key.substring(key.lastIndexOf(':') + 1));
		if (subscription == null) {
			return;
		}
		Map<String, String> fields = new HashMap<>();
		record.getValue().forEach((name, value) -> fields.put(string(name), string(value)));
		subscription.deliver(record.getId().getTimestamp(), fields);
	}

	/**
	 * A stream here has sent all it had: tell the homes soon (acknowledgements within a few milliseconds go
	 * together), since their tasks may be waiting for room to push.
	 */
	private void acknowledgeSoon() {
		if (this.acknowledging.compareAndSet(false, true)) {
			Schedulers.parallel().schedule(() -> {
				this.acknowledging.set(false);
				acknowledge().subscribe(null, (ex) -> logger.debug("Strand could not acknowledge streamed events", ex));
			}, 5, TimeUnit.MILLISECONDS);
		}
	}

	/** Tell each home, in one message, how far its tabs' streams here have sent. */
	private Mono<Void> acknowledge() {
		Map<String, List<RemoteSubscription>> byHome = this.byTab.values()
			.stream()
			.filter((subscription) -> subscription.sent > subscription.acknowledged)
			.collect(Collectors.groupingBy((subscription) -> subscription.home));
		return Flux.fromIterable(byHome.entrySet()).flatMap((home) -> {
			StringBuilder acks = new StringBuilder();
			for (RemoteSubscription subscription : home.getValue()) {
				long sent = subscription.sent;
				subscription.acknowledged = sent;
				acks.append(acks.isEmpty() ? "" : ",").append(subscription.sid).append(':').append(sent);
			}
			return this.cluster.send(home.getKey(), "ack", Map.of("acks", acks.toString()));
		}).then();
	}

	/** At most once a second: a stream whose home has stopped heartbeating gets a close that remounts its page. */
	private Mono<Void> checkHomes() {
		long now = System.nanoTime();
		if (now - this.homesCheckedAt < 1_000_000_000L || this.byTab.isEmpty()) {
			return Mono.empty();
		}
		this.homesCheckedAt = now;
		Map<String, List<RemoteSubscription>> byHome = this.byTab.values()
			.stream()
			.collect(Collectors.groupingBy((subscription) -> subscription.home));
		return Flux.fromIterable(byHome.entrySet())
			.flatMap((home) -> this.cluster.isAlive(home.getKey()).doOnNext((alive) -> {
				if (!alive) {
					home.getValue().forEach((subscription) -> subscription.close("remount"));
				}
			}))
			.then();
	}

	/** Reading failed (Redis is unreachable): every stream ends, and its browser reconnects. */
	private void failAll(Throwable ex) {
		if (!this.byTab.isEmpty()) {
			logger.warn("Strand could not read tabs' events from Redis; their " + this.byTab.size()
					+ " stream(s) on this server end, and their browsers reconnect: " + ex);
		}
		this.byTab.values().forEach((subscription) -> subscription.end(true));
		ReactiveRedisConnection current = this.connection;
		this.connection = null;
		if (current != null) {
			current.closeLater().subscribe(null, (closeFailed) -> { });
		}
	}

	private void remove(RemoteSubscription subscription) {
		this.byTab.remove(subscription.tab, subscription);
		this.bySession.remove(subscription.sid, subscription);
	}

	void stop() {
		this.running = false;
		Disposable current = this.loop;
		if (current != null) {
			current.dispose();
		}
		this.byTab.values().forEach((subscription) -> subscription.end(false));
		ReactiveRedisConnection open = this.connection;
		if (open != null) {
			open.closeLater().subscribe(null, (ex) -> { });
		}
	}

	static ByteBuffer bytes(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

	static String string(ByteBuffer buffer) {
		return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
	}

	/**
	 * A stream served from a copy: the entries read for it, in order, until it sends them. A keyed entry that a
	 * later one with the same key replaces before it is sent is skipped, as its home's own log would.
	 */
	final class RemoteSubscription implements EventLog.Subscription {

		final String tab;

		/** The key of its tab's copy in Redis, which every read names. */
		final ByteBuffer key;

		final String sessionKey;

		final String home;

		final String sid;

		private final boolean missed;

		private final Runnable listener;

		private final Queue<Item> queue = new ConcurrentLinkedQueue<>();

		private final AtomicInteger queued = new AtomicInteger();

		private final Map<String, Item> latestByKey = new HashMap<>();

		/** The id of the last entry read for this stream. */
		private volatile long position;

		/** Asking the home for a reset, after a gap in the copy: entries read meanwhile are not wanted. */
		private volatile boolean resyncing;

		/** The id of the last entry the stream has taken. */
		private volatile long sent;

		/** The id up to which the home has been told. */
		private volatile long acknowledged;

		/** The stream must end once it has sent what is queued. */
		private volatile boolean done;

		private volatile boolean overrun;

		private RemoteSubscription(String tab, String sessionKey, String home, String sid, long start, boolean missed,
				Runnable listener) {
			this.tab = tab;
			this.key = bytes(LogCopies.key(tab));
			this.sessionKey = sessionKey;
			this.home = home;
			this.sid = sid;
			this.position = start;
			this.sent = start;
			this.acknowledged = start;
			this.missed = missed;
			this.listener = listener;
		}

		/** An entry was read from the copy: it is the next one, or the copy has a gap. */
		void deliver(long id, Map<String, String> fields) {
			if (this.done || this.resyncing || id <= this.position) {
				return;
			}
			if (id != this.position + 1) {
				resync();
				return;
			}
			this.position = id;
			String name = fields.getOrDefault("e", "");
			Item item = new Item(new EventLog.Entry(id, name, fields.getOrDefault("d", "{}")));
			String key = fields.get("k");
			if (key != null) {
				Item previous = this.latestByKey.put(key, item);
				if (previous != null) {
					previous.superseded = true;
				}
			}
			this.queue.add(item);
			this.queued.incrementAndGet();
			if ("close".equals(name)) {
				this.done = true;
			}
			this.listener.run();
		}

		/**
		 * The copy lacks the next entry (writing it failed, or Redis lost it): the stream must not skip it. The
		 * home attaches this stream again as one that missed events, which appends a reset (a full re-render)
		 * to the log, and the stream reads on from there; the browser never sees the gap.
		 */
		private void resync() {
			this.resyncing = true;
			logger.debug("The copy of " + Tab.logName(this.tab) + " in Redis lacks event " + (this.position + 1)
					+ "; its home is asked for a reset");
			RemoteLogs.this.cluster
				.quickRequest(this.home, "connect", Map.of("tab", this.tab, "s", this.sessionKey, "last",
						Long.toString(Long.MAX_VALUE), "sid", this.sid))
				.subscribe((reply) -> {
					String gone = reply.get("gone");
					if (gone != null) {
						close(gone);
						return;
					}
					this.position = Long.parseLong(reply.getOrDefault("start", "0"));
					this.resyncing = false;
				}, (ex) -> end(true));
		}

		/** The page must remount: its tab is gone, or its home server is. */
		void close(String reason) {
			if (this.done) {
				return;
			}
			this.done = true;
			this.queue.add(new Item(new EventLog.Entry(this.position + 1, "close", "{\"reason\":\"" + reason + "\"}")));
			this.queued.incrementAndGet();
			this.listener.run();
		}

		/** The stream ends: another took over, or (overrun) it fell behind or its copy cannot be read. */
		void end(boolean overrun) {
			this.overrun |= overrun;
			this.done = true;
			this.listener.run();
		}

		@Override
		public boolean missed() {
			return this.missed;
		}

		@Override
		public EventLog.@Nullable Entry next() {
			if (this.overrun) {
				return null;
			}
			Item item;
			while ((item = this.queue.poll()) != null) {
				this.queued.decrementAndGet();
				this.sent = item.entry.id();
				if (!item.superseded) {
					return item.entry;
				}
			}
			if (this.sent > this.acknowledged) {
				acknowledgeSoon();
			}
			return null;
		}

		@Override
		public boolean ended() {
			return this.done;
		}

		@Override
		public boolean overrun() {
			return this.overrun;
		}

		/** The stream has ended: its home is told, and lets its grace period start. */
		@Override
		public void cancel() {
			this.done = true;
			remove(this);
			if (!this.sid.isEmpty()) {
				RemoteLogs.this.cluster.send(this.home, "disconnect", Map.of("sid", this.sid))
					.subscribe(null, (ex) -> logger.debug("Strand could not tell a tab's home that its stream ended", ex));
			}
		}

		private static final class Item {

			final EventLog.Entry entry;

			volatile boolean superseded;

			Item(EventLog.Entry entry) {
				this.entry = entry;
			}

		}

	}

}
