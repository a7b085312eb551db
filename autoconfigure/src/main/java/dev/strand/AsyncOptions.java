package dev.strand;

import java.time.Duration;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Options for {@link View#startAsync(String, AsyncOptions, AsyncTask)} and
 * {@link View#assignAsync(String, AsyncOptions, java.util.concurrent.Callable)}.
 *
 * @param resetAll whether every key's previous result is replaced with a fresh loading one (LiveView's
 * {@code reset: true}); for {@code startAsync}, the key is the task's name when it holds an {@link AsyncResult}
 * @param resetKeys the keys whose previous result is replaced (LiveView's {@code reset: [keys]})
 * @param timeout this task's timeout, overriding {@code strand.tasks.timeout}, or {@code null}
 */
public record AsyncOptions(boolean resetAll, Set<String> resetKeys, @Nullable Duration timeout) {

	private static final AsyncOptions DEFAULTS = new AsyncOptions(false, Set.of(), null);

	public AsyncOptions {
		if (resetKeys == null || resetKeys.stream().anyMatch(java.util.Objects::isNull)) {
			throw new IllegalArgumentException("The keys to reset must not be null; pass none to reset no key");
		}
		resetKeys = Set.copyOf(resetKeys);
		if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
			throw new IllegalArgumentException("A task timeout must be positive, but got " + timeout);
		}
	}

	/**
	 * Return the default options: no reset, the configured timeout.
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
	 * Return a copy that resets every key.
	 * @return the options
	 */
	public AsyncOptions withReset() {
		return new AsyncOptions(true, Set.of(), this.timeout);
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
		return new AsyncOptions(false, unique, this.timeout);
	}

	/**
	 * Return a copy with the given timeout.
	 * @param timeout the timeout
	 * @return the options
	 */
	public AsyncOptions withTimeout(Duration timeout) {
		return new AsyncOptions(this.resetAll, this.resetKeys, timeout);
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
