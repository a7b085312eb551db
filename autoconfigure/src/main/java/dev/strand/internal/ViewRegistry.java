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
 * Every open view, by id and by session. A view id is valid only in the session that created it: the
 * session is known by a stable key stored in it (not its id, which changes on login).
 */
public final class ViewRegistry {

	private static final SecureRandom random = new SecureRandom();

	private final Map<String, ViewState> views = new ConcurrentHashMap<>();

	private final Map<String, Session> sessions = new ConcurrentHashMap<>();

	private final StrandEngine engine;

	ViewRegistry(StrandEngine engine) {
		this.engine = engine;
	}

	/**
	 * Return a new random key, for view ids and session keys: 128 bits, URL-safe.
	 * @return the key
	 */
	public static String newKey() {
		byte[] bytes = new byte[16];
		random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/**
	 * Create a view for a session.
	 * @param sessionKey the session's stable key
	 * @param session the session, to learn when it ends
	 * @param callbacks where its outcomes and chunks go
	 * @return the view
	 * @throws StrandLimitException if the session holds as many views as it may
	 */
	public ViewState create(String sessionKey, SessionHandle session, Callbacks callbacks) {
		ViewState view = new ViewState(newKey(), sessionKey, this.engine, callbacks);
		while (true) {
			Session entry = this.sessions.computeIfAbsent(sessionKey, (key) -> new Session());
			synchronized (entry) {
				if (this.sessions.get(sessionKey) != entry) {
					// its last view closed meanwhile and took it out of the map: a detached entry would hide
					// this view from closeSession and keep its id forever once re-added, so use the current one
					continue;
				}
				entry.handle = session;
				int limit = this.engine.settings().viewsPerSession();
				if (entry.views.size() >= limit) {
					throw new StrandLimitException("This session has " + limit + " open pages, the most "
							+ "strand.limits.views-per-session allows; close a tab, or wait for closed ones to time out");
				}
				entry.views.put(view.id(), view);
				break;
			}
		}
		this.views.put(view.id(), view);
		view.expireUnlessConnected((action) -> this.engine.schedule(action, this.engine.settings().connectTimeout()));
		return view;
	}

	/**
	 * Find a view for a request.
	 * @param sessionKey the requesting session's stable key, or {@code null} if it has none
	 * @param session the requesting session, remembered so that its end can be noticed
	 * @param id the view id the request presents
	 * @return what was found
	 */
	public Lookup find(@Nullable String sessionKey, @Nullable SessionHandle session, String id) {
		ViewState view = this.views.get(id);
		if (view == null) {
			return new Lookup(Lookup.Status.GONE, null);
		}
		if (!view.sessionKey().equals(sessionKey)) {
			return new Lookup(Lookup.Status.OTHER_SESSION, null);
		}
		Session entry = this.sessions.get(sessionKey);
		if (entry != null && session != null) {
			entry.handle = session;
		}
		return new Lookup(Lookup.Status.FOUND, view);
	}

	/**
	 * Return the number of open views.
	 * @return the number of views
	 */
	public int size() {
		return this.views.size();
	}

	/**
	 * Return the number of sessions that hold views.
	 * @return the number of sessions
	 */
	public int sessionCount() {
		return this.sessions.size();
	}

	/**
	 * Close every view of sessions that have ended, and keep the others alive while they have a connected
	 * view.
	 */
	public void reap() {
		this.sessions.forEach((key, entry) -> {
			SessionHandle handle = entry.handle;
			List<ViewState> views;
			synchronized (entry) {
				views = List.copyOf(entry.views.values());
			}
			if (handle != null && handle.isExpired()) {
				views.forEach((view) -> view.closeLater(CancelReason.SESSION_ENDED));
			}
			else if (handle != null && views.stream().anyMatch(ViewState::isConnected)) {
				handle.touch();
			}
		});
	}

	/**
	 * Close every view of a session, for example when it was invalidated.
	 * @param sessionKey the session's stable key
	 */
	public void closeSession(String sessionKey) {
		Session entry = this.sessions.get(sessionKey);
		if (entry != null) {
			synchronized (entry) {
				List.copyOf(entry.views.values()).forEach((view) -> view.closeLater(CancelReason.SESSION_ENDED));
			}
		}
	}

	void closeAll(CancelReason reason) {
		this.views.values().forEach((view) -> view.closeLater(reason));
	}

	void remove(ViewState view) {
		this.views.remove(view.id(), view);
		this.sessions.computeIfPresent(view.sessionKey(), (key, entry) -> {
			synchronized (entry) {
				entry.views.remove(view.id());
				return entry.views.isEmpty() ? null : entry;
			}
		});
	}

	private static final class Session {

		private final Map<String, ViewState> views = new LinkedHashMap<>();

		private volatile @Nullable SessionHandle handle;

	}

	/**
	 * The result of {@link #find}.
	 *
	 * @param status what was found
	 * @param view the view, when found
	 */
	public record Lookup(Status status, @Nullable ViewState view) {

		/** What a lookup found. */
		public enum Status {

			/** The view exists and belongs to the session. */
			FOUND,
			/** The view exists but belongs to another session. */
			OTHER_SESSION,
			/** No such view: it closed, its session ended, or it never existed. */
			GONE

		}

	}

}
