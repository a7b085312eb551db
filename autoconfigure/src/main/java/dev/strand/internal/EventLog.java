package dev.strand.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * One view's outgoing events: numbered, kept in a bounded buffer for replay after a reconnect, and read by
 * at most one stream at a time through a {@link Subscription}. Events that carry a coalescing key (a
 * re-rendered element, a task's progress) replace an earlier one with the same key that the stream has not
 * sent yet, so a slow browser gets only the latest. Only the view's mailbox appends.
 */
public final class EventLog {

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition sent = this.lock.newCondition();

	/** Slots a new log starts with; it doubles, up to its capacity, whenever it would evict. */
	private static final int INITIAL_SLOTS = 16;

	private final int capacity;

	private @Nullable Event[] ring;

	private final Map<String, Event> latestByKey = new HashMap<>();

	private long lastId;

	private @Nullable Subscription subscription;

	EventLog(int capacity) {
		this.capacity = capacity;
		this.ring = new Event[Math.min(capacity, INITIAL_SLOTS)];
	}

	/**
	 * Return the id of the last event appended.
	 * @return the last id
	 */
	long lastId() {
		this.lock.lock();
		try {
			return this.lastId;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Append an event and wake the stream.
	 * @param type the event name
	 * @param data the JSON data
	 * @param key a coalescing key, or {@code null} for an event that must not be dropped
	 * @return the event's id
	 */
	long append(String type, String data, @Nullable String key) {
		if (!isEventName(type)) {
			throw new IllegalArgumentException("An event name must be lower-case letters only, but was '" + type + "'");
		}
		Subscription notify;
		this.lock.lock();
		try {
			Event event = new Event(++this.lastId, type, data, key);
			long sentUpTo = (this.subscription != null) ? this.subscription.cursor : 0;
			if (key != null) {
				Event previous = this.latestByKey.put(key, event);
				if (previous != null && previous.id > sentUpTo) {
					previous.superseded = true;
				}
			}
			if (this.ring[(int) (event.id % this.ring.length)] != null && this.ring.length < this.capacity) {
				grow();
			}
			int slot = (int) (event.id % this.ring.length);
			Event evicted = this.ring[slot];
			this.ring[slot] = event;
			if (evicted != null) {
				if (this.subscription != null && evicted.id > this.subscription.cursor && !evicted.superseded) {
					this.subscription.overrun = true;
				}
				if (evicted.key != null) {
					this.latestByKey.remove(evicted.key, evicted);
				}
			}
			notify = this.subscription;
		}
		finally {
			this.lock.unlock();
		}
		if (notify != null) {
			notify.listener.run();
		}
		return this.lastId;
	}

	private static boolean isEventName(String type) {
		for (int i = 0; i < type.length(); i++) {
			char c = type.charAt(i);
			if (c < 'a' || c > 'z') {
				return false;
			}
		}
		return !type.isEmpty();
	}

	/**
	 * Double the ring (up to the capacity), keeping every event: they are the latest ones, fewer than the
	 * new size, so their ids fall into distinct slots.
	 */
	private void grow() {
		@Nullable Event[] grown = new Event[(int) Math.min(this.capacity, 2L * this.ring.length)];
		for (Event kept : this.ring) {
			if (kept != null) {
				grown[(int) (kept.id % grown.length)] = kept;
			}
		}
		this.ring = grown;
	}

	/**
	 * Attach a stream that has seen every event up to {@code lastEventId}, detaching any earlier one.
	 * @param lastEventId the last event the browser has
	 * @param listener called (on any thread) when there is something to read
	 * @return the subscription
	 */
	Subscription subscribe(long lastEventId, Runnable listener) {
		Subscription previous;
		Subscription subscription;
		this.lock.lock();
		try {
			long oldest = Math.max(1, this.lastId - this.ring.length + 1);
			boolean missed = lastEventId > this.lastId || lastEventId + 1 < oldest;
			subscription = new Subscription(missed ? this.lastId : lastEventId, missed, listener);
			previous = this.subscription;
			this.subscription = subscription;
			this.sent.signalAll();
		}
		finally {
			this.lock.unlock();
		}
		if (previous != null) {
			previous.replaced = true;
			previous.listener.run();
		}
		return subscription;
	}

	/**
	 * Block while the attached stream is more than {@code maxPending} events behind.
	 * @param maxPending the events a stream may lag behind
	 * @param timeout how long to wait
	 * @return {@code false} if the stream still lags after the timeout (it has then been detached)
	 * @throws InterruptedException if interrupted while waiting
	 */
	boolean awaitCapacity(int maxPending, Duration timeout) throws InterruptedException {
		long nanos = timeout.toNanos();
		Subscription lagging;
		this.lock.lockInterruptibly();
		try {
			while (this.subscription != null && this.lastId - this.subscription.cursor > maxPending) {
				if (nanos <= 0) {
					break;
				}
				nanos = this.sent.awaitNanos(nanos);
			}
			if (this.subscription == null || this.lastId - this.subscription.cursor <= maxPending) {
				return true;
			}
			lagging = this.subscription;
			lagging.overrun = true;
		}
		finally {
			this.lock.unlock();
		}
		lagging.listener.run();
		return false;
	}

	/**
	 * Detach the stream and wake it so it completes.
	 */
	void close() {
		Subscription current;
		this.lock.lock();
		try {
			current = this.subscription;
			this.subscription = null;
			this.sent.signalAll();
		}
		finally {
			this.lock.unlock();
		}
		if (current != null) {
			current.closed = true;
			current.listener.run();
		}
	}

	private @Nullable Event next(Subscription subscription) {
		this.lock.lock();
		try {
			if (subscription.replaced || subscription.overrun) {
				return null;
			}
			while (subscription.cursor < this.lastId) {
				long id = subscription.cursor + 1;
				Event event = this.ring[(int) (id % this.ring.length)];
				subscription.cursor = id;
				if (event != null && event.id == id && !event.superseded) {
					this.sent.signalAll();
					return event;
				}
			}
			return null;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void unsubscribe(Subscription subscription) {
		this.lock.lock();
		try {
			if (this.subscription == subscription) {
				this.subscription = null;
				this.sent.signalAll();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** An event as sent over the stream. */
	public static final class Event {

		final long id;

		final String type;

		final String data;

		final @Nullable String key;

		volatile boolean superseded;

		Event(long id, String type, String data, @Nullable String key) {
			this.id = id;
			this.type = type;
			this.data = data;
			this.key = key;
		}

		public long id() {
			return this.id;
		}

		public String type() {
			return this.type;
		}

		public String data() {
			return this.data;
		}

	}

	/** One stream's position in the log. */
	public final class Subscription {

		private volatile long cursor;

		private final boolean missed;

		private final Runnable listener;

		private volatile boolean closed;

		private volatile boolean replaced;

		private volatile boolean overrun;

		private Subscription(long cursor, boolean missed, Runnable listener) {
			this.cursor = cursor;
			this.missed = missed;
			this.listener = listener;
		}

		/**
		 * Whether the browser missed events that are no longer buffered, so it needs a full re-render.
		 * @return whether a reset is needed
		 */
		public boolean missed() {
			return this.missed;
		}

		/**
		 * Return the next event to send, or {@code null} if there is none yet.
		 * @return the event
		 */
		public @Nullable Event next() {
			return EventLog.this.next(this);
		}

		/**
		 * Whether the stream must end once {@link #next()} has nothing more: the view closed, another stream
		 * took over, or this one fell too far behind (the browser then reconnects and resynchronises).
		 * @return whether it must end
		 */
		public boolean ended() {
			return this.closed || this.replaced || this.overrun;
		}

		/**
		 * Whether the stream fell too far behind.
		 * @return whether it was overrun
		 */
		public boolean overrun() {
			return this.overrun;
		}

		/** Detach this stream. */
		public void cancel() {
			EventLog.this.unsubscribe(this);
		}

	}

}
