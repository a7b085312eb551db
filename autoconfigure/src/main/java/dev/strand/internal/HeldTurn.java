package dev.strand.internal;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.strand.View;

/**
 * A web request's turn on a tab: it holds the tab's mailbox from the grant until the request ends it, and
 * commits (flushes the handler's changes to the log) just before the response is sent.
 */
final class HeldTurn implements Tab.PageTurn {

	private final TabView view;

	private final @Nullable Map<String, Object> model;

	private final Runnable flush;

	private final EventLog log;

	private final Runnable release;

	private boolean committed;

	private boolean ended;

	private long lastEventId;

	/**
	 * Create the turn.
	 * @param view the tab's view
	 * @param model the model of the request that opened the tab, or {@code null}
	 * @param flush puts what changed into the log
	 * @param log the tab's log
	 * @param release releases the mailbox
	 */
	HeldTurn(TabView view, @Nullable Map<String, Object> model, Runnable flush, EventLog log, Runnable release) {
		this.view = view;
		this.model = model;
		this.flush = flush;
		this.log = log;
		this.release = release;
	}

	@Override
	public View view() {
		return this.view;
	}

	@Override
	public synchronized long commit() {
		if (!this.committed) {
			this.committed = true;
			if (this.model != null) {
				// the request renders the whole page, with everything its handler changed
				this.view.state().takeChanged();
				this.view.state().takeFlashChanges();
			}
			this.flush.run();
			this.lastEventId = this.log.lastId();
		}
		return this.lastEventId;
	}

	/** End the turn and let go of the tab's mailbox, whatever the last flush does. */
	@Override
	public void end() {
		synchronized (this) {
			if (this.ended) {
				return;
			}
			this.ended = true;
		}
		try {
			synchronized (this) {
				commit();
				this.flush.run(); // what changed after the commit, if anything
			}
		}
		finally {
			this.view.exit();
			this.release.run();
		}
	}

}
