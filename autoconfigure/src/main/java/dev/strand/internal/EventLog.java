package dev.strand.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * One tab's outgoing events, with the contract of a Redis Stream: append an event with the next id
 * (bounded), read from an id, and be told when there is more. Only the tab's mailbox appends; at most one
 * stream reads at a time, through a {@link Subscription}. A keyed event that a later one with the same key
 * replaces before the stream sends it may be skipped (a slow browser gets only the latest progress or
 * render), but no other event is ever skipped: a stream that falls behind what is kept ends, and its browser
 * reconnects and gets a {@link WireEvent.Reset}.
 */
public interface EventLog {

	/**
	 * Append an event and wake the stream.
	 * @param event the event
	 * @return its id, one more than the previous one
	 */
	long append(WireEvent event);

	/**
	 * Return the id of the last event appended, or {@code 0}.
	 * @return the last id
	 */
	long lastId();

	/**
	 * Attach a stream that has every event up to {@code lastEventId}, ending any earlier one.
	 * @param lastEventId the last event the browser has
	 * @param listener called, on any thread, when there is something to read or the stream must end
	 * @return the subscription
	 */
	Subscription subscribe(long lastEventId, Runnable listener);

	/**
	 * Reserve room for a chunk a task is about to send, blocking while the backlog (events not yet read by a
	 * stream, attached or not, and chunks reserved but not yet appended) is too long, up to a timeout. The
	 * reservation is taken either way, and must be given back with {@link #release}.
	 * @param bytes the chunk's size
	 * @param timeout how long to wait
	 * @return {@code false} if the backlog was still too long after the timeout: an attached stream has then
	 * been ended, so that its browser resynchronises
	 * @throws InterruptedException if interrupted while waiting (nothing is reserved then)
	 */
	boolean reserve(int bytes, Duration timeout) throws InterruptedException;

	/**
	 * Give back a reservation, once its chunk has been appended or dropped.
	 * @param bytes the size it was reserved with
	 */
	void release(int bytes);

	/**
	 * End the stream for good: the tab has closed. What its stream has read is dropped, as no browser comes back
	 * for it: a stream reads what it has not read yet, then ends, and a late one that asks for older events gets
	 * the last one, the close.
	 */
	void close();

	/**
	 * An event as sent: its id, SSE name and JSON data, as the UTF-8 bytes the log keeps and a stream writes (a
	 * stream never needs the data as text).
	 *
	 * @param id the id
	 * @param name the SSE event name
	 * @param utf8 the JSON data, as UTF-8; not to be changed
	 */
	record Entry(long id, String name, byte[] utf8) {

		/**
		 * Create an entry from its data as text.
		 * @param id the id
		 * @param name the SSE event name
		 * @param data the JSON data
		 */
		public Entry(long id, String name, String data) {
			this(id, name, data.getBytes(StandardCharsets.UTF_8));
		}

		/**
		 * Return the data as text.
		 * @return the JSON data
		 */
		public String data() {
			return new String(this.utf8, StandardCharsets.UTF_8);
		}

	}

	/** One stream's position in the log. */
	interface Subscription {

		/**
		 * Whether the browser missed events that are no longer kept, so that it needs a full re-render.
		 * @return whether a reset is needed
		 */
		boolean missed();

		/**
		 * Return the next event to send, or {@code null} if there is none yet.
		 * @return the event
		 */
		@Nullable Entry next();

		/**
		 * Whether the stream must end once {@link #next()} has nothing more: the tab closed, another stream
		 * took over, or this one fell too far behind.
		 * @return whether it must end
		 */
		boolean ended();

		/**
		 * Whether the stream fell so far behind that it must end at once, without sending what is left.
		 * @return whether it was overrun
		 */
		boolean overrun();

		/** Detach this stream. */
		void cancel();

	}

}
