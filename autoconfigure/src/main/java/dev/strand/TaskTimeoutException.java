package dev.strand;

import java.time.Duration;

/** Thrown into a task's {@link Outcome.Exit} when it runs past its timeout. */
public class TaskTimeoutException extends RuntimeException {

	private final Duration timeout;

	public TaskTimeoutException(String task, Duration timeout) {
		super("Task '" + task + "' did not end within its timeout of " + timeout
				+ "; raise it with strand.tasks.timeout or AsyncOptions.withTimeout(...)");
		this.timeout = timeout;
	}

	/**
	 * Return the timeout that was exceeded.
	 * @return the timeout
	 */
	public Duration getTimeout() {
		return this.timeout;
	}

}
