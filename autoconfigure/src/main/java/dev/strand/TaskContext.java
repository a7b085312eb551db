package dev.strand;

import java.util.concurrent.CancellationException;

/** What a running task may do: push chunks to its tab, report progress and check for cancellation. */
public interface TaskContext {

	/**
	 * Return the task's name.
	 * @return the name
	 */
	String name();

	/**
	 * Send a chunk to the tab: to its {@code @HandleChunk} method if it has one, and over the stream to
	 * the page. Chunks arrive in order and none is lost. When the browser is slow this blocks (the task's
	 * virtual thread, nothing else) up to {@code strand.stream.push-timeout}; past that the stream is
	 * dropped and the browser resynchronises.
	 * @param chunk the chunk: a {@link CharSequence} is sent as text, anything else as JSON
	 * @throws InterruptedException if the task is cancelled while it waits
	 * @throws CancellationException if the task was already cancelled
	 */
	void push(Object chunk) throws InterruptedException;

	/**
	 * Report progress. Updates coalesce: only the latest reaches a slow browser.
	 * @param done the units done
	 * @param total the units in all, or {@code 0} when unknown
	 */
	void progress(long done, long total);

	/**
	 * Whether the task has been cancelled. Cancellation also interrupts the task's thread.
	 * @return whether it is cancelled
	 */
	boolean isCancelled();

	/**
	 * Throw if the task has been cancelled: a convenient check inside loops that do not block.
	 * @throws CancellationException if it was cancelled
	 */
	default void checkCancelled() {
		if (isCancelled()) {
			throw new CancellationException("Task '" + name() + "' was cancelled");
		}
	}

	/**
	 * Return an exception that ends the task with {@link Outcome.Failed} and this reason:
	 * {@code throw task.fail("quota exceeded")}.
	 * @param reason the error value
	 * @return the exception to throw
	 */
	default TaskFailedException fail(Object reason) {
		return TaskFailedException.of(reason);
	}

}
