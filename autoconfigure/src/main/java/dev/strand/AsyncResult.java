package dev.strand;

import org.jspecify.annotations.Nullable;

/**
 * An immutable value that tells a template where an async operation stands, like LiveView's
 * {@code %AsyncResult{}}: {@code ok}, {@code loading} and {@code failed} live side by side, so a reload
 * can show the previous result while the next one loads.
 *
 * <p>The transitions keep LiveView's rules: {@link #toLoading()} keeps the previous result and
 * {@code ok}; {@link #toFailed(Failure)} keeps them too; {@link #toOk(Object)} sets the result.
 * Once {@code ok} is {@code true} it stays {@code true} until the value is replaced by a fresh one
 * (for example by {@code assignAsync} with {@code reset}).
 *
 * @param <T> the type of the result
 * @param ok whether a result has ever been set (sticky)
 * @param loading whether an operation is running
 * @param failed why the last operation did not succeed, or {@code null}
 * @param result the last successful result, or {@code null}
 * @param progress the running operation's latest progress, or {@code null}
 */
public record AsyncResult<T>(boolean ok, boolean loading, @Nullable Failure failed, @Nullable T result,
		@Nullable Progress progress) {

	private static final AsyncResult<?> IDLE = new AsyncResult<>(false, false, null, null, null);

	private static final AsyncResult<?> LOADING = new AsyncResult<>(false, true, null, null, null);

	/**
	 * Return a result for an operation that has not started.
	 * @param <T> the type of the result
	 * @return the idle result
	 */
	@SuppressWarnings("unchecked")
	public static <T> AsyncResult<T> idle() {
		return (AsyncResult<T>) IDLE;
	}

	/**
	 * Return a fresh result that is loading and has no previous result (LiveView's
	 * {@code AsyncResult.loading()}; Java does not allow that name beside the {@code loading} component).
	 * @param <T> the type of the result
	 * @return a loading result
	 */
	@SuppressWarnings("unchecked")
	public static <T> AsyncResult<T> pending() {
		return (AsyncResult<T>) LOADING;
	}

	/**
	 * Return a successful result.
	 * @param <T> the type of the result
	 * @param value the value
	 * @return an ok result
	 */
	public static <T> AsyncResult<T> ok(T value) {
		return new AsyncResult<>(true, false, null, value, null);
	}

	/**
	 * Return a failed result with no previous result.
	 * @param <T> the type of the result
	 * @param failure why it failed
	 * @return a failed result
	 */
	public static <T> AsyncResult<T> failed(Failure failure) {
		return new AsyncResult<>(false, false, failure, null, null);
	}

	/**
	 * Return this result marked as loading: the previous result and {@code ok} are kept, the failure and
	 * progress are cleared.
	 * @return a loading result
	 */
	public AsyncResult<T> toLoading() {
		return new AsyncResult<>(this.ok, true, null, this.result, null);
	}

	/**
	 * Return this result with a new successful value.
	 * @param value the value
	 * @return an ok result
	 */
	public AsyncResult<T> toOk(@Nullable T value) {
		return new AsyncResult<>(true, false, null, value, null);
	}

	/**
	 * Return this result marked as failed: the previous result and {@code ok} are kept.
	 * @param failure why it failed
	 * @return a failed result
	 */
	public AsyncResult<T> toFailed(Failure failure) {
		return new AsyncResult<>(this.ok, false, failure, this.result, null);
	}

	/**
	 * Return this result with the given progress.
	 * @param progress the latest progress
	 * @return a result with progress
	 */
	public AsyncResult<T> withProgress(Progress progress) {
		return new AsyncResult<>(this.ok, this.loading, this.failed, this.result, progress);
	}

	/**
	 * Whether nothing has started yet: not ok, not loading and not failed.
	 * @return whether this result is idle
	 */
	public boolean isIdle() {
		return !this.ok && !this.loading && this.failed == null;
	}

	/**
	 * Why an async operation did not produce a value, safe to show in a page: a {@code code} and a
	 * correlation {@code ref} that is also in the server log, never a raw exception.
	 *
	 * @param kind how the operation ended
	 * @param code a short machine-readable code: {@code failed}, {@code exit}, {@code timeout}, {@code rejected}
	 * (its executor refused it) or {@code cancelled}
	 * @param ref the correlation id logged with the full detail, or {@code null} for cancellations
	 * @param reason the error value a task failed with, or the {@link CancelReason}; {@code null} for
	 * exits
	 * @param detail for a cancellation, the reason the application gave
	 * {@link View#cancelAsync(String, Object)}, else {@code null}
	 */
	public record Failure(Outcome.Kind kind, String code, @Nullable String ref, @Nullable Object reason,
			@Nullable Object detail) {

		/**
		 * Create a failure without the application's cancel reason.
		 * @param kind how the operation ended
		 * @param code a short machine-readable code
		 * @param ref the correlation id, or {@code null}
		 * @param reason the error value or the {@link CancelReason}, or {@code null}
		 */
		public Failure(Outcome.Kind kind, String code, @Nullable String ref, @Nullable Object reason) {
			this(kind, code, ref, reason, null);
		}

		/**
		 * Return the failure that describes an outcome that is not {@link Outcome.Ok}.
		 * @param outcome the outcome
		 * @return the failure
		 * @throws IllegalArgumentException if the outcome is ok
		 */
		public static Failure of(Outcome<?> outcome) {
			return switch (outcome) {
				case Outcome.Ok<?> ok -> throw new IllegalArgumentException("An Ok outcome is not a failure");
				case Outcome.Failed<?> failed -> new Failure(Outcome.Kind.FAILED, "failed", failed.ref(), failed.reason());
				case Outcome.Exit<?> exit -> new Failure(Outcome.Kind.EXIT, exit.timedOut() ? "timeout" : exit.rejected() ? "rejected" : "exit", exit.ref(), null);
				case Outcome.Cancelled<?> cancelled ->
					new Failure(Outcome.Kind.CANCELLED, "cancelled", null, cancelled.reason(), cancelled.detail());
			};
		}

	}

}
