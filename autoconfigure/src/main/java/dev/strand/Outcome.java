package dev.strand;

import java.util.concurrent.RejectedExecutionException;

import org.jspecify.annotations.Nullable;

/**
 * How a task ended: exactly one outcome is reported for every task, even when a cancel races its
 * completion.
 *
 * @param <T> the type of the task's value
 */
public sealed interface Outcome<T> permits Outcome.Ok, Outcome.Failed, Outcome.Exit, Outcome.Cancelled {

	/**
	 * Return the kind of this outcome.
	 * @return the kind
	 */
	Kind kind();

	/**
	 * The task returned normally.
	 *
	 * @param <T> the type of the value
	 * @param value what it returned
	 */
	record Ok<T>(@Nullable T value) implements Outcome<T> {

		@Override
		public Kind kind() {
			return Kind.OK;
		}

	}

	/**
	 * The task reported an error value with {@link TaskContext#fail(Object)} (LiveView's
	 * {@code {:error, reason}}).
	 *
	 * @param <T> the type of the task's value
	 * @param reason the error value
	 * @param ref the correlation id in the log
	 */
	record Failed<T>(Object reason, String ref) implements Outcome<T> {

		@Override
		public Kind kind() {
			return Kind.FAILED;
		}

	}

	/**
	 * The task threw, timed out, was refused by its executor or its thread died (LiveView's
	 * {@code {:exit, reason}}).
	 *
	 * @param <T> the type of the task's value
	 * @param error what it threw; a {@link TaskTimeoutException} when it timed out, a
	 * {@link RejectedExecutionException} when its executor refused it
	 * @param ref the correlation id in the log
	 */
	record Exit<T>(Throwable error, String ref) implements Outcome<T> {

		/**
		 * Whether the task was stopped because it ran past its timeout.
		 * @return whether it timed out
		 */
		public boolean timedOut() {
			return this.error instanceof TaskTimeoutException;
		}

		/**
		 * Whether the task never ran because its executor refused it: it was saturated or shut down.
		 * @return whether it was refused
		 */
		public boolean rejected() {
			return this.error instanceof RejectedExecutionException;
		}

		@Override
		public Kind kind() {
			return Kind.EXIT;
		}

	}

	/**
	 * The task was cancelled before it ended.
	 *
	 * @param <T> the type of the task's value
	 * @param reason why, in Strand's terms
	 * @param detail why, in the application's terms: the reason given to
	 * {@link View#cancelAsync(String, Object)} (LiveView's {@code cancel_async(socket, key, reason)}), or
	 * {@code null}; it never reaches the browser unless the application puts it in the page
	 */
	record Cancelled<T>(CancelReason reason, @Nullable Object detail) implements Outcome<T> {

		/**
		 * Create an outcome cancelled without the application's reason.
		 * @param reason why, in Strand's terms
		 */
		public Cancelled(CancelReason reason) {
			this(reason, null);
		}

		@Override
		public Kind kind() {
			return Kind.CANCELLED;
		}

	}

	/** The kinds of outcome, as used in metrics tags and on the wire. */
	enum Kind {

		/** See {@link Ok}. */
		OK,
		/** See {@link Failed}. */
		FAILED,
		/** See {@link Exit}. */
		EXIT,
		/** See {@link Cancelled}. */
		CANCELLED;

		/**
		 * Return the lower-case name used in metrics tags and SSE events.
		 * @return the tag value
		 */
		public String tag() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

}
