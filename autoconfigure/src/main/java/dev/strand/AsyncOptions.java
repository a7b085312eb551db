package dev.strand;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;

/**
 * Options for {@link View#startAsync(String, AsyncOptions, AsyncTask)} and
 * {@link View#assignAsync(String, AsyncOptions, java.util.concurrent.Callable)}.
 *
 * @param resetAll whether every key's previous result is replaced with a fresh loading one (LiveView's
 * {@code reset: true}); for {@code startAsync}, the key is the task's name when it holds an {@link AsyncResult}
 * @param resetKeys the keys whose previous result is replaced (LiveView's {@code reset: [keys]})
 * @param timeout this task's timeout, overriding {@code strand.tasks.timeout}, or {@code null}
 * @param executorName the name of the {@link Executor} bean that runs this task (LiveView's
 * {@code supervisor:}), or {@code null}
 * @param executor the {@link Executor} that runs this task, or {@code null}; at most one of
 * {@code executorName} and {@code executor} is set, and with neither the task runs on the
 * {@code strandTaskExecutor} bean
 */
public record AsyncOptions(boolean resetAll, Set<String> resetKeys, @Nullable Duration timeout,
		@Nullable String executorName, @Nullable Executor executor) {

	private static final AsyncOptions DEFAULTS = new AsyncOptions(false, Set.of(), null, null, null);

	public AsyncOptions {
		if (resetKeys == null || resetKeys.stream().anyMatch(java.util.Objects::isNull)) {
			throw new IllegalArgumentException("The keys to reset must not be null; pass none to reset no key");
		}
		resetKeys = Set.copyOf(resetKeys);
		if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
			throw new IllegalArgumentException("A task timeout must be positive, but got " + timeout);
		}
		if (executorName != null && executorName.isBlank()) {
			throw new IllegalArgumentException("An executor's bean name must not be blank, but was '" + executorName + "'");
		}
		if (executorName != null && executor != null) {
			throw new IllegalArgumentException("Choose an executor by its bean name ('" + executorName
					+ "') or pass one (" + executor + "), not both");
		}
	}

	/**
	 * Return the default options: no reset, the configured timeout, the {@code strandTaskExecutor} bean.
	 * @return the defaults
	 */
	public static AsyncOptions defaults() {
		return DEFAULTS;
	}

	/**
	 * Return options that reset every key.
	 * @return the options
	 */
	public static AsyncOptions reset() {
		return DEFAULTS.withReset();
	}

	/**
	 * Return options that reset the given keys.
	 * @param keys the keys to reset
	 * @return the options
	 */
	public static AsyncOptions reset(String... keys) {
		return DEFAULTS.withReset(keys);
	}

	/**
	 * Return options with the given timeout.
	 * @param timeout the timeout
	 * @return the options
	 */
	public static AsyncOptions timeout(Duration timeout) {
		return DEFAULTS.withTimeout(timeout);
	}

	/**
	 * Return options that run the task on the {@link Executor} bean with this name, instead of
	 * {@code strandTaskExecutor} (LiveView's {@code supervisor:}). An unknown name fails the
	 * {@code startAsync} or {@code assignAsync} call.
	 * @param beanName the executor's bean name
	 * @return the options
	 */
	public static AsyncOptions executor(String beanName) {
		return DEFAULTS.withExecutor(beanName);
	}

	/**
	 * Return options that run the task on this executor, instead of {@code strandTaskExecutor}.
	 * @param executor the executor
	 * @return the options
	 */
	public static AsyncOptions executor(Executor executor) {
		return DEFAULTS.withExecutor(executor);
	}

	/**
	 * Return a copy that resets every key.
	 * @return the options
	 */
	public AsyncOptions withReset() {
		return new AsyncOptions(true, Set.of(), this.timeout, this.executorName, this.executor);
	}

	/**
	 * Return a copy that resets the given keys.
	 * @param keys the keys
	 * @return the options
	 */
	public AsyncOptions withReset(String... keys) {
		java.util.Set<String> unique = new java.util.LinkedHashSet<>();
		for (String key : keys) {
			if (key == null || key.isBlank()) {
				throw new IllegalArgumentException("A key to reset must not be blank, but was '" + key + "'");
			}
			unique.add(key);
		}
		return new AsyncOptions(false, unique, this.timeout, this.executorName, this.executor);
	}

	/**
	 * Return a copy with the given timeout.
	 * @param timeout the timeout
	 * @return the options
	 */
	public AsyncOptions withTimeout(Duration timeout) {
		return new AsyncOptions(this.resetAll, this.resetKeys, timeout, this.executorName, this.executor);
	}

	/**
	 * Return a copy that runs the task on the {@link Executor} bean with this name.
	 * @param beanName the executor's bean name
	 * @return the options
	 */
	public AsyncOptions withExecutor(String beanName) {
		if (beanName == null) {
			throw new IllegalArgumentException("An executor's bean name must not be null");
		}
		return new AsyncOptions(this.resetAll, this.resetKeys, this.timeout, beanName, null);
	}

	/**
	 * Return a copy that runs the task on this executor.
	 * @param executor the executor
	 * @return the options
	 */
	public AsyncOptions withExecutor(Executor executor) {
		if (executor == null) {
			throw new IllegalArgumentException("An executor must not be null");
		}
		return new AsyncOptions(this.resetAll, this.resetKeys, this.timeout, null, executor);
	}

	/**
	 * Whether the previous result under this key is replaced by a fresh loading one.
	 * @param key the key
	 * @return whether it is reset
	 */
	public boolean resets(String key) {
		return this.resetAll || this.resetKeys.contains(key);
	}

}
