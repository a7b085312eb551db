package dev.strand.internal;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import dev.strand.CancelReason;
import dev.strand.StrandLimitException;

/**
 * The in-memory {@link TabRegistry}: the tabs of this server, each with an in-memory {@link EventLog}.
 */
public final class MemoryTabRegistry implements TabRegistry {

	private static final SecureRandom random = new SecureRandom();

	private static final int TOMBSTONES = 10_000;

	private final Map<String, TabActor> tabs = new ConcurrentHashMap<>();

	private final Map<String, Session> sessions = new ConcurrentHashMap<>();

	/** Recently closed tabs, by id, so that their own session learns that they are gone, and why. */
	private final Map<String, Tombstone> tombstones = java.util.Collections.synchronizedMap(new LinkedHashMap<>() {

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Tombstone> eldest) {
			return size() > TOMBSTONES;
		}

	});

	private final StrandEngine engine;

	private final MemoryEventLog.Limits logLimits;

	public MemoryTabRegistry(StrandEngine engine) {
		this.engine = engine;
		this.logLimits = engine.settings().logLimits();
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
	public TabActor open(String sessionKey, SessionHandle session, Callbacks callbacks) {
		EngineSettings settings = this.engine.settings();
		String id = newKey();
		EventLog log = new MemoryEventLog(this.logLimits, this.engine.json());
		TabActor tab = new TabActor(id, sessionKey, this.engine, callbacks, log, (reason) -> remove(id, sessionKey, reason));
		while (true) {
			Session entry = this.sessions.computeIfAbsent(sessionKey, (key) -> new Session());
			synchronized (entry) {
				if (this.sessions.get(sessionKey) != entry) {
					// its last tab closed meanwhile and took it out of the map: a detached entry would hide this
					// tab from closeSession and keep its id forever once re-added, so use the current one
					continue;
				}
				entry.handle = session;
				int limit = settings.viewsPerSession();
				if (entry.tabs.size() >= limit) {
					throw new StrandLimitException("This session has " + limit + " open pages, the most "
							+ "strand.limits.views-per-session allows; close a tab, or wait for closed ones to time out");
				}
				entry.tabs.put(id, tab);
				break;
			}
		}
		this.tabs.put(id, tab);
		tab.expireUnlessConnected();
		return tab;
	}

	@Override
	public Lookup find(@Nullable String sessionKey, @Nullable SessionHandle session, String id) {
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
	}

	private record Tombstone(String sessionKey, CancelReason reason) {
	}

	private static final class Session {

		private final Map<String, TabActor> tabs = new LinkedHashMap<>();

		private volatile @Nullable SessionHandle handle;

	}

}
