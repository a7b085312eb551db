package dev.strand.internal;

import java.time.Duration;

/**
 * The engine's limits and timeouts; build them with {@link #builder()}, which starts from the defaults of
 * the {@code strand.*} properties.
 *
 * @param viewsPerSession tabs one session may hold
 * @param tasksPerView tasks one tab may run or hold waiting
 * @param tasks tasks that may run in all
 * @param taskTimeout the default task timeout
 * @param lingerWarning how long a cancelled task may keep running before it is logged
 * @param connectTimeout how long a tab may wait for its stream before it is dropped
 * @param disconnectGrace how long a tab outlives its stream, waiting for a reconnect
 * @param replayBuffer events kept per tab for replay after a reconnect
 * @param replayBufferSize bytes of event data kept per tab for replay
 * @param maxPending events a stream may lag behind before {@code push} blocks
 * @param maxPendingSize bytes of event data a stream may lag behind before {@code push} blocks
 * @param maxChunkSize the largest chunk a task may push, in bytes of JSON
 * @param pushTimeout how long {@code push} blocks before the stream is dropped
 * @param shutdownGrace how long shutdown waits for cancelled tasks to end
 * @param totalBufferSize bytes that every tab's replay buffer and stream histories together may hold beyond
 * {@link ByteRing#FREE_BYTES} each
 */
public record EngineSettings(int viewsPerSession, int tasksPerView, int tasks, Duration taskTimeout,
		Duration lingerWarning, Duration connectTimeout, Duration disconnectGrace, int replayBuffer,
		long replayBufferSize, int maxPending, long maxPendingSize, long maxChunkSize, Duration pushTimeout,
		Duration shutdownGrace, long totalBufferSize) {

	public EngineSettings {
		positive("strand.limits.views-per-session", viewsPerSession);
		positive("strand.limits.tasks-per-view", tasksPerView);
		positive("strand.limits.tasks", tasks);
		positive("strand.stream.replay-buffer", replayBuffer);
		positive("strand.stream.max-pending", maxPending);
		if (maxPending >= replayBuffer) {
			throw new IllegalArgumentException("strand.stream.max-pending (" + maxPending
					+ ") must be smaller than strand.stream.replay-buffer (" + replayBuffer + ")");
		}
		positive("strand.stream.max-chunk-size", maxChunkSize);
		if (maxChunkSize > maxPendingSize) {
			throw new IllegalArgumentException("strand.stream.max-chunk-size (" + maxChunkSize
					+ " bytes) must not be larger than strand.stream.max-pending-size (" + maxPendingSize + " bytes)");
		}
		if (maxPendingSize >= replayBufferSize) {
			throw new IllegalArgumentException("strand.stream.max-pending-size (" + maxPendingSize
					+ " bytes) must be smaller than strand.stream.replay-buffer-size (" + replayBufferSize + " bytes)");
		}
		positive("strand.tasks.timeout", taskTimeout);
		positive("strand.views.connect-timeout", connectTimeout);
		notNegative("strand.tasks.linger-warning", lingerWarning);
		notNegative("strand.views.disconnect-grace", disconnectGrace);
		notNegative("strand.stream.push-timeout", pushTimeout);
		notNegative("strand.tasks.shutdown-grace", shutdownGrace);
		if (totalBufferSize < 0) {
			throw new IllegalArgumentException(
					"strand.stream.total-buffer-size must not be negative, but was " + totalBufferSize);
		}
	}

	private static void positive(String property, int value) {
		if (value <= 0) {
			throw new IllegalArgumentException(property + " must be positive, but was " + value);
		}
	}

	private static void positive(String property, long value) {
		if (value <= 0) {
			throw new IllegalArgumentException(property + " must be positive, but was " + value);
		}
	}

	private static void positive(String property, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(property + " must be positive, but was " + value);
		}
	}

	private static void notNegative(String property, Duration value) {
		if (value.isNegative()) {
			throw new IllegalArgumentException(property + " must not be negative, but was " + value);
		}
	}

	/**
	 * Return what a tab's event log keeps, and the backlog past which a push waits.
	 * @param buffers the budget its ring shares with the others
	 * @return the limits
	 */
	public MemoryEventLog.Limits logLimits(BufferBudget buffers) {
		return new MemoryEventLog.Limits(this.replayBuffer, this.replayBufferSize, this.maxPending, this.maxPendingSize,
				buffers);
	}

	/**
	 * Return the default of {@code strand.stream.total-buffer-size}: an eighth of the JVM's maximum heap.
	 * @return the bytes
	 */
	public static long defaultTotalBufferSize() {
		return Runtime.getRuntime().maxMemory() / 8;
	}

	/**
	 * Return the defaults, those of the {@code strand.*} properties.
	 * @return the settings
	 */
	public static EngineSettings defaults() {
		return builder().build();
	}

	/**
	 * Return a builder that starts from the defaults.
	 * @return the builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Return a builder that starts from these settings.
	 * @return the builder
	 */
	public Builder toBuilder() {
		Builder builder = new Builder();
		builder.viewsPerSession = this.viewsPerSession;
		builder.tasksPerView = this.tasksPerView;
		builder.tasks = this.tasks;
		builder.taskTimeout = this.taskTimeout;
		builder.lingerWarning = this.lingerWarning;
		builder.connectTimeout = this.connectTimeout;
		builder.disconnectGrace = this.disconnectGrace;
		builder.replayBuffer = this.replayBuffer;
		builder.replayBufferSize = this.replayBufferSize;
		builder.maxPending = this.maxPending;
		builder.maxPendingSize = this.maxPendingSize;
		builder.maxChunkSize = this.maxChunkSize;
		builder.pushTimeout = this.pushTimeout;
		builder.shutdownGrace = this.shutdownGrace;
		builder.totalBufferSize = this.totalBufferSize;
		return builder;
	}

	/** Builds {@link EngineSettings}; each value is checked, with the property's name, by {@link #build()}. */
	public static final class Builder {

		private int viewsPerSession = 32;

		private int tasksPerView = 64;

		private int tasks = 10_000;

		private Duration taskTimeout = Duration.ofMinutes(5);

		private Duration lingerWarning = Duration.ofSeconds(1);

		private Duration connectTimeout = Duration.ofSeconds(30);

		private Duration disconnectGrace = Duration.ofSeconds(15);

		private int replayBuffer = 1024;

		private long replayBufferSize = 1024 * 1024;

		private int maxPending = 256;

		private long maxPendingSize = 256 * 1024;

		private long maxChunkSize = 64 * 1024;

		private Duration pushTimeout = Duration.ofSeconds(10);

		private Duration shutdownGrace = Duration.ofSeconds(10);

		private long totalBufferSize = defaultTotalBufferSize();

		private Builder() {
		}

		public Builder viewsPerSession(int viewsPerSession) {
			this.viewsPerSession = viewsPerSession;
			return this;
		}

		public Builder tasksPerView(int tasksPerView) {
			this.tasksPerView = tasksPerView;
			return this;
		}

		public Builder tasks(int tasks) {
			this.tasks = tasks;
			return this;
		}

		public Builder taskTimeout(Duration taskTimeout) {
			this.taskTimeout = taskTimeout;
			return this;
		}

		public Builder lingerWarning(Duration lingerWarning) {
			this.lingerWarning = lingerWarning;
			return this;
		}

		public Builder connectTimeout(Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
			return this;
		}

		public Builder disconnectGrace(Duration disconnectGrace) {
			this.disconnectGrace = disconnectGrace;
			return this;
		}

		public Builder replayBuffer(int replayBuffer) {
			this.replayBuffer = replayBuffer;
			return this;
		}

		public Builder replayBufferSize(long replayBufferSize) {
			this.replayBufferSize = replayBufferSize;
			return this;
		}

		public Builder maxPending(int maxPending) {
			this.maxPending = maxPending;
			return this;
		}

		public Builder maxPendingSize(long maxPendingSize) {
			this.maxPendingSize = maxPendingSize;
			return this;
		}

		public Builder maxChunkSize(long maxChunkSize) {
			this.maxChunkSize = maxChunkSize;
			return this;
		}

		public Builder pushTimeout(Duration pushTimeout) {
			this.pushTimeout = pushTimeout;
			return this;
		}

		public Builder shutdownGrace(Duration shutdownGrace) {
			this.shutdownGrace = shutdownGrace;
			return this;
		}

		public Builder totalBufferSize(long totalBufferSize) {
			this.totalBufferSize = totalBufferSize;
			return this;
		}

		public EngineSettings build() {
			return new EngineSettings(this.viewsPerSession, this.tasksPerView, this.tasks, this.taskTimeout,
					this.lingerWarning, this.connectTimeout, this.disconnectGrace, this.replayBuffer, this.replayBufferSize,
					this.maxPending, this.maxPendingSize, this.maxChunkSize, this.pushTimeout, this.shutdownGrace,
					this.totalBufferSize);
		}

	}

}
