package dev.strand.web;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.web.server.WebSession;
import org.springframework.web.server.session.WebSessionStore;

import dev.strand.internal.SessionHandle;

/**
 * A {@link SessionHandle} over a {@link WebSession}, asked on the reaper's thread. WebFlux has no callback for
 * a session's end, so the reaper asks the store: a session it no longer has has ended. A connected tab keeps
 * its session alive by a touch that the store really saves: a session held since a page opened is a copy,
 * and with Spring Session (whose store keeps the last access time in memory until a save) touching the copy
 * alone would let the stored session expire under an open tab.
 */
record WebSessionHandle(WebSession session, @Nullable WebSessionStore store, long seenAt) implements SessionHandle {

	private static final Log logger = LogFactory.getLog(WebSessionHandle.class);

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	/** How long a session may be missing from its store because the request that made it has not saved it yet. */
	private static final long UNSAVED = Duration.ofSeconds(30).toNanos();

	WebSessionHandle(WebSession session, @Nullable WebSessionStore store) {
		this(session, store, System.nanoTime());
	}

	@Override
	public boolean isExpired() {
		if (this.store == null) {
			return this.session.isExpired();
		}
		try {
			WebSession stored = this.store.retrieveSession(this.session.getId()).block(TIMEOUT);
			if (stored == null) {
				// a session is stored when the response that made it is sent: until then, it is new, not gone
				return System.nanoTime() - this.seenAt > UNSAVED || this.session.isExpired();
			}
			return stored.isExpired();
		}
		catch (RuntimeException ex) {
			logger.debug("Could not tell whether a session has ended; its tabs stay open", ex);
			return false; // the store is down: never close tabs for that
		}
	}

	@Override
	public void touch() {
		if (this.store == null) {
			return;
		}
		try {
			this.store.retrieveSession(this.session.getId())
				.flatMap(this.store::updateLastAccessTime)
				.flatMap(WebSession::save)
				.block(TIMEOUT);
		}
		catch (RuntimeException ex) {
			logger.debug("Could not keep a session with a connected tab alive", ex);
		}
	}

}
