package dev.strand.web;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

import dev.strand.internal.Tab;

/**
 * The turn a request holds on its tab while its handler changes the view: committed just before the
 * response is, and ended by {@link StrandWebFilter} when the exchange completes, whichever of that and the
 * grant comes first.
 */
final class Turn {

	static final String ATTRIBUTE = Turn.class.getName();

	private Tab.@Nullable PageTurn turn;

	private boolean finished;

	static Turn of(ServerWebExchange exchange) {
		Turn turn = exchange.getAttribute(ATTRIBUTE);
		if (turn == null) {
			turn = new Turn();
			exchange.getAttributes().put(ATTRIBUTE, turn);
		}
		return turn;
	}

	/**
	 * The turn was granted; returns {@code false} (and ends it) if the exchange has already completed.
	 */
	boolean granted(Tab.PageTurn turn) {
		synchronized (this) {
			if (!this.finished) {
				this.turn = turn;
				return true;
			}
		}
		turn.end();
		return false;
	}

	/**
	 * The response is about to be sent: put the handler's changes into the tab's log.
	 * @return the id of the tab's last event, or {@code -1} if the turn has already ended
	 */
	long commit() {
		Tab.PageTurn turn;
		synchronized (this) {
			turn = this.turn;
		}
		return (turn != null) ? turn.commit() : -1;
	}

	/** The exchange completed. */
	void finish() {
		Tab.PageTurn toEnd;
		synchronized (this) {
			if (this.finished) {
				return;
			}
			this.finished = true;
			toEnd = this.turn;
			this.turn = null;
		}
		if (toEnd != null) {
			toEnd.end();
		}
	}

}
