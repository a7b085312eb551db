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
	 * @param executor the name of the executor it ran on: a bean name, or {@code other} for an executor passed in
	 * that is not a bean
	 * @param kind how it ended
	 * @param nanos how long it ran, in nanoseconds, from when it was handed to its executor
	 */
	default void taskEnded(String task, String executor, Outcome.Kind kind, long nanos) {
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
