package dev.strand.internal;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import dev.strand.CancelReason;

/**
 * Every open tab, by id and by session. A tab id is valid only in the session that opened it: the session is
 * known by a stable key stored in it (not its id, which changes on login).
 */
public interface TabRegistry {

	/**
	 * Open a tab for a session.
	 * @param sessionKey the session's stable key
	 * @param session the session, to learn when it ends
	 * @param callbacks where its outcomes and chunks go
	 * @return the tab; a {@link dev.strand.StrandLimitException} if the session holds as many tabs as it may
	 */
	Mono<Tab> open(String sessionKey, SessionHandle session, Callbacks callbacks);

	/**
	 * Find a tab for a request.
	 * @param sessionKey the requesting session's stable key, or {@code null} if it has none
	 * @param session the requesting session, remembered so that its end can be noticed
	 * @param id the tab id the request presents
	 * @return what was found
	 */
	Mono<Lookup> find(@Nullable String sessionKey, @Nullable SessionHandle session, String id);

	/**
	 * Return a tab whose home is this server, by id, whatever its session: for tools and test support that run
	 * beside the application, never for a request.
	 * @param id the tab's id
	 * @return the tab, or {@code null} if this server has no such open tab
	 */
	@Nullable TabActor localTab(String id);

	/**
	 * Close every tab of a session, for example when it was invalidated.
	 * @param sessionKey the session's stable key
	 */
	void closeSession(String sessionKey);

	/**
	 * Close the tabs of sessions that have ended, and keep the others alive while a tab of theirs is
	 * connected.
	 */
	void reap();

	/**
	 * Close every tab.
	 * @param reason why their tasks are cancelled
	 */
	void closeAll(CancelReason reason);

	/**
	 * Return the number of open tabs.
	 * @return the number of tabs
	 */
	int size();

	/**
	 * What {@link #find} found.
	 *
	 * @param status what was found
	 * @param tab the tab, when found
	 * @param reason why a tab that is gone closed, such as {@code session-ended}, or why nothing can be said;
	 * otherwise {@code null}
	 */
	record Lookup(Status status, @Nullable Tab tab, @Nullable String reason) {

		/**
		 * Return a lookup that found this tab.
		 * @param tab the tab
		 * @return the lookup
		 */
		public static Lookup found(Tab tab) {
			return new Lookup(Status.FOUND, tab, null);
		}

		/**
		 * Return a lookup of a tab of this session that has closed.
		 * @param reason why it closed
		 * @return the lookup
		 */
		public static Lookup gone(String reason) {
			return new Lookup(Status.GONE, null, reason);
		}

		/**
		 * Return a lookup that found nothing this session may know about.
		 * @return the lookup
		 */
		public static Lookup notFound() {
			return new Lookup(Status.NOT_FOUND, null, null);
		}

		/**
		 * Return a lookup of a tab that lives on another server: its stream is served from the shared log, and
		 * its page events are sent to that server.
		 * @param tab the tab, as seen from here
		 * @return the lookup
		 */
		public static Lookup elsewhere(Tab tab) {
			return new Lookup(Status.ELSEWHERE, tab, null);
		}

		/**
		 * Return a lookup that could not be made now, for example because the shared store is down.
		 * @param why what went wrong
		 * @return the lookup
		 */
		public static Lookup unavailable(String why) {
			return new Lookup(Status.UNAVAILABLE, null, why);
		}

		/** What a lookup found. */
		public enum Status {

			/** The tab exists and belongs to the session. */
			FOUND,
			/** The session had this tab, and it has closed. */
			GONE,
			/**
			 * No such tab for this session: it never existed, closed long ago, or belongs to another session.
			 * These look the same from outside, so that an id's existence cannot be probed.
			 */
			NOT_FOUND,
			/** The tab exists, belongs to the session, and lives on another server. */
			ELSEWHERE,
			/** Nothing can be said now: the shared store cannot be reached. */
			UNAVAILABLE

		}

	}

}
