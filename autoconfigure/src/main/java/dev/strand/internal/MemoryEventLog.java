package dev.strand.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * The in-memory {@link EventLog}: the latest events in a ring that keeps at most a number of events and a
 * number of bytes of data (always the newest event, however large), and grows up to its capacity as events
 * come. A keyed event replaced before the stream read it is marked superseded and skipped. The log knows how
 * far its stream has read, even while none is attached, so that {@link #reserve} holds a task back
 * whenever the backlog is too long, connected or not.
 * <p>
 * The ring holds no object per event: each event's data is kept as UTF-8 in one circular byte buffer, and its
 * id's slot in arrays of numbers says where it ends, how long it is, its name and whether it was superseded.
 * An event lives in the ring for seconds or minutes; kept as objects, the events of many busy tabs are what
 * the garbage collector would copy and promote, again and again. An {@link Entry} is made when it is read.
 */
public final class MemoryEventLog implements EventLog {

	/** Slots a new log starts with; it doubles, up to its capacity, whenever it is full. */
	private static final int INITIAL_SLOTS = 4;

	/** Every event name any log has seen, so that a slot keeps a small number rather than a reference. */
	private static final List<String> NAMES = new CopyOnWriteArrayList<>();

	/** The bit of a slot's shape that says a later event with its key replaced it before it was read. */
	private static final long SUPERSEDED = 1;

	private static final VarHandle LAST_ID;

	static {
		try {
			LAST_ID = MethodHandles.lookup().findVarHandle(MemoryEventLog.class, "lastId", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition read = this.lock.newCondition();

	private final Json json;

	private final Limits limits;

	private final Copier copier;

	/**
	 * Two numbers by slot ({@code id % slots}), side by side so that an event's are read and written together:
	 * where its data ends, in bytes appended since the log began ({@link #end}), and its shape: its data length in
	 * bytes, its name's index in {@link #NAMES}, and whether it was superseded ({@link #shape}).
	 */
	private long[] slots;

	/** By slot: the event's coalescing key, if any; made with the first keyed event. */
	private @Nullable String @Nullable [] keys;

	/** The data of the events kept, as UTF-8. */
	private final ByteRing data;

	/**
	 * The latest event appended with a key, by key; made by the first such event. Its entry is updated in place,
	 * and its key is the one instance the slots hold: an event kept for long holds no key or id of its own, which
	 * the collector would copy and promote.
	 */
	private @Nullable Map<String, Latest> latestByKey;

	/** The id of the oldest event kept; {@code lastId + 1} when none is. */
	private long oldestId = 1;

	/** Written under the lock, and released, so that a stream may see without it that it has read everything. */
	private long lastId;

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
		this.data = new ByteRing(limits.bytes(), limits.buffers());
		int slots = Math.min(limits.events(), INITIAL_SLOTS);
		this.slots = new long[2 * slots];
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
			return this.data.kept();
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
		String text = wireEvent.data(this.json);
		byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
		int length = utf8.length;
		String key = wireEvent.coalescingKey();
		int name = nameIndex(wireEvent.name());
		MemorySubscription notify;
		long id;
		long oldest;
		this.lock.lock();
		try {
			id = this.lastId + 1;
			LAST_ID.setRelease(this, id);
			if (count() == slotCount()) {
				if (slotCount() < this.limits.events()) {
					growSlots();
				}
				else {
					evictOldest();
				}
			}
			long room = this.data.limit(length); // the replay budget, or less when the server's is spent
			while (count() > 0 && this.data.kept() + length > room) {
				evictOldest();
			}
			int slot = slot(id);
			this.slots[2 * slot] = this.data.add(utf8);
			this.slots[2 * slot + 1] = shape(length, name);
			if (key != null) {
				if (this.latestByKey == null) {
					this.latestByKey = new HashMap<>();
				}
				Latest latest = this.latestByKey.get(key);
				if (latest == null) {
					latest = new Latest(key);
					this.latestByKey.put(key, latest);
				}
				else if (latest.id > this.readId && latest.id >= this.oldestId) {
					this.slots[2 * slot(latest.id) + 1] |= SUPERSEDED;
				}
				latest.id = id;
				key = latest.key;
			}
			if (key != null || this.keys != null) {
				keys()[slot] = key;
			}
			oldest = this.oldestId;
			notify = this.subscription;
		}
		finally {
			this.lock.unlock();
		}
		if (this.copier != Copier.NONE) {
			this.copier.appended(new Entry(id, wireEvent.name(), utf8), key, oldest);
		}
		if (notify != null) {
			notify.listener.run();
		}
		return id;
	}

	private static int nameIndex(String name) {
		int index = NAMES.indexOf(name);
		if (index < 0) {
			synchronized (NAMES) {
				index = NAMES.indexOf(name);
				if (index < 0) {
					NAMES.add(name);
					index = NAMES.size() - 1;
				}
			}
		}
		return index;
	}

	/** A slot's length, name and superseded flag ({@link #SUPERSEDED}) in one number. */
	private static long shape(int length, int name) {
		return ((long) length << 17) | ((long) name << 1);
	}

	private int length(int slot) {
		return (int) (this.slots[2 * slot + 1] >>> 17);
	}

	private int name(int slot) {
		return (int) (this.slots[2 * slot + 1] >>> 1) & 0xFFFF;
	}

	private boolean superseded(int slot) {
		return (this.slots[2 * slot + 1] & SUPERSEDED) != 0;
	}

	private @Nullable String[] keys() {
		if (this.keys == null) {
			this.keys = new String[slotCount()];
		}
		return this.keys;
	}

	private int count() {
		return (int) (this.lastId - this.oldestId); // the event being appended has its id but is not in yet
	}

	private int slot(long id) {
		return (int) (id % slotCount());
	}

	private int slotCount() {
		return this.slots.length >> 1;
	}

	/** Where the event in a slot ends: the bytes appended up to it. */
	private long end(int slot) {
		return this.slots[2 * slot];
	}

	private void evictOldest() {
		int slot = slot(this.oldestId);
		long id = this.oldestId++;
		this.data.drop(length(slot));
		if (id > this.readId && !superseded(slot) && this.subscription != null) {
			this.subscription.overrun = true; // it would skip an event: it ends, and its browser resynchronises
		}
		String key = (this.keys != null) ? this.keys[slot] : null;
		if (key != null) {
			this.keys[slot] = null;
			Map<String, Latest> latestByKey = Objects.requireNonNull(this.latestByKey); // made by the event's append
			if (latestByKey.get(key) instanceof Latest latest && latest.id == id) {
				latestByKey.remove(key);
			}
		}
	}

	/** The latest event with a key: the key's one instance in the log, and the event's id. */
	private static final class Latest {

		final String key;

		long id;

		Latest(String key) {
			this.key = key;
		}

	}

	/**
	 * Double the slots (up to the capacity), keeping every event: they are fewer than the new size, so their
	 * ids fall into distinct slots.
	 */
	private void growSlots() {
		int size = (int) Math.min(this.limits.events(), 2L * slotCount());
		long[] slots = new long[2 * size];
		@Nullable String[] keys = (this.keys != null) ? new String[size] : null;
		for (long id = this.oldestId; id < this.lastId; id++) {
			int from = slot(id);
			int to = (int) (id % size);
			slots[2 * to] = this.slots[2 * from];
			slots[2 * to + 1] = this.slots[2 * from + 1];
			if (keys != null) {
				keys[to] = this.keys[from];
			}
		}
		this.slots = slots;
		this.keys = keys;
	}

	/** The kept event in a slot, as an entry. */
	private Entry entry(long id, int slot) {
		return new Entry(id, NAMES.get(name(slot)), this.data.bytes(end(slot), length(slot)));
	}

	/** Where the event with this id ends (the bytes appended up to it); the id is at most the last one. */
	private long endOf(long id) {
		if (id >= this.oldestId && id <= this.lastId) {
			return end(slot(id));
		}
		return this.data.end() - this.data.kept(); // where the oldest kept one starts
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
			this.readEnd = (start == this.lastId) ? this.data.end() : endOf(start);
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
				|| this.data.end() - this.readEnd + this.reservedBytes + bytes > this.limits.pendingBytes();
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
			while (this.oldestId <= this.readId && this.oldestId < this.lastId) {
				evictOldest(); // read: its bytes would move onto the heap for nobody (a closed tab is looked up as gone)
			}
			this.data.release();
			current = this.subscription; // it stays attached: it reads what it has not read yet, then ends
			if (current != null) {
				current.closed = true;
			}
			this.read.signalAll();
		}
		finally {
			this.lock.unlock();
		}
		if (current != null) {
			current.listener.run();
		}
	}

	private @Nullable Entry next(MemorySubscription subscription) {
		if ((long) LAST_ID.getAcquire(this) == subscription.readUpTo) {
			return null; // nothing appended since it last read: the lock is left to the tasks
		}
		this.lock.lock();
		try {
			if (subscription != this.subscription || subscription.overrun) {
				return null;
			}
			while (this.readId < this.lastId) {
				long id = ++this.readId;
				if (id >= this.oldestId) {
					int slot = slot(id);
					this.readEnd = end(slot);
					if (!superseded(slot)) {
						subscription.readUpTo = id;
						this.read.signalAll();
						return entry(id, slot);
					}
				}
			}
			subscription.readUpTo = this.readId;
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
	 * @param buffers the budget the log's ring shares with every other ring of the server
	 */
	public record Limits(int events, long bytes, int pendingEvents, long pendingBytes, BufferBudget buffers) {

		/**
		 * Limits whose ring no shared budget limits.
		 * @param events the events kept for replay
		 * @param bytes the bytes of data kept for replay; the newest event is kept whatever its size
		 * @param pendingEvents the events the stream may lag behind
		 * @param pendingBytes the bytes of data the stream may lag behind
		 */
		public Limits(int events, long bytes, int pendingEvents, long pendingBytes) {
			this(events, bytes, pendingEvents, pendingBytes, BufferBudget.UNBOUNDED);
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

		/**
		 * The last id it read up to, kept by the one thread that reads it at a time: while the log's last id is
		 * still that, there is nothing to read.
		 */
		private long readUpTo;

		private MemorySubscription(boolean missed, Runnable listener, long start) {
			this.missed = missed;
			this.listener = listener;
			this.start = start;
			this.readUpTo = start;
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
