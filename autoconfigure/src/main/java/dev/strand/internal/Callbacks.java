package dev.strand.internal;

import dev.strand.Outcome;
import dev.strand.View;

/**
 * Where a view's task outcomes and chunks go: the controller methods annotated with
 * {@link dev.strand.HandleAsync @HandleAsync} and {@link dev.strand.HandleChunk @HandleChunk}.
 */
public interface Callbacks {

	/** Callbacks that handle nothing. */
	Callbacks NONE = none("no controller");

	/**
	 * Return callbacks that handle nothing, for a controller without callback methods.
	 * @param description where they would live, for error messages
	 * @return the callbacks
	 */
	static Callbacks none(String description) {
		return new Callbacks() {

			@Override
			public boolean handlesAsync(String task) {
				return false;
			}

			@Override
			public void onOutcome(String task, Outcome<?> outcome, View view) {
			}

			@Override
			public boolean handlesChunk(String task) {
				return false;
			}

			@Override
			public void onChunk(String task, Object chunk, View view) {
			}

			@Override
			public String describe() {
				return description;
			}

		};
	}

	/**
	 * Whether there is a {@code @HandleAsync} method for the task.
	 * @param task the task's name
	 * @return whether it is handled
	 */
	boolean handlesAsync(String task);

	/**
	 * Return the name or prefix pattern of the {@code @HandleAsync} method for a task, such as
	 * {@code worker-*} for {@code worker-17}: a bounded name for its meters and Observation.
	 * @param task the task's name
	 * @return the pattern; the task's name itself for callbacks that handle tasks by exact name
	 */
	default String pattern(String task) {
		return task;
	}

	/**
	 * Deliver a task's outcome.
	 * @param task the task's name
	 * @param outcome the outcome
	 * @param view the view
	 * @throws Exception if the callback throws
	 */
	void onOutcome(String task, Outcome<?> outcome, View view) throws Exception;

	/**
	 * Whether there is a {@code @HandleChunk} method for the task.
	 * @param task the task's name
	 * @return whether it is handled
	 */
	boolean handlesChunk(String task);

	/**
	 * Whether a chunk that the task's {@code @HandleChunk} method took is then sent to the page too
	 * ({@link dev.strand.HandleChunk#send()}).
	 * @param task the task's name
	 * @return whether the page gets it; {@code true} when no method takes it
	 */
	default boolean sendsChunk(String task) {
		return true;
	}

	/**
	 * Deliver a chunk.
	 * @param task the task's name
	 * @param chunk the chunk
	 * @param view the view
	 * @throws Exception if the callback throws
	 */
	void onChunk(String task, Object chunk, View view) throws Exception;

	/**
	 * Describe where the callbacks live, for error messages.
	 * @return a description, such as the controller's class name
	 */
	String describe();

}
