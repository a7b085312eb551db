package dev.strand;

import org.jspecify.annotations.Nullable;

/**
 * The body of a task started with {@link View#startAsync(String, AsyncTask)}. It runs on its own virtual
 * thread and must not touch the {@link View}; it talks to the tab through its {@link TaskContext}.
 *
 * @param <T> the type of its value
 */
@FunctionalInterface
public interface AsyncTask<T> {

	/**
	 * Run the task.
	 * @param task this task's context: push chunks, report progress, check for cancellation
	 * @return the value reported as {@link Outcome.Ok}
	 * @throws Exception reported as {@link Outcome.Exit}, or as {@link Outcome.Failed} for a
	 * {@link TaskFailedException}
	 */
	@Nullable T run(TaskContext task) throws Exception;

}
