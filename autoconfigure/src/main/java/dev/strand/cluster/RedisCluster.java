package dev.strand.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStreamCommands.XAddOptions;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.serializer.RedisSerializationContext;
import org.springframework.data.redis.stream.StreamReceiver;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import dev.strand.internal.MemoryTabRegistry;

/**
 * This server in the shared mode: its id, its heartbeat in Redis, and its inbox, a Redis Stream that Spring Data
 * Redis's {@link StreamReceiver} reads with a consumer group. A request carries an id and is answered by a
 * reply to the sender's inbox. Nothing here relies on bare pub/sub: a message waits in its stream until it is
 * read, and a server that is down for a moment reads what came meanwhile when it is back.
 */
public final class RedisCluster implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RedisCluster.class);

	static final String PREFIX = "strand:";

	private static final String GROUP = "strand";

	/** How long the inbox of a server that has stopped stays in Redis. */
	private static final Duration INBOX_TTL = Duration.ofHours(1);

	private final String node = MemoryTabRegistry.newKey();

	private final ReactiveRedisConnectionFactory connections;

	private final ReactiveStringRedisTemplate redis;

	private final Duration nodeTimeout;

	private final Duration requestTimeout;

	private final Map<String, Function<Map<String, String>, Mono<Map<String, String>>>> handlers = new ConcurrentHashMap<>();

	private final Map<String, Sinks.One<Map<String, String>>> pending = new ConcurrentHashMap<>();

	private final Map<String, Liveness> liveness = new ConcurrentHashMap<>();

	private final List<Runnable> restarted = new CopyOnWriteArrayList<>();

	private volatile @Nullable Disposable heartbeat;

	private volatile @Nullable Disposable inbox;

	private volatile boolean running;

	/**
	 * Create this server's membership.
	 * @param connections Boot's reactive Redis connections
	 * @param redis string commands on them
	 * @param nodeTimeout how long a server that stops heartbeating counts as alive
	 * @param requestTimeout how long a request to another server may take
	 */
	public RedisCluster(ReactiveRedisConnectionFactory connections, ReactiveStringRedisTemplate redis, Duration nodeTimeout,
			Duration requestTimeout) {
		this.connections = connections;
		this.redis = redis;
		this.nodeTimeout = nodeTimeout;
		this.requestTimeout = requestTimeout;
		this.handlers.put("reply", (message) -> {
			Sinks.One<Map<String, String>> waiting = this.pending.remove(message.getOrDefault("re", ""));
			if (waiting != null) {
				waiting.tryEmitValue(message);
			}
			return Mono.empty();
		});
	}

	/**
	 * Return this server's id.
	 * @return the id
	 */
	public String node() {
		return this.node;
	}

	ReactiveStringRedisTemplate redis() {
		return this.redis;
	}

	/**
	 * Handle the messages of a type: the handler's value, if any, is sent back to the sender as a reply.
	 * @param type the type
	 * @param handler the handler
	 */
	public void on(String type, Function<Map<String, String>, Mono<Map<String, String>>> handler) {
		this.handlers.put(type, handler);
	}

	/**
	 * Send a message to a server's inbox.
	 * @param node the server
	 * @param type the message's type
	 * @param fields its fields
	 * @return completes once Redis has it
	 */
	public Mono<Void> send(String node, String type, Map<String, String> fields) {
		Map<String, String> message = new HashMap<>(fields);
		message.put("type", type);
		message.put("from", this.node);
		return this.redis.opsForStream()
			.add(MapRecord.create(inbox(node), message), XAddOptions.maxlen(100_000).approximateTrimming(true))
			.then();
	}

	/**
	 * Send a request to a server and wait for its reply.
	 * @param node the server
	 * @param type the request's type
	 * @param fields its fields
	 * @return the reply's fields; an error if none comes within the request timeout
	 */
	public Mono<Map<String, String>> request(String node, String type, Map<String, String> fields) {
		return request(node, type, fields, this.requestTimeout);
	}

	/**
	 * Send a request to a server and wait for its reply, at most the time a server may miss heartbeats before it
	 * counts as gone: for requests that need no more than the server's mailbox, such as attaching a stream.
	 * @param node the server
	 * @param type the request's type
	 * @param fields its fields
	 * @return the reply's fields; an error if none comes in time
	 */
	public Mono<Map<String, String>> quickRequest(String node, String type, Map<String, String> fields) {
		return request(node, type, fields, this.nodeTimeout);
	}

	private Mono<Map<String, String>> request(String node, String type, Map<String, String> fields, Duration timeout) {
		String id = MemoryTabRegistry.newKey();
		Sinks.One<Map<String, String>> reply = Sinks.one();
		this.pending.put(id, reply);
		Map<String, String> message = new HashMap<>(fields);
		message.put("id", id);
		return send(node, type, message).then(reply.asMono())
			.timeout(timeout)
			.doFinally((signal) -> this.pending.remove(id));
	}

	/**
	 * Whether a server is alive: its heartbeat is in Redis. Asked at most once a second per server.
	 * @param node the server
	 * @return whether it is alive; an error if Redis cannot be reached
	 */
	public Mono<Boolean> isAlive(String node) {
		if (node.equals(this.node)) {
			return Mono.just(this.running);
		}
		Liveness known = this.liveness.get(node);
		if (known != null && System.nanoTime() - known.checkedAt() < 1_000_000_000L) {
			return Mono.just(known.alive());
		}
		return this.redis.hasKey(PREFIX + "node:" + node)
			.doOnNext((alive) -> this.liveness.put(node, new Liveness(alive, System.nanoTime())));
	}

	/**
	 * Return the servers that are alive, this one included.
	 * @return their ids
	 */
	public Flux<String> nodes() {
		return this.redis.scan(ScanOptions.scanOptions().match(PREFIX + "node:*").count(1000).build())
			.map((key) -> key.substring((PREFIX + "node:").length()));
	}

	private static String inbox(String node) {
		return PREFIX + "inbox:" + node;
	}

	@Override
	public void start() {
		this.running = true;
		this.heartbeat = Flux.interval(Duration.ZERO, this.nodeTimeout.dividedBy(4))
			.onBackpressureDrop()
			.concatMap((tick) -> this.redis.opsForValue()
				.setGet(PREFIX + "node:" + this.node, Long.toString(System.currentTimeMillis()), this.nodeTimeout)
				.map((previous) -> true)
				.defaultIfEmpty(false)
				.flatMap((wasThere) -> this.redis.expire(inbox(this.node), INBOX_TTL).thenReturn(wasThere))
				.doOnNext((wasThere) -> {
					if (!wasThere && tick > 0) {
						// gone from Redis although this server beat in time: Redis restarted, or lost its data
						this.restarted.forEach(Runnable::run);
					}
				})
				.onErrorResume((ex) -> {
					logger.debug("Strand could not heartbeat in Redis", ex);
					return Mono.empty();
				}))
			.subscribe();
		StreamReceiver<String, MapRecord<String, String, String>> receiver = StreamReceiver.create(this.connections,
				StreamReceiver.StreamReceiverOptions.builder()
					.pollTimeout(Duration.ofSeconds(1))
					.batchSize(100)
					.serializer(RedisSerializationContext.string())
					.onErrorResume(this::resume)
					.build());
		this.inbox = createGroup()
			.thenMany(receiver.receiveAutoAck(Consumer.from(GROUP, this.node),
					StreamOffset.create(inbox(this.node), ReadOffset.lastConsumed())))
			.flatMap(this::handle, 256)
			.subscribe();
		logger.info("Strand runs in the shared mode as server " + this.node.substring(0, 5) + "…");
	}

	/**
	 * Register an action for when Redis is found to have lost this server's keys (it restarted without them):
	 * what this server keeps there is written again.
	 * @param action the action
	 */
	void onRedisRestart(Runnable action) {
		this.restarted.add(action);
	}

	/** Carry on reading the inbox after an error, once Redis answers again; its group is made again if lost. */
	private Mono<Void> resume(Throwable ex) {
		logger.debug("Strand could not read its inbox from Redis; retrying", ex);
		return Mono.delay(Duration.ofMillis(500)).then(createGroup()).onErrorResume((again) -> Mono.empty());
	}

	private Mono<Void> createGroup() {
		return this.redis.opsForStream()
			.createGroup(inbox(this.node), ReadOffset.from("0"), GROUP)
			.onErrorResume(RedisCluster::groupExists, (ex) -> Mono.just("OK"))
			.then();
	}

	private Mono<Void> handle(MapRecord<String, String, String> record) {
		Map<String, String> message = record.getValue();
		String type = message.getOrDefault("type", "");
		Function<Map<String, String>, Mono<Map<String, String>>> handler = this.handlers.get(type);
		if (handler == null) {
			logger.warn("Strand server " + this.node.substring(0, 5) + "… got a message of unknown type '" + type + "'");
			return Mono.empty();
		}
		return Mono.defer(() -> handler.apply(message))
			.timeout(this.requestTimeout) // a handler that never answers must not hold a slot of the inbox for good
			.flatMap((fields) -> (message.containsKey("from") && message.containsKey("id"))
					? send(message.get("from"), "reply", with(fields, "re", message.get("id"))) : Mono.empty())
			.onErrorResume((ex) -> {
				logger.warn("Strand failed to handle a '" + type + "' message", ex);
				return Mono.empty();
			});
	}

	/**
	 * Whether a failure means that Redis cannot serve now (rather than a bug or a bad command): it cannot be
	 * reached, did not answer in time, or answered that it is loading or busy. Lettuce says that a command was
	 * not sent, or its connection closed under it, with a plain {@link io.lettuce.core.RedisException} of no
	 * cause (while disconnected it rejects commands so); Spring Data Redis says so with a resource failure or a
	 * timeout.
	 * @param ex the failure
	 * @return whether Redis is down, unreachable or not serving yet
	 */
	public static boolean isRedisDown(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof org.springframework.dao.DataAccessResourceFailureException
					|| cause instanceof org.springframework.dao.QueryTimeoutException
					|| cause instanceof java.net.ConnectException
					|| cause instanceof io.lettuce.core.RedisConnectionException
					|| cause instanceof io.lettuce.core.RedisCommandTimeoutException
					|| cause instanceof io.lettuce.core.RedisLoadingException
					|| cause instanceof io.lettuce.core.RedisBusyException
					|| (cause.getClass() == io.lettuce.core.RedisException.class && cause.getCause() == null)) {
				return true;
			}
		}
		return false;
	}

	/** Whether creating a consumer group failed because it exists already. */
	private static boolean groupExists(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (String.valueOf(cause.getMessage()).contains("BUSYGROUP")) {
				return true;
			}
		}
		return false;
	}

	private static Map<String, String> with(Map<String, String> fields, String name, String value) {
		Map<String, String> copy = new HashMap<>(fields);
		copy.put(name, value);
		return copy;
	}

	@Override
	public void stop() {
		this.running = false;
		for (Disposable loop : new Disposable[] { this.heartbeat, this.inbox }) {
			if (loop != null) {
				loop.dispose();
			}
		}
		try {
			this.redis.delete(PREFIX + "node:" + this.node).block(Duration.ofSeconds(2));
		}
		catch (RuntimeException ex) {
			logger.debug("Strand could not remove its heartbeat from Redis", ex);
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stops after the tabs close (a higher phase stops first), so that their last messages go out. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 100;
	}

	private record Liveness(boolean alive, long checkedAt) {
	}

}
