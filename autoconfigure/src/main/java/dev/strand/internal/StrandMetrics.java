package dev.strand.internal;

import dev.strand.Outcome;

/** Receives what Strand measures; the Micrometer implementation records timers and counters. */
public interface StrandMetrics {

	/** Metrics that record nothing. */
	StrandMetrics NONE = new StrandMetrics() {
	};

	/**
	 * A task ended.
	 * @param task the task's bounded name: the pattern of its {@code @HandleAsync} method ({@code worker-*} for
	 * {@code worker-17}), or {@code assignAsync}
	 * @param kind how it ended
	 * @param nanos how long it ran, in nanoseconds
	 */
	default void taskEnded(String task, Outcome.Kind kind, long nanos) {
	}

	/**
	 * A chunk was delivered to a view.
	 * @param task the task's bounded name, as for {@link #taskEnded}
	 */
	default void chunkDelivered(String task) {
	}

	/**
	 * A {@code @HandleAsync} or {@code @HandleChunk} callback threw; its changes were discarded.
	 * @param callback the annotation, such as {@code @HandleAsync}
	 */
	default void callbackFailed(String callback) {
	}

}
