package dev.strand.internal;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import dev.strand.CancelReason;
import dev.strand.View;

/**
 * One browser tab as the web and template layers see it: an actor with a {@link View}, an event log and a
 * lifecycle. Everything that changes a tab goes through its mailbox, one message at a time.
 */
public interface Tab {

	/**
	 * Return the tab's id: random, and valid only in the session that opened it.
	 * @return the id
	 */
	String id();

	/**
	 * Return how logs name a tab: its id's first characters, never the whole id, which is a credential.
	 * @param id the tab's id
	 * @return the name, such as {@code view Ab3dE…}
	 */
	static String logName(String id) {
		return "view " + id.substring(0, Math.min(5, id.length())) + "…";
	}

	/**
	 * Return the tab's view, which handlers and callbacks change.
	 * @return the view
	 */
	View view();

	/**
	 * Return the id of the last event the tab has sent, which a page passes back when it connects.
	 * @return the last event id
	 */
	long lastEventId();

	/**
	 * Whether the tab's stream is attached.
	 * @return whether it is connected
	 */
	boolean isConnected();

	/**
	 * Whether the tab has closed; its id is then unknown.
	 * @return whether it is closed
	 */
	boolean isClosed();

	/**
	 * Return the view's assigns as they are, read-only and not copied; read while rendering, on the tab's turn.
	 * @return the assigns
	 */
	Map<String, @Nullable Object> assigns();

	/**
	 * Return the flash messages by kind; read while rendering, on the tab's turn.
	 * @return the flash messages
	 */
	Map<String, String> flashes();

	/**
	 * Return the renderer that the page's first render set up, creating it if it has none yet.
	 * @param create creates the renderer, whose stream histories take from the budget it is given
	 * @return the renderer
	 */
	TabRenderer renderer(Function<BufferBudget, TabRenderer> create);

	/**
	 * Ask for a turn for a web request. Once granted, on the tab's mailbox, it lasts until the request ends it,
	 * however long the handler takes.
	 * @param model for the request that opened the tab, the model its assigns are also written to; otherwise
	 * {@code null}
	 * @param granted receives the turn
	 */
	void requestTurn(@Nullable Map<String, Object> model, Consumer<PageTurn> granted);

	/**
	 * Attach a stream, starting any task that waited for one.
	 * @param lastEventId the last event the page has
	 * @param listener called when there are events to send
	 * @param onSubscribed receives the subscription, on the mailbox
	 */
	void connect(long lastEventId, Runnable listener, Consumer<EventLog.Subscription> onSubscribed);

	/**
	 * Detach a stream that ended; the tab closes unless another attaches within the grace period.
	 * @param subscription the stream's subscription
	 */
	void disconnect(EventLog.Subscription subscription);

	/**
	 * Close the tab: cancel its tasks with this reason and end its stream.
	 * @param reason why
	 */
	void close(CancelReason reason);

	/** A web request's turn on a tab. */
	interface PageTurn {

		/**
		 * Return the view the handler changes.
		 * @return the view
		 */
		View view();

		/**
		 * Put what the handler changed into the tab's log, before the response is sent. Idempotent.
		 * @return the id of the tab's last event, which carries the handler's changes
		 */
		long commit();

		/** End the turn, committing first if that was not done. Idempotent. */
		void end();

	}

}
