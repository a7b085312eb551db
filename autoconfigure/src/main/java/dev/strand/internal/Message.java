package dev.strand.internal;

import java.util.Map;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import dev.strand.CancelReason;
import dev.strand.Outcome;

/**
 * What comes into a tab: one of these at a time, from its mailbox, handled by one {@code switch} that ends
 * by flushing what changed.
 */
sealed interface Message {

	/**
	 * A turn for a web request's handler, held until the request ends it.
	 *
	 * @param model the model the opening request's assigns are also written to, or {@code null}
	 * @param granted receives the turn
	 */
	record Turn(@Nullable Map<String, Object> model, Consumer<Tab.PageTurn> granted) implements Message {
	}

	/**
	 * A stream attaches.
	 *
	 * @param lastEventId the last event its page has
	 * @param listener wakes the stream
	 * @param onSubscribed receives the subscription
	 */
	record Connect(long lastEventId, Runnable listener, Consumer<EventLog.Subscription> onSubscribed)
			implements Message {
	}

	/**
	 * A stream ended.
	 *
	 * @param subscription its subscription
	 */
	record Disconnect(EventLog.Subscription subscription) implements Message {
	}

	/**
	 * A task pushed a chunk.
	 *
	 * @param run the task's run
	 * @param chunk the chunk, for {@code @HandleChunk}
	 * @param event the chunk as it goes to the page; its room in the log is reserved
	 * @param bytes the room reserved: the chunk's JSON in UTF-8
	 */
	record Chunk(TaskRun run, Object chunk, WireEvent.Chunk event, int bytes) implements Message {
	}

	/**
	 * A task reported progress; the latest report is read from the run.
	 *
	 * @param run the task's run
	 */
	record Progress(TaskRun run) implements Message {
	}

	/**
	 * A task's single outcome was settled.
	 *
	 * @param run the task's run
	 * @param outcome the outcome
	 */
	record Ended(TaskRun run, Outcome<?> outcome) implements Message {
	}

	/**
	 * Close the tab.
	 *
	 * @param reason why its tasks are cancelled
	 */
	record Close(CancelReason reason) implements Message {
	}

	/** The tab's stream has not attached within the connect timeout. */
	record ConnectTimeout() implements Message {
	}

	/**
	 * The grace period after a stream ended is over.
	 *
	 * @param connection the connection it followed; a later one makes it stale
	 */
	record GraceOver(int connection) implements Message {
	}

}
