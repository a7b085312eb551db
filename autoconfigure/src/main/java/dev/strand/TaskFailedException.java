package dev.strand;

/**
 * Ends a task with an {@link Outcome.Failed} outcome carrying an error value, rather than an
 * {@link Outcome.Exit}. Create it with {@link TaskContext#fail(Object)} or {@link #of(Object)} and throw
 * it from the task.
 */
public class TaskFailedException extends RuntimeException {

	private final transient Object reason;

	private TaskFailedException(Object reason) {
		super("Task failed: " + reason, null, false, false);
		this.reason = reason;
	}

	/**
	 * Return an exception that, thrown from a task or an {@code assignAsync} function, ends it with
	 * {@link Outcome.Failed} and this reason.
	 * @param reason the error value
	 * @return the exception to throw
	 */
	public static TaskFailedException of(Object reason) {
		if (reason == null) {
			throw new IllegalArgumentException("A failure reason must not be null");
		}
		return new TaskFailedException(reason);
	}

	/**
	 * Return the error value.
	 * @return the reason
	 */
	public Object getReason() {
		return this.reason;
	}

}
