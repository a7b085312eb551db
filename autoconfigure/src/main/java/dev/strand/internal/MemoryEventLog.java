package dev.strand.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * The in-memory {@link EventLog}: the latest events in a ring that keeps at most a number of events and a
 * number of bytes of data (always the newest event, however large), and grows up to its capacity as events
 * come. A keyed event replaced before the stream read it is marked superseded and skipped. The log knows how
 * far its stream has read, even while none is attached, so that {@link #reserve} holds a task back
 * whenever the backlog is too long, connected or not.
 */
public final class MemoryEventLog implements EventLog {

	/** Slots a new log starts with; it doubles, up to its capacity, whenever it is full. */
	private static final int INITIAL_SLOTS = 16;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition read = this.lock.newCondition();

	private final Json json;

	private final Limits limits;

	private final Copier copier;

	private @Nullable Event[] ring;

	private final Map<String, Event> latestByKey = new HashMap<>();

	/** The id of the oldest event kept; {@code lastId + 1} when none is. */
	private long oldestId = 1;

	private long lastId;

	/** The bytes of data of the events kept. */
	private long retainedBytes;

	/** The bytes of data of every event ever appended, which is where the next one ends. */
	private long appendedBytes;

	/** How far the stream has read: the last id it passed, and where that event ended. */
	private long readId;

	private long readEnd;

	/** Chunks reserved by tasks and not yet appended (or dropped): their number and bytes. */
	private int reservedEvents;

	private long reservedBytes;

	private boolean closed;

	private @Nullable MemorySubscription subscription;

	/**
	 * Create a log.
	 * @param limits what it keeps, and the backlog past which {@link #reserve} blocks
	 * @param json writes the events' data
	 */
	public MemoryEventLog(Limits limits, Json json) {
		this(limits, json, Copier.NONE);
	}

	/**
	 * Create a log whose events are also copied elsewhere, such as to a shared store that other servers read.
	 * @param limits what it keeps, and the backlog past which {@link #reserve} blocks
	 * @param json writes the events' data
	 * @param copier told of every event, in order, on the appending thread
	 */
	public MemoryEventLog(Limits limits, Json json, Copier copier) {
		this.limits = limits;
		this.json = json;
		this.copier = copier;
		this.ring = new Event[Math.min(limits.events(), INITIAL_SLOTS)];
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

	/**
	 * Return the bytes of data of the events kept.
	 * @return the bytes kept
	 */
	public long retainedBytes() {
		this.lock.lock();
		try {
			return this.retainedBytes;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Move the cursor of a stream that reads elsewhere (from a copy of this log) up to an id it has sent, as
	 * {@link Subscription#next()} would have: room for pushes frees up.
	 * @param subscription the stream's subscription
	 * @param upTo the last id it has sent
	 */
	public void acknowledge(Subscription subscription, long upTo) {
		this.lock.lock();
		try {
			if (subscription == this.subscription && upTo > this.readId && upTo <= this.lastId) {
				this.readId = upTo;
				this.readEnd = endOf(upTo);
				this.read.signalAll();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return where a stream starts: the id of the last event it does not send (for a stream that missed events,
	 * the last one appended before it subscribed).
	 * @param subscription the stream's subscription, from this log
	 * @return the id
	 */
	public long startOf(Subscription subscription) {
		return ((MemorySubscription) subscription).start;
	}

	@Override
	public long append(WireEvent wireEvent) {
		String data = wireEvent.data(this.json);
		String key = wireEvent.coalescingKey();
		MemorySubscription notify;
		long id;
		Entry entry;
		long oldest;
		this.lock.lock();
		try {
			id = ++this.lastId;
			this.appendedBytes += data.length();
			entry = new Entry(id, wireEvent.name(), data);
			Event event = new Event(entry, key, this.appendedBytes);
			if (key != null) {
				Event previous = this.latestByKey.put(key, event);
				if (previous != null && previous.entry.id() > this.readId) {
					previous.superseded = true;
				}
			}
			if (count() == this.ring.length) {
				if (this.ring.length < this.limits.events()) {
					grow();
				}
				else {
					evictOldest();
				}
			}
			while (count() > 0 && this.retainedBytes + data.length() > this.limits.bytes()) {
				evictOldest();
			}
			this.ring[slot(id)] = event;
			this.retainedBytes += data.length();
			oldest = this.oldestId;
			notify = this.subscription;
		}
		finally {
			this.lock.unlock();
		}
		this.copier.appended(entry, key, oldest);
		if (notify != null) {
			notify.listener.run();
		}
		return id;
	}

	private int count() {
		return (int) (this.lastId - this.oldestId); // the event being appended has its id but is not in yet
	}

	private int slot(long id) {
		return (int) (id % this.ring.length);
	}

	private void evictOldest() {
		int slot = slot(this.oldestId);
		Event evicted = this.ring[slot];
		this.ring[slot] = null;
		this.oldestId++;
		if (evicted == null) {
			return;
		}
		this.retainedBytes -= evicted.entry.data().length();
		if (evicted.entry.id() > this.readId && !evicted.superseded && this.subscription != null) {
			this.subscription.overrun = true; // it would skip an event: it ends, and its browser resynchronises
		}
		if (evicted.key != null) {
			this.latestByKey.remove(evicted.key, evicted);
		}
	}

	/**
	 * Double the ring (up to the capacity), keeping every event: they are fewer than the new size, so their
	 * ids fall into distinct slots.
	 */
	private void grow() {
		@Nullable Event[] grown = new Event[(int) Math.min(this.limits.events(), 2L * this.ring.length)];
		for (Event kept : this.ring) {
			if (kept != null) {
				grown[(int) (kept.entry.id() % grown.length)] = kept;
			}
		}
		this.ring = grown;
	}

	/** Where the event with this id ends (the bytes appended up to it); the id is at most the last one. */
	private long endOf(long id) {
		if (id >= this.oldestId && id <= this.lastId && this.ring[slot(id)] != null) {
			return this.ring[slot(id)].end;
		}
		Event oldest = (this.oldestId <= this.lastId) ? this.ring[slot(this.oldestId)] : null;
		return (oldest != null) ? oldest.end - oldest.entry.data().length() : this.appendedBytes;
	}

	@Override
	public Subscription subscribe(long lastEventId, Runnable listener) {
		MemorySubscription previous;
		MemorySubscription subscription;
		this.lock.lock();
		try {
			boolean missed = lastEventId > this.lastId || lastEventId + 1 < this.oldestId;
			long start = missed ? this.lastId : lastEventId;
			if (missed && this.closed && this.lastId >= this.oldestId) {
				start = this.lastId - 1; // a closed log still gives a late stream its last event: the close, saying why
			}
			this.readId = start;
			this.readEnd = (start == this.lastId) ? this.appendedBytes : endOf(start);
			subscription = new MemorySubscription(missed, listener, this.readId);
			subscription.closed = this.closed; // it ends once it has read what is left
			previous = this.subscription;
			this.subscription = subscription;
			this.read.signalAll();
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

	/** Whether one more chunk of this size would make the backlog too long. */
	private boolean noRoomFor(int bytes) {
		return this.lastId - this.readId + this.reservedEvents + 1 > this.limits.pendingEvents()
				|| this.appendedBytes - this.readEnd + this.reservedBytes + bytes > this.limits.pendingBytes();
	}

	@Override
	public boolean reserve(int bytes, Duration timeout) throws InterruptedException {
		long nanos = timeout.toNanos();
		MemorySubscription lagging = null;
		boolean room;
		this.lock.lockInterruptibly();
		try {
			while (!this.closed && noRoomFor(bytes) && nanos > 0) {
				nanos = this.read.awaitNanos(nanos);
			}
			room = this.closed || !noRoomFor(bytes);
			if (!room && this.subscription != null) {
				lagging = this.subscription;
				lagging.overrun = true;
			}
			this.reservedEvents++;
			this.reservedBytes += bytes;
		}
		finally {
			this.lock.unlock();
		}
		if (lagging != null) {
			lagging.listener.run();
		}
		return room;
	}

	@Override
	public void release(int bytes) {
		this.lock.lock();
		try {
			this.reservedEvents--;
			this.reservedBytes -= bytes;
			this.read.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void close() {
		MemorySubscription current;
		this.lock.lock();
		try {
			this.closed = true;
			current = this.subscription;
			this.subscription = null;
			this.read.signalAll();
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
			if (subscription != this.subscription || subscription.overrun) {
				return null;
			}
			while (this.readId < this.lastId) {
				long id = ++this.readId;
				Event event = (id >= this.oldestId) ? this.ring[slot(id)] : null;
				if (event != null) {
					this.readEnd = event.end;
					if (!event.superseded) {
						this.read.signalAll();
						return event.entry;
					}
				}
			}
			this.read.signalAll();
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
				this.read.signalAll();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Copies a log's events elsewhere, in order. */
	public interface Copier {

		/** A copier that copies nothing. */
		Copier NONE = (entry, key, oldestId) -> {
		};

		/**
		 * An event was appended.
		 * @param entry the event
		 * @param key its coalescing key, or {@code null}
		 * @param oldestId the id of the oldest event the log still keeps: a copy need keep none older
		 */
		void appended(Entry entry, @Nullable String key, long oldestId);

	}

	/**
	 * What a log keeps, and the backlog past which a task's push waits.
	 *
	 * @param events the events kept for replay
	 * @param bytes the bytes of data kept for replay; the newest event is kept whatever its size
	 * @param pendingEvents the events the stream may lag behind
	 * @param pendingBytes the bytes of data the stream may lag behind
	 */
	public record Limits(int events, long bytes, int pendingEvents, long pendingBytes) {
	}

	/** An event in the ring. */
	private static final class Event {

		final Entry entry;

		final @Nullable String key;

		/** The bytes appended up to and including this event. */
		final long end;

		boolean superseded;

		Event(Entry entry, @Nullable String key, long end) {
			this.entry = entry;
			this.key = key;
			this.end = end;
		}

	}

	private final class MemorySubscription implements Subscription {

		private final boolean missed;

		private final Runnable listener;

		private volatile boolean closed;

		private volatile boolean replaced;

		private volatile boolean overrun;

		/** The id of the last event this subscription does not send: it starts after it. */
		private final long start;

		private MemorySubscription(boolean missed, Runnable listener, long start) {
			this.missed = missed;
			this.listener = listener;
			this.start = start;
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
