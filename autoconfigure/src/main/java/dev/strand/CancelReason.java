package dev.strand;

import java.util.Locale;

/** Why a task was cancelled. */
public enum CancelReason {

	/**
	 * {@link View#cancelAsync(String)} was called, or {@link View#cancelAsync(String, Object)} with the
	 * application's own reason, which the outcome carries as {@link Outcome.Cancelled#detail()}.
	 */
	REQUESTED,

	/** A later start with the same name replaced it. */
	REPLACED,

	/** Its tab went away: the stream closed and did not come back within the grace period. */
	VIEW_CLOSED,

	/** Its session was invalidated or expired. */
	SESSION_ENDED,

	/** The application is shutting down. */
	SHUTDOWN;

	/**
	 * Return the lower-case, hyphenated name used on the wire.
	 * @return the code
	 */
	public String code() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
