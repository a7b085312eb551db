package dev.strand.internal;

import java.util.concurrent.Executor;

import dev.strand.AsyncOptions;

/**
 * The executors that run task bodies: the default one, and the one an {@link AsyncOptions} chooses for a
 * call, each with the bounded name that the {@code strand.tasks} timer's {@code executor} tag shows.
 */
public interface TaskExecutors {

	/** The default executor's bean name, and its tag. */
	String DEFAULT_NAME = "strandTaskExecutor";

	/** The tag of an executor that is passed in and is not a bean. */
	String OTHER = "other";

	/**
	 * Return the executor that runs tasks unless their options choose another.
	 * @return the default executor
	 */
	Named defaultExecutor();

	/**
	 * Return the executor with this name.
	 * @param name the name of an executor bean
	 * @return the executor
	 * @throws IllegalArgumentException if there is none, with a message that names it
	 */
	Named named(String name);

	/**
	 * Return an executor that was passed in, with its name: its bean name if it is a bean, else {@link #OTHER}.
	 * @param executor the executor
	 * @return the executor and its name
	 */
	Named nameOf(Executor executor);

	/**
	 * Return the executor that the options choose.
	 * @param options the options of a {@code startAsync} or {@code assignAsync} call
	 * @return the executor
	 * @throws IllegalArgumentException if the options name an executor that does not exist
	 */
	default Named choose(AsyncOptions options) {
		String name = options.executorName();
		if (name != null) {
			return named(name);
		}
		Executor executor = options.executor();
		return (executor != null) ? nameOf(executor) : defaultExecutor();
	}

	/**
	 * Return executors that know only the default one, named {@link #DEFAULT_NAME}; for tests and tools.
	 * @param executor the default executor
	 * @return the executors
	 */
	static TaskExecutors only(Executor executor) {
		Named defaults = new Named(DEFAULT_NAME, executor);
		return new TaskExecutors() {

			@Override
			public Named defaultExecutor() {
				return defaults;
			}

			@Override
			public Named named(String name) {
				if (name.equals(DEFAULT_NAME)) {
					return defaults;
				}
				throw new IllegalArgumentException("AsyncOptions.executor(\"" + name + "\") names no executor; this engine "
						+ "knows only '" + DEFAULT_NAME + "': pass the Executor itself, or run the engine in an application "
						+ "context that has an Executor bean with that name");
			}

			@Override
			public Named nameOf(Executor other) {
				return (other == executor) ? defaults : new Named(OTHER, other);
			}

		};
	}

	/**
	 * An executor and the name its tasks are measured under.
	 *
	 * @param name the bounded name: a bean name, or {@link #OTHER}
	 * @param executor the executor
	 */
	record Named(String name, Executor executor) {
	}

}
