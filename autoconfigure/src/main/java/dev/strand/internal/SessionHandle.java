package dev.strand.internal;

/** What the engine needs of a web session: whether it has ended, and a way to keep it alive. */
public interface SessionHandle {

	/** A session that never ends, for views created outside a web request. */
	SessionHandle DETACHED = new SessionHandle() {

		@Override
		public boolean isExpired() {
			return false;
		}

		@Override
		public void touch() {
		}

	};

	/**
	 * Whether the session was invalidated or has expired.
	 * @return whether it has ended
	 */
	boolean isExpired();

	/**
	 * Mark the session as used, because one of its tabs is connected.
	 */
	void touch();

}
