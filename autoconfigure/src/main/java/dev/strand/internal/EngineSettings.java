package dev.strand.internal;

import java.time.Duration;

/**
 * The engine's limits and timeouts.
 *
 * @param viewsPerSession views one session may hold
 * @param tasksPerView tasks one view may run or hold waiting
 * @param tasks tasks that may run in all
 * @param taskTimeout the default task timeout
 * @param lingerWarning how long a cancelled task may keep running before it is logged
 * @param connectTimeout how long a view may wait for its stream before it is dropped
 * @param disconnectGrace how long a view outlives its stream, waiting for a reconnect
 * @param replayBuffer events kept per view for replay after a reconnect
 * @param maxPending events a stream may lag behind before {@code push} blocks
 * @param pushTimeout how long {@code push} blocks before the stream is dropped
 * @param shutdownGrace how long shutdown waits for cancelled tasks to end
 */
public record EngineSettings(int viewsPerSession, int tasksPerView, int tasks, Duration taskTimeout,
		Duration lingerWarning, Duration connectTimeout, Duration disconnectGrace, int replayBuffer, int maxPending,
		Duration pushTimeout, Duration shutdownGrace) {

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
		positive("strand.tasks.timeout", taskTimeout);
		positive("strand.views.connect-timeout", connectTimeout);
		notNegative("strand.tasks.linger-warning", lingerWarning);
		notNegative("strand.views.disconnect-grace", disconnectGrace);
		notNegative("strand.stream.push-timeout", pushTimeout);
		notNegative("strand.tasks.shutdown-grace", shutdownGrace);
	}

	private static void positive(String property, int value) {
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
	 * Return settings for tests and tools: generous limits, short timeouts.
	 * @return the settings
	 */
	public static EngineSettings defaults() {
		return new EngineSettings(32, 64, 10_000, Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofSeconds(30),
				Duration.ofSeconds(15), 1024, 256, Duration.ofSeconds(10), Duration.ofSeconds(10));
	}

}
