package dev.strand.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * The in-memory {@link EventLog}: a ring of the latest events, which grows up to its capacity. A keyed event
 * replaced before the stream sent it is marked superseded and skipped.
 */
public final class MemoryEventLog implements EventLog {

	/** Slots a new log starts with; it doubles, up to its capacity, whenever it would evict. */
	private static final int INITIAL_SLOTS = 16;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition sent = this.lock.newCondition();

	private final Json json;

	private final int capacity;

	private final int maxPending;

	private @Nullable Event[] ring;

	private final Map<String, Event> latestByKey = new HashMap<>();

	private long lastId;

	private @Nullable MemorySubscription subscription;

	/**
	 * Create a log.
	 * @param capacity the events kept for replay
	 * @param maxPending the events a stream may lag behind before {@link #awaitCapacity} blocks
	 * @param json writes the events' data
	 */
	public MemoryEventLog(int capacity, int maxPending, Json json) {
		this.capacity = capacity;
		this.maxPending = maxPending;
		this.json = json;
		this.ring = new Event[Math.min(capacity, INITIAL_SLOTS)];
	}

	@Override
	public long lastId() {
		this.lock.lock();
		try {
			return this.lastId;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public long append(WireEvent wireEvent) {
		String data = wireEvent.data(this.json);
		String key = wireEvent.coalescingKey();
		MemorySubscription notify;
		long id;
		this.lock.lock();
		try {
			id = ++this.lastId;
			Event event = new Event(new Entry(id, wireEvent.name(), data), key);
			long sentUpTo = (this.subscription != null) ? this.subscription.cursor : 0;
			if (key != null) {
				Event previous = this.latestByKey.put(key, event);
				if (previous != null && previous.entry.id() > sentUpTo) {
					previous.superseded = true;
				}
			}
			if (this.ring[(int) (id % this.ring.length)] != null && this.ring.length < this.capacity) {
				grow();
			}
			int slot = (int) (id % this.ring.length);
			Event evicted = this.ring[slot];
			this.ring[slot] = event;
			if (evicted != null) {
				if (this.subscription != null && evicted.entry.id() > this.subscription.cursor && !evicted.superseded) {
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
		return id;
	}

	/**
	 * Double the ring (up to the capacity), keeping every event: they are the latest ones, fewer than the new
	 * size, so their ids fall into distinct slots.
	 */
	private void grow() {
		@Nullable Event[] grown = new Event[(int) Math.min(this.capacity, 2L * this.ring.length)];
		for (Event kept : this.ring) {
			if (kept != null) {
				grown[(int) (kept.entry.id() % grown.length)] = kept;
			}
		}
		this.ring = grown;
	}

	@Override
	public Subscription subscribe(long lastEventId, Runnable listener) {
		MemorySubscription previous;
		MemorySubscription subscription;
		this.lock.lock();
		try {
			long oldest = Math.max(1, this.lastId - this.ring.length + 1);
			boolean missed = lastEventId > this.lastId || lastEventId + 1 < oldest;
			subscription = new MemorySubscription(missed ? this.lastId : lastEventId, missed, listener);
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

	@Override
	public boolean awaitCapacity(Duration timeout) throws InterruptedException {
		long nanos = timeout.toNanos();
		MemorySubscription lagging;
		this.lock.lockInterruptibly();
		try {
			while (this.subscription != null && this.lastId - this.subscription.cursor > this.maxPending) {
				if (nanos <= 0) {
					break;
				}
				nanos = this.sent.awaitNanos(nanos);
			}
			if (this.subscription == null || this.lastId - this.subscription.cursor <= this.maxPending) {
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

	@Override
	public void close() {
		MemorySubscription current;
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

	private @Nullable Entry next(MemorySubscription subscription) {
		this.lock.lock();
		try {
			if (subscription.replaced || subscription.overrun) {
				return null;
			}
			while (subscription.cursor < this.lastId) {
				long id = subscription.cursor + 1;
				Event event = this.ring[(int) (id % this.ring.length)];
				subscription.cursor = id;
				if (event != null && event.entry.id() == id && !event.superseded) {
					this.sent.signalAll();
					return event.entry;
				}
			}
			return null;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void unsubscribe(MemorySubscription subscription) {
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

	/** An event in the ring. */
	private static final class Event {

		final Entry entry;

		final @Nullable String key;

		volatile boolean superseded;

		Event(Entry entry, @Nullable String key) {
			this.entry = entry;
			this.key = key;
		}

	}

	private final class MemorySubscription implements Subscription {

		private volatile long cursor;

		private final boolean missed;

		private final Runnable listener;

		private volatile boolean closed;

		private volatile boolean replaced;

		private volatile boolean overrun;

		private MemorySubscription(long cursor, boolean missed, Runnable listener) {
			this.cursor = cursor;
			this.missed = missed;
			this.listener = listener;
		}

		@Override
		public boolean missed() {
			return this.missed;
		}

		@Override
		public @Nullable Entry next() {
			return MemoryEventLog.this.next(this);
		}

		@Override
		public boolean ended() {
			return this.closed || this.replaced || this.overrun;
		}

		@Override
		public boolean overrun() {
			return this.overrun;
		}

		@Override
		public void cancel() {
			MemoryEventLog.this.unsubscribe(this);
		}

	}

}
