package dev.strand.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Hands one actor its messages one at a time, in order, whatever thread sends them. Messages are received on
 * the given executor (virtual threads), so a Netty event loop is never blocked by one; a sender whose message
 * is cheap to handle can {@link #receiveOrSend receive it itself} when the mailbox is idle, which saves a
 * hand-off to another thread. A message's handling may {@link #hold() hold} the mailbox past its
 * return (a web request's turn lasts until its response is ready); the next message waits until it is
 * released.
 *
 * @param <M> the message type
 */
final class Mailbox<M> {

	private static final Log logger = LogFactory.getLog(Mailbox.class);

	private final Queue<M> messages = new ConcurrentLinkedQueue<>();

	private final AtomicInteger size = new AtomicInteger();

	private final Executor executor;

	private final Consumer<M> receiver;

	/** The hold taken by the message being received, if any; only touched by the receiving thread. */
	private @Nullable Hold hold;

	Mailbox(Executor executor, Consumer<M> receiver) {
		this.executor = executor;
		this.receiver = receiver;
	}

	/**
	 * Queue a message.
	 * @param message the message
	 */
	void send(M message) {
		this.messages.add(message);
		if (this.size.getAndIncrement() == 0) {
			start();
		}
	}

	/**
	 * How many messages are queued, the one being received included: more than one while it is received means
	 * another will be received after it.
	 * @return the count
	 */
	int queued() {
		return this.size.get();
	}

	/**
	 * Receive a message on the calling thread if the mailbox is idle (nothing queued, nothing being received),
	 * else queue it as {@link #send} does. Whatever is sent meanwhile is received on the executor afterwards, so
	 * the caller receives this one message at most. For a message whose handling is short: a chunk sent by a task's
	 * virtual thread, or a web request's turn, whose grant only takes the mailbox and so may run on an event loop.
	 * @param message the message
	 */
	void receiveOrSend(M message) {
		if (!this.size.compareAndSet(0, 1)) {
			send(message);
			return;
		}
		if (receive(message) && this.size.decrementAndGet() > 0) {
			start();
		}
	}

	/**
	 * Keep the mailbox for the message being received after its handling returns; called while receiving it.
	 * @return releases the mailbox, exactly once, on any thread
	 */
	Runnable hold() {
		Hold hold = new Hold();
		this.hold = hold;
		return hold;
	}

	private void start() {
		try {
			this.executor.execute(this::drain);
		}
		catch (RejectedExecutionException ex) {
			logger.debug("A Strand mailbox message was dropped: the application is shutting down");
		}
	}

	private void drain() {
		do {
			if (!receive(this.messages.poll())) {
				return; // released later: its release resumes draining
			}
		}
		while (this.size.decrementAndGet() > 0);
	}

	/** Receive one message; false if its handling holds the mailbox past its return. */
	private boolean receive(M message) {
		try {
			this.receiver.accept(message);
		}
		catch (Throwable ex) {
			logger.error("A Strand tab failed to handle " + message.getClass().getSimpleName() + "; it keeps running", ex);
		}
		Hold held = this.hold;
		if (held != null) {
			this.hold = null;
			return held.returned();
		}
		return true;
	}

	/** A hold on the mailbox, released once; the release and the end of the handling race. */
	private final class Hold extends AtomicInteger implements Runnable {

		private static final int HELD = 0;

		private static final int RELEASED = 1;

		private static final int RETURNED = 2;

		/** Release: resume draining if the handling has returned. */
		@Override
		public void run() {
			if (compareAndSet(HELD, RELEASED)) {
				return; // released before the handling returned: the drain loop goes on
			}
			if (compareAndSet(RETURNED, RELEASED) && Mailbox.this.size.decrementAndGet() > 0) {
				Mailbox.this.start();
			}
		}

		/** Called by the drain loop once the handling returned; false while the hold lasts. */
		boolean returned() {
			return !compareAndSet(HELD, RETURNED);
		}

	}

}
