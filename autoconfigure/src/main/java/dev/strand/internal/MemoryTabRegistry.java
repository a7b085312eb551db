package dev.strand.internal;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import dev.strand.CancelReason;
import dev.strand.StrandLimitException;

/**
 * The tabs of this server. On its own it is the in-memory {@link TabRegistry}, each tab with an in-memory
 * {@link EventLog}; a shared registry uses it for the tabs whose home is this server, with its own logs and a
 * {@link Listener} that publishes them.
 */
public final class MemoryTabRegistry implements TabRegistry {

	private static final SecureRandom random = new SecureRandom();

	private static final int TOMBSTONES = 10_000;

	private final Map<String, TabActor> tabs = new ConcurrentHashMap<>();

	private final Map<String, Session> sessions = new ConcurrentHashMap<>();

	/** Recently closed tabs, by id, so that their own session learns that they are gone, and why. */
	private final Map<String, Tombstone> tombstones = Collections.synchronizedMap(new LinkedHashMap<>() {

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Tombstone> eldest) {
			return size() > TOMBSTONES;
		}

	});

	private final StrandEngine engine;

	private final Function<String, EventLog> logs;

	private final Listener listener;

	public MemoryTabRegistry(StrandEngine engine) {
		this(engine, memoryLogs(engine), Listener.NONE);
	}

	/**
	 * Create a registry whose tabs have the given logs, and that tells a listener about them.
	 * @param engine the engine
	 * @param logs makes a tab's log, given its id
	 * @param listener told when a tab opens or closes
	 */
	public MemoryTabRegistry(StrandEngine engine, Function<String, EventLog> logs, Listener listener) {
		this.engine = engine;
		this.logs = logs;
		this.listener = listener;
	}

	private static Function<String, EventLog> memoryLogs(StrandEngine engine) {
		MemoryEventLog.Limits limits = engine.logLimits();
		return (id) -> new MemoryEventLog(limits, engine.json());
	}

	/**
	 * Return a new random key, for tab ids and session keys: 128 bits, URL-safe.
	 * @return the key
	 */
	public static String newKey() {
		byte[] bytes = new byte[16];
		random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	@Override
	public Mono<Tab> open(String sessionKey, SessionHandle session, Callbacks callbacks) {
		return Mono.fromSupplier(() -> openLocal(sessionKey, session, callbacks));
	}

	/**
	 * Open a tab for a session, at once.
	 * @param sessionKey the session's stable key
	 * @param session the session, to learn when it ends
	 * @param callbacks where its outcomes and chunks go
	 * @return the tab
	 * @throws StrandLimitException if the session holds as many tabs as it may
	 */
	public TabActor openLocal(String sessionKey, SessionHandle session, Callbacks callbacks) {
		String id = newKey();
		TabActor tab;
		while (true) {
			Session entry = this.sessions.computeIfAbsent(sessionKey, (key) -> new Session());
			synchronized (entry) {
				if (this.sessions.get(sessionKey) != entry) {
					// its last tab closed meanwhile and took it out of the map: a detached entry would hide this
					// tab from closeSession and keep its id forever once re-added, so use the current one
					continue;
				}
				entry.handle = session;
				int limit = this.engine.settings().viewsPerSession();
				if (entry.tabs.size() >= limit) {
					throw new StrandLimitException("This session has " + limit + " open pages, the most "
							+ "strand.limits.views-per-session allows; close a tab, or wait for closed ones to time out");
				}
				// made once the limit allows it: a log made for a refused tab would outlive it where logs are kept
				tab = new TabActor(id, sessionKey, this.engine, callbacks, this.logs.apply(id),
						(reason) -> remove(id, sessionKey, reason));
				entry.tabs.put(id, tab);
				break;
			}
		}
		this.tabs.put(id, tab);
		this.listener.opened(tab);
		tab.expireUnlessConnected();
		return tab;
	}

	@Override
	public Mono<Lookup> find(@Nullable String sessionKey, @Nullable SessionHandle session, String id) {
		return Mono.just(findLocal(sessionKey, session, id));
	}

	/**
	 * Find a tab of this server, at once.
	 * @param sessionKey the requesting session's stable key, or {@code null} if it has none
	 * @param session the requesting session, remembered so that its end can be noticed
	 * @param id the tab id the request presents
	 * @return what was found
	 */
	public Lookup findLocal(@Nullable String sessionKey, @Nullable SessionHandle session, String id) {
		TabActor tab = this.tabs.get(id);
		if (tab == null || !tab.sessionKey().equals(sessionKey)) {
			Tombstone tombstone = (tab == null) ? this.tombstones.get(id) : null;
			boolean own = tombstone != null && tombstone.sessionKey().equals(sessionKey);
			return own ? Lookup.gone(tombstone.reason().code()) : Lookup.notFound();
		}
		Session entry = this.sessions.get(sessionKey);
		if (entry != null && session != null) {
			entry.handle = session;
		}
		return Lookup.found(tab);
	}

	@Override
	public @Nullable TabActor localTab(String id) {
		return this.tabs.get(id);
	}

	/**
	 * Return the tabs of this server.
	 * @return the tabs
	 */
	public List<TabActor> tabs() {
		return List.copyOf(this.tabs.values());
	}

	@Override
	public int size() {
		return this.tabs.size();
	}

	/**
	 * Return the number of sessions that hold tabs.
	 * @return the number of sessions
	 */
	public int sessionCount() {
		return this.sessions.size();
	}

	@Override
	public void reap() {
		this.sessions.forEach((key, entry) -> {
			SessionHandle handle = entry.handle;
			List<TabActor> tabs;
			synchronized (entry) {
				tabs = List.copyOf(entry.tabs.values());
			}
			if (handle != null && handle.isExpired()) {
				tabs.forEach((tab) -> tab.close(CancelReason.SESSION_ENDED));
			}
			else if (handle != null && tabs.stream().anyMatch(TabActor::isConnected)) {
				handle.touch();
			}
		});
	}

	@Override
	public void closeSession(String sessionKey) {
		Session entry = this.sessions.get(sessionKey);
		if (entry != null) {
			synchronized (entry) {
				List.copyOf(entry.tabs.values()).forEach((tab) -> tab.close(CancelReason.SESSION_ENDED));
			}
		}
	}

	@Override
	public void closeAll(CancelReason reason) {
		this.tabs.values().forEach((tab) -> tab.close(reason));
	}

	private void remove(String id, String sessionKey, CancelReason reason) {
		this.tombstones.put(id, new Tombstone(sessionKey, reason));
		this.tabs.remove(id);
		this.sessions.computeIfPresent(sessionKey, (key, entry) -> {
			synchronized (entry) {
				entry.tabs.remove(id);
				return entry.tabs.isEmpty() ? null : entry;
			}
		});
		this.listener.closed(id, sessionKey, reason);
	}

	/** Told when a tab of this server opens or closes. */
	public interface Listener {

		/** A listener that does nothing. */
		Listener NONE = new Listener() {
		};

		/**
		 * A tab opened.
		 * @param tab the tab
		 */
		default void opened(TabActor tab) {
		}

		/**
		 * A tab closed.
		 * @param id its id
		 * @param sessionKey its session's stable key
		 * @param reason why
		 */
		default void closed(String id, String sessionKey, CancelReason reason) {
		}

	}

	private record Tombstone(String sessionKey, CancelReason reason) {
	}

	private static final class Session {

		/** Sized for one: most sessions have a tab or two, and the default 16-slot table is 56 bytes more per session. */
		private final Map<String, TabActor> tabs = LinkedHashMap.newLinkedHashMap(1);

		private volatile @Nullable SessionHandle handle;

	}

}
