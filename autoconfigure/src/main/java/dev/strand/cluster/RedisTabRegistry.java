package dev.strand.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import dev.strand.CancelReason;
import dev.strand.internal.Callbacks;
import dev.strand.internal.EventLog;
import dev.strand.internal.MemoryEventLog;
import dev.strand.internal.MemoryTabRegistry;
import dev.strand.internal.SessionHandle;
import dev.strand.internal.StrandEngine;
import dev.strand.internal.Tab;
import dev.strand.internal.TabActor;
import dev.strand.internal.TabRegistry;

/**
 * The tabs of every server, with Redis as the shared engine. A tab lives on the server that opened it, its
 * home, in a {@link MemoryTabRegistry}; Redis holds a record of it ({@code strand:tab:<id>}: its session and
 * home), a copy of its log, and, once it has closed, for a while, why ({@code strand:gone:<id>}). A lookup on
 * another server finds the record, checks the session as the home would, and answers {@code ELSEWHERE} while
 * the home heartbeats, or {@code GONE} with the reason {@code remount} once it has stopped: the page then
 * remounts on a live server. When Redis cannot be reached, a lookup of a tab of this server still succeeds;
 * any other answers {@code UNAVAILABLE}.
 */
public final class RedisTabRegistry implements TabRegistry, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RedisTabRegistry.class);

	/** How long a record of an open tab lives without a refresh; every server refreshes its own. */
	static final Duration RECORD_TTL = Duration.ofMinutes(10);

	/** How long a closed tab's reason is kept for its page to learn. */
	static final Duration GONE_TTL = Duration.ofMinutes(10);

	private final RedisCluster cluster;

	private final ReactiveStringRedisTemplate redis;

	private final RemoteLogs remoteLogs;

	private final LogCopies copies;

	private final MemoryTabRegistry local;

	private final Map<String, MemoryEventLog> logs = new ConcurrentHashMap<>();

	/** The streams of this server's tabs that other servers serve, by stream id. */
	private final Map<String, Reader> readers = new ConcurrentHashMap<>();

	private volatile @Nullable Disposable refresher;

	private volatile boolean running;

	/**
	 * Create the registry.
	 * @param engine the engine
	 * @param cluster this server's membership
	 * @param connections Boot's reactive Redis connections, for the blocking reads of log copies
	 */
	public RedisTabRegistry(StrandEngine engine, RedisCluster cluster, ReactiveRedisConnectionFactory connections) {
		this.cluster = cluster;
		this.redis = cluster.redis();
		this.remoteLogs = new RemoteLogs(cluster, connections);
		this.copies = new LogCopies(this.redis);
		LogCopies copies = this.copies;
		MemoryEventLog.Limits limits = engine.logLimits();
		this.local = new MemoryTabRegistry(engine, (id) -> {
			MemoryEventLog log = new MemoryEventLog(limits, engine.json(), copies.copier(id));
			this.logs.put(id, log);
			return log;
		}, new MemoryTabRegistry.Listener() {

			@Override
			public void closed(String id, String sessionKey, CancelReason reason) {
				RedisTabRegistry.this.closed(id, sessionKey, reason);
			}

		});
		cluster.on("connect", this::connectReader);
		cluster.on("ack", this::acknowledge);
		cluster.on("disconnect", (message) -> {
			disconnect(message.getOrDefault("sid", ""));
			return Mono.empty();
		});
		cluster.on("close-session", (message) -> {
			this.local.closeSession(message.getOrDefault("s", ""));
			return Mono.empty();
		});
		cluster.onRedisRestart(() -> refresh().subscribe());
	}

	static String recordKey(String id) {
		return RedisCluster.PREFIX + "tab:" + id;
	}

	static String goneKey(String id) {
		return RedisCluster.PREFIX + "gone:" + id;
	}

	/**
	 * Return the tabs whose home is this server.
	 * @return the local registry
	 */
	public MemoryTabRegistry local() {
		return this.local;
	}

	@Override
	public @Nullable TabActor localTab(String id) {
		return this.local.localTab(id);
	}

	/**
	 * Return the server a tab lives on, as Redis records it.
	 * @param id the tab's id
	 * @return its home; empty if Redis has no record of it
	 */
	Mono<String> home(String id) {
		return this.redis.<String, String>opsForHash().get(recordKey(id), "n");
	}

	/** Opens the tab here, and answers once Redis has its record, so that any server can find it at once. */
	@Override
	public Mono<Tab> open(String sessionKey, SessionHandle session, Callbacks callbacks) {
		return Mono.fromSupplier(() -> this.local.openLocal(sessionKey, session, callbacks))
			.flatMap((tab) -> publish(tab).thenReturn((Tab) tab).onErrorResume((ex) -> {
				tab.close(CancelReason.VIEW_CLOSED);
				return Mono.error(new IllegalStateException("Strand could not record a new page's view in Redis", ex));
			}));
	}

	private Mono<Void> publish(TabActor tab) {
		String key = recordKey(tab.id());
		return this.redis.<String, String>opsForHash()
			.putAll(key, Map.of("s", tab.sessionKey(), "n", this.cluster.node()))
			.then(this.redis.expire(key, RECORD_TTL))
			.then();
	}

	@Override
	public Mono<Lookup> find(@Nullable String sessionKey, @Nullable SessionHandle session, String id) {
		Lookup here = this.local.findLocal(sessionKey, session, id);
		if (here.status() != Lookup.Status.NOT_FOUND || sessionKey == null) {
			return Mono.just(here);
		}
		return this.redis.<String, String>opsForHash()
			.entries(recordKey(id))
			.collectMap(Map.Entry::getKey, Map.Entry::getValue)
			.flatMap((record) -> record.isEmpty() ? whyGone(sessionKey, id) : elsewhere(sessionKey, id, record))
			.onErrorResume((ex) -> {
				logger.debug("Strand could not look a tab up in Redis", ex);
				return Mono.just(Lookup.unavailable("Strand's shared store (Redis) cannot be reached; try again"));
			});
	}

	private Mono<Lookup> elsewhere(String sessionKey, String id, Map<String, String> record) {
		String home = record.getOrDefault("n", "");
		if (!sessionKey.equals(record.get("s")) || home.equals(this.cluster.node())) {
			return Mono.just(Lookup.notFound());
		}
		return this.cluster.isAlive(home)
			.map((alive) -> alive ? Lookup.elsewhere(new RemoteTab(id, sessionKey, home, this.cluster, this.remoteLogs))
					: Lookup.gone("remount"));
	}

	private Mono<Lookup> whyGone(String sessionKey, String id) {
		return this.redis.opsForValue()
			.get(goneKey(id))
			.map((gone) -> {
				int space = gone.indexOf(' ');
				return (space > 0 && gone.substring(0, space).equals(sessionKey)) ? Lookup.gone(gone.substring(space + 1))
						: Lookup.notFound();
			})
			.defaultIfEmpty(Lookup.notFound());
	}

	private void closed(String id, String sessionKey, CancelReason reason) {
		this.logs.remove(id);
		this.redis.opsForValue()
			.set(goneKey(id), sessionKey + " " + reason.code(), GONE_TTL)
			.then(this.redis.delete(recordKey(id)))
			.subscribe(null, (ex) -> logger.debug("Strand could not record in Redis that a tab closed", ex));
	}

	/** Closes the session's tabs on every server. */
	@Override
	public void closeSession(String sessionKey) {
		this.local.closeSession(sessionKey);
		this.cluster.nodes()
			.filter((node) -> !node.equals(this.cluster.node()))
			.flatMap((node) -> this.cluster.send(node, "close-session", Map.of("s", sessionKey)))
			.subscribe(null, (ex) -> logger.warn("Strand could not tell the other servers to close a session's tabs", ex));
	}

	@Override
	public void reap() {
		this.local.reap();
	}

	@Override
	public void closeAll(CancelReason reason) {
		this.local.closeAll(reason);
	}

	@Override
	public int size() {
		return this.local.size();
	}

	// ---- The home's side of a stream served elsewhere ----

	/** Another server serves a stream of a tab of this server: attach it, and say from where it reads. */
	private Mono<Map<String, String>> connectReader(Map<String, String> message) {
		String id = message.getOrDefault("tab", "");
		Lookup lookup = this.local.findLocal(message.get("s"), null, id);
		if (lookup.status() != Lookup.Status.FOUND) {
			return Mono.just(Map.of("gone", (lookup.reason() != null) ? lookup.reason() : "not-found"));
		}
		TabActor tab = (TabActor) lookup.tab();
		MemoryEventLog log = this.logs.get(id);
		if (log == null) {
			return Mono.just(Map.of("gone", "not-found"));
		}
		Reader reader = new Reader(message.getOrDefault("sid", ""), message.getOrDefault("from", ""), tab, log);
		Reader previous = this.readers.get(reader.sid);
		if (previous != null) {
			previous.superseded(); // the same stream, attached again for a reset: it must not be told to end
		}
		tab.connect(Long.parseLong(message.getOrDefault("last", "0")), reader::changed, reader::subscribed);
		return reader.reply.asMono();
	}

	private Mono<Map<String, String>> acknowledge(Map<String, String> message) {
		for (String ack : message.getOrDefault("acks", "").split(",")) {
			int colon = ack.lastIndexOf(':');
			Reader reader = (colon > 0) ? this.readers.get(ack.substring(0, colon)) : null;
			if (reader != null && reader.subscription != null) {
				reader.log.acknowledge(reader.subscription, Long.parseLong(ack.substring(colon + 1)));
			}
		}
		return Mono.empty();
	}

	private void disconnect(String sid) {
		Reader reader = this.readers.remove(sid);
		EventLog.Subscription subscription = (reader != null) ? reader.subscription : null;
		if (subscription != null) {
			reader.tab.disconnect(subscription);
		}
	}

	/** Streams served by servers that have stopped heartbeating end here too, so that grace periods start. */
	private Mono<Void> checkReaders() {
		Set<String> nodes = this.readers.values().stream().map((reader) -> reader.node).collect(Collectors.toSet());
		return Flux.fromIterable(nodes)
			.flatMap((node) -> this.cluster.isAlive(node).filter((alive) -> !alive).map((dead) -> node))
			.doOnNext((node) -> List.copyOf(this.readers.values())
				.stream()
				.filter((reader) -> reader.node.equals(node))
				.forEach((reader) -> disconnect(reader.sid)))
			.then();
	}

	/** Write every record of this server's tabs again, and keep their records and log copies from expiring. */
	private Mono<Void> refresh() {
		return Flux.fromIterable(this.local.tabs())
			.flatMap((tab) -> publish(tab).then(this.redis.expire(LogCopies.key(tab.id()), LogCopies.OPEN_TTL)), 16)
			.onErrorResume((ex) -> {
				logger.debug("Strand could not refresh its tabs' records in Redis", ex);
				return Mono.empty();
			})
			.then();
	}

	@Override
	public void start() {
		this.running = true;
		this.remoteLogs.start();
		Duration period = RECORD_TTL.dividedBy(4);
		this.refresher = Flux.merge(Flux.interval(period, period).onBackpressureDrop().concatMap((tick) -> refresh()),
				Flux.interval(Duration.ofSeconds(1)).onBackpressureDrop().concatMap((tick) -> checkReaders()
					.onErrorResume((ex) -> Mono.empty())))
			.subscribe();
	}

	@Override
	public void stop() {
		this.running = false;
		this.remoteLogs.stop();
		Disposable current = this.refresher;
		if (current != null) {
			current.dispose();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stops after the tabs have closed (a higher phase stops first), before this server leaves. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 60;
	}

	/** A stream of a tab of this server that another server serves. */
	private final class Reader {

		final String sid;

		final String node;

		final TabActor tab;

		final MemoryEventLog log;

		final Sinks.One<Map<String, String>> reply = Sinks.one();

		volatile EventLog.@Nullable Subscription subscription;

		private boolean ended;

		Reader(String sid, String node, TabActor tab, MemoryEventLog log) {
			this.sid = sid;
			this.node = node;
			this.tab = tab;
			this.log = log;
		}

		/** This stream is being attached again: replacing its subscription does not end it. */
		synchronized void superseded() {
			this.ended = true;
		}

		/** Attached, on the tab's mailbox. */
		void subscribed(EventLog.Subscription subscription) {
			this.subscription = subscription;
			RedisTabRegistry.this.readers.put(this.sid, this);
			this.reply.tryEmitValue(Map.of("start", Long.toString(this.log.startOf(subscription)), "missed",
					subscription.missed() ? "1" : "0"));
		}

		/**
		 * Events were appended, or the stream must end. The server that serves it reads the events from the copy
		 * and a close there too; it is told here only when another stream took over or this one fell behind.
		 */
		void changed() {
			EventLog.Subscription current = this.subscription;
			if (current == null) {
				if (this.tab.isClosed()) {
					this.reply.tryEmitValue(Map.of("gone", "view-closed"));
				}
				return;
			}
			if (!current.ended() || this.tab.isClosed()) {
				return;
			}
			synchronized (this) {
				if (this.ended) {
					return;
				}
				this.ended = true;
			}
			RedisTabRegistry.this.readers.remove(this.sid, this);
			RedisTabRegistry.this.cluster
				.send(this.node, "end", Map.of("sid", this.sid, "overrun", current.overrun() ? "1" : "0"))
				.subscribe(null, (ex) -> logger.debug("Strand could not end a tab's stream on another server", ex));
		}

	}

}
