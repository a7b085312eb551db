package dev.strand.web;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.WebSession;
import org.springframework.web.server.session.WebSessionStore;

import dev.strand.internal.SessionHandle;

/**
 * A {@link SessionHandle} over a {@link WebSession}. WebFlux has no callback for a session's end, so the
 * registry's reaper asks {@link WebSession#isExpired()}; a connected tab keeps its session alive through the
 * store.
 */
record WebSessionHandle(WebSession session, @Nullable WebSessionStore store) implements SessionHandle {

	@Override
	public boolean isExpired() {
		return this.session.isExpired();
	}

	@Override
	public void touch() {
		if (this.store != null) {
			this.store.updateLastAccessTime(this.session).subscribe();
		}
	}

}
