package dev.strand.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What one tab holds at one moment, read on its mailbox between two messages: for test support and tools, which
 * must not change a tab. Its assigns are the values themselves, not copies: {@code AsyncResult}s and the
 * application's own values are meant to be immutable.
 *
 * @param id the tab's id
 * @param connected whether its stream is attached
 * @param closed whether it has closed
 * @param lastEventId the id of the last event in its log: everything it has sent up to this moment
 * @param assigns its assigns, in the order they were first set
 * @param flashes its flash messages, by kind
 * @param tasks its tasks whose outcome it has not yet taken in
 */
public record TabSnapshot(String id, boolean connected, boolean closed, long lastEventId,
		Map<String, @Nullable Object> assigns, Map<String, String> flashes, List<Task> tasks) {

	public TabSnapshot {
		assigns = Collections.unmodifiableMap(new LinkedHashMap<>(assigns));
		flashes = Collections.unmodifiableMap(new LinkedHashMap<>(flashes));
		tasks = List.copyOf(tasks);
	}

	/**
	 * A task whose outcome the tab has not yet taken in.
	 *
	 * @param name its name: a {@code startAsync} name, or an {@code assignAsync} run's keys joined by commas
	 * @param keys the keys an {@code assignAsync} run loads, or none
	 * @param state where it stands
	 */
	public record Task(String name, Set<String> keys, State state) {

		/**
		 * Whether this task has this name or loads this key.
		 * @param nameOrKey a task name or an {@code assignAsync} key
		 * @return whether it matches
		 */
		public boolean matches(String nameOrKey) {
			return this.name.equals(nameOrKey) || this.keys.contains(nameOrKey);
		}

	}

	/** Where a task stands. */
	public enum State {

		/** Started before the tab's stream first attached: it runs once it does. */
		WAITING,
		/** Its body runs. */
		RUNNING,
		/** It has its outcome (cancelled, timed out, or just ended), which the tab is about to take in. */
		ENDING

	}

}
