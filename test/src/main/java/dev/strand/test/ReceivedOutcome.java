package dev.strand.test;

import java.util.Arrays;

import org.jspecify.annotations.Nullable;

import dev.strand.Outcome;

/**
 * A task's outcome as a {@link TestTab}'s stream received it: what the page learns, a kind and a code, never the
 * error itself (read that from the task's {@link dev.strand.AsyncResult} with {@link TestTab#asyncResult}, or
 * from your {@code @HandleAsync} method's effects).
 *
 * @param task the task's name; for an {@code assignAsync} task, its keys joined by commas, such as
 * {@code profile,rank}
 * @param kind how it ended
 * @param code for an outcome that is not ok: {@code failed}, {@code exit}, {@code timeout} or {@code cancelled}
 * @param ref the correlation id logged with the error, for a failed or crashed task
 * @param reason why it was cancelled, such as {@code requested} or {@code view-closed}
 */
public record ReceivedOutcome(String task, Outcome.Kind kind, @Nullable String code, @Nullable String ref,
		@Nullable String reason) {

	/**
	 * Whether this is the outcome of the task with this name, of the {@code assignAsync} task that loads this key,
	 * or of a task whose name starts with a pattern's prefix.
	 * @param nameOrKey a task name, an {@code assignAsync} key, or a prefix pattern ending in {@code *}, such as
	 * {@code worker-*}
	 * @return whether it is
	 */
	public boolean isOf(String nameOrKey) {
		if (nameOrKey.endsWith("*")) {
			return this.task.startsWith(nameOrKey.substring(0, nameOrKey.length() - 1));
		}
		return this.task.equals(nameOrKey) || Arrays.asList(this.task.split(",")).contains(nameOrKey);
	}

}
