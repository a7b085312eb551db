package dev.strand.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import dev.strand.internal.EngineSettings;

/**
 * Configuration properties for Strand.
 *
 * @param limits limits that protect the server
 * @param tasks how tasks run and stop
 * @param stream the Server-Sent Events stream
 * @param views how long views live without a stream
 * @param cluster running several servers
 */
@ConfigurationProperties("strand")
public record StrandProperties(@DefaultValue Limits limits, @DefaultValue Tasks tasks, @DefaultValue Stream stream,
		@DefaultValue Views views, @DefaultValue Cluster cluster) {

	/**
	 * Return the engine's settings.
	 * @return the settings
	 */
	EngineSettings toEngineSettings() {
		return EngineSettings.builder()
			.viewsPerSession(this.limits.viewsPerSession())
			.tasksPerView(this.limits.tasksPerView())
			.tasks(this.limits.tasks())
			.taskTimeout(this.tasks.timeout())
			.lingerWarning(this.tasks.lingerWarning())
			.shutdownGrace(this.tasks.shutdownGrace())
			.connectTimeout(this.views.connectTimeout())
			.disconnectGrace(this.views.disconnectGrace())
			.replayBuffer(this.stream.replayBuffer())
			.replayBufferSize(this.stream.replayBufferSize().toBytes())
			.maxPending(this.stream.maxPending())
			.maxPendingSize(this.stream.maxPendingSize().toBytes())
			.maxChunkSize(this.stream.maxChunkSize().toBytes())
			.pushTimeout(this.stream.pushTimeout())
			.totalBufferSize(this.stream.totalBufferBytes())
			.build();
	}

	/**
	 * Limits; passing one is answered with 429 (or 413 for an event's size) and a message naming the property.
	 *
	 * @param tasks Maximum number of tasks running in the whole application
	 * @param viewsPerSession Maximum number of open views (tabs) per session
	 * @param tasksPerView Maximum number of tasks one view may run or hold waiting
	 * @param maxEventSize Maximum size of a page event's request body
	 */
	public record Limits(@DefaultValue("32") int viewsPerSession, @DefaultValue("64") int tasksPerView,
			@DefaultValue("10000") int tasks, @DefaultValue("64KB") DataSize maxEventSize) {

		public Limits {
			if (maxEventSize.toBytes() <= 0) {
				throw new IllegalArgumentException(
						"strand.limits.max-event-size must be positive, but was " + maxEventSize);
			}
		}

	}

	/**
	 * Tasks.
	 *
	 * @param timeout Default time a task may run before it ends with an Exit; override it per task with
	 * AsyncOptions
	 * @param lingerWarning Time a stopped task may keep running (ignoring its interrupt) before a warning is
	 * logged
	 * @param shutdownGrace Time shutdown lets running tasks finish before it closes every tab and cancels what is
	 * left
	 */
	public record Tasks(@DefaultValue("5m") Duration timeout, @DefaultValue("1s") Duration lingerWarning,
			@DefaultValue("10s") Duration shutdownGrace) {
	}

	/**
	 * The stream.
	 *
	 * @param path Path of the Server-Sent Events endpoint
	 * @param heartbeat Interval between heartbeat comments
	 * @param replayBuffer Number of events kept per view for replay after a reconnect
	 * @param replayBufferSize Maximum size of the events kept per view for replay (the newest is kept whatever
	 * its size); with max-pending-size, this bounds a view's memory
	 * @param maxPending Number of events a browser may lag behind before a task's push blocks
	 * @param maxPendingSize Size of the events a browser may lag behind before a task's push blocks, whether its
	 * stream is attached or not
	 * @param maxChunkSize Maximum size of one chunk, as JSON in UTF-8; a larger push fails in the task with an
	 * IllegalArgumentException
	 * @param pushTimeout Time a push may block on a slow browser before its stream is dropped
	 * @param writeTimeout Time a stream may go without its writes draining (its heartbeats unsent, checked once a
	 * heartbeat, or on Linux its bytes unacknowledged) before its browser is treated as gone and the view's grace
	 * period starts
	 * @param historySize Size of the newest chunks a strand:stream container keeps, so that a full re-render (a
	 * reset, after a browser missed more than the replay buffer holds) draws them again; 0 keeps none
	 * @param totalBufferSize Maximum size of all views' replay buffers and strand:stream histories together, beyond
	 * the first 16KB of each; once it is reached, a buffer that would grow keeps the size it has and drops its
	 * oldest events or chunks sooner. Default: an eighth of the JVM's maximum heap
	 * @param directBuffers Whether replay buffers and strand:stream histories larger than 16KB are kept in direct
	 * memory, from Netty's allocator (with Reactor Netty on the classpath), where the garbage collector neither
	 * copies nor marks them, rather than on the heap
	 */
	public record Stream(@DefaultValue("/strand/stream") String path, @DefaultValue("15s") Duration heartbeat,
			@DefaultValue("1024") int replayBuffer, @DefaultValue("1MB") DataSize replayBufferSize,
			@DefaultValue("256") int maxPending, @DefaultValue("256KB") DataSize maxPendingSize,
			@DefaultValue("64KB") DataSize maxChunkSize, @DefaultValue("10s") Duration pushTimeout,
			@DefaultValue("30s") Duration writeTimeout, @DefaultValue("256KB") DataSize historySize,
			@Nullable DataSize totalBufferSize, @DefaultValue("true") boolean directBuffers) {

		public Stream {
			if (!path.startsWith("/") || path.endsWith("/")) {
				throw new IllegalArgumentException(
						"strand.stream.path must start with '/' and not end with one, but was '" + path + "'");
			}
			if (heartbeat.isNegative() || heartbeat.isZero()) {
				throw new IllegalArgumentException("strand.stream.heartbeat must be positive, but was " + heartbeat);
			}
			if (writeTimeout.isNegative() || writeTimeout.isZero()) {
				throw new IllegalArgumentException("strand.stream.write-timeout must be positive, but was " + writeTimeout);
			}
			if (historySize.isNegative()) {
				throw new IllegalArgumentException("strand.stream.history-size must not be negative, but was " + historySize);
			}
			if (totalBufferSize != null && totalBufferSize.isNegative()) {
				throw new IllegalArgumentException(
						"strand.stream.total-buffer-size must not be negative, but was " + totalBufferSize);
			}
		}

		/**
		 * Return the bytes all views' buffers may hold together, the default if none was set.
		 * @return the bytes
		 */
		long totalBufferBytes() {
			return (this.totalBufferSize != null) ? this.totalBufferSize.toBytes()
					: EngineSettings.defaultTotalBufferSize();
		}

	}

	/**
	 * Views.
	 *
	 * @param connectTimeout Time a new view waits for its stream before it is dropped
	 * @param disconnectGrace Time a view outlives its stream; a reconnect within it keeps everything,
	 * including running tasks
	 * @param sessionCheckInterval Interval at which views of expired or invalidated sessions are closed
	 * @param interruptedMessage Flash message a page shows after it has remounted (its view was gone: the server
	 * restarted, or the grace period passed) if a task was running in it
	 */
	public record Views(@DefaultValue("30s") Duration connectTimeout, @DefaultValue("15s") Duration disconnectGrace,
			@DefaultValue("30s") Duration sessionCheckInterval,
			@DefaultValue("The page reconnected to the server; a task that was running has stopped. Start it again if you need it.") String interruptedMessage) {

		public Views {
			if (sessionCheckInterval.isNegative() || sessionCheckInterval.isZero()) {
				throw new IllegalArgumentException(
						"strand.views.session-check-interval must be positive, but was " + sessionCheckInterval);
			}
		}

	}

	/**
	 * Running several servers behind one load balancer, with no sticky sessions.
	 *
	 * @param mode How servers share their views: none (this server alone, in memory) or redis (through the
	 * Redis that spring.data.redis.* configures, with Spring Session Data Redis for the sessions)
	 * @param nodeTimeout Time after which a server that stopped heartbeating in Redis counts as gone: the
	 * pages whose views lived there remount on a live server
	 * @param requestTimeout Longest time a page event that landed on another server than its view's may take
	 * to be answered by that server
	 */
	public record Cluster(@DefaultValue("none") Mode mode, @DefaultValue("5s") Duration nodeTimeout,
			@DefaultValue("30s") Duration requestTimeout) {

		public Cluster {
			if (nodeTimeout.toMillis() < 100) {
				throw new IllegalArgumentException("strand.cluster.node-timeout must be at least 100ms, but was " + nodeTimeout);
			}
			if (requestTimeout.isNegative() || requestTimeout.isZero()) {
				throw new IllegalArgumentException(
						"strand.cluster.request-timeout must be positive, but was " + requestTimeout);
			}
		}

		/** How servers share their views. */
		public enum Mode {

			/** This server alone: views live in its memory. */
			NONE,
			/** Several servers, sharing views through Redis. */
			REDIS

		}

	}

}
