package dev.strand.web;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

/**
 * The mailbox turn a request holds while its handler changes a view; ended by {@link StrandWebFilter} when
 * the exchange completes, whichever of the two comes first.
 */
final class Turn {

	static final String ATTRIBUTE = Turn.class.getName();

	private @Nullable Runnable end;

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
	boolean granted(Runnable end) {
		synchronized (this) {
			if (!this.finished) {
				this.end = end;
				return true;
			}
		}
		end.run();
		return false;
	}

	/** The exchange completed. */
	void finish() {
		Runnable toRun;
		synchronized (this) {
			if (this.finished) {
				return;
			}
			this.finished = true;
			toRun = this.end;
			this.end = null;
		}
		if (toRun != null) {
			toRun.run();
		}
	}

}
