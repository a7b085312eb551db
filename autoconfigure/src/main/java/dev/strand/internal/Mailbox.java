package dev.strand.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Runs one view's turns one at a time, in order, whatever thread submits them. A turn may end after it
 * returns (a page event's handler holds its turn until the response is done), so turns are given a
 * {@code done} callback rather than being plain runnables. Turns never run on the submitting thread: they
 * are drained on the given executor (virtual threads), so a Netty event loop is never blocked by one.
 */
final class Mailbox {

	private static final Log logger = LogFactory.getLog(Mailbox.class);

	private final Queue<Consumer<Runnable>> turns = new ConcurrentLinkedQueue<>();

	private final AtomicInteger size = new AtomicInteger();

	private final Executor executor;

	Mailbox(Executor executor) {
		this.executor = executor;
	}

	/**
	 * Run the action as a turn of its own.
	 * @param action the action
	 */
	void execute(Runnable action) {
		submit((done) -> {
			try {
				action.run();
			}
			finally {
				done.run();
			}
		});
	}

	/**
	 * Queue a turn that ends when it calls the {@code done} callback it is given, exactly once.
	 * @param turn the turn
	 */
	void submit(Consumer<Runnable> turn) {
		this.turns.add(turn);
		if (this.size.getAndIncrement() == 0) {
			start();
		}
	}

	private void start() {
		try {
			this.executor.execute(this::drain);
		}
		catch (RejectedExecutionException ex) {
			logger.debug("A Strand mailbox turn was dropped: the application is shutting down");
		}
	}

	private void drain() {
		do {
			Consumer<Runnable> turn = this.turns.poll();
			Completion completion = new Completion();
			try {
				turn.accept(completion);
			}
			catch (Throwable ex) {
				logger.error("A Strand mailbox turn failed; the view keeps running", ex);
				completion.run();
			}
			if (!completion.returned()) {
				return; // the turn ends later; its done callback resumes draining
			}
		}
		while (this.size.decrementAndGet() > 0);
	}

	private final class Completion extends AtomicInteger implements Runnable {

		private static final int RUNNING = 0;

		private static final int DONE = 1;

		private static final int RETURNED = 2;

		/** Called by the turn when it ends. */
		@Override
		public void run() {
			if (compareAndSet(RUNNING, DONE)) {
				return; // ended before it returned: the drain loop goes on
			}
			if (compareAndSet(RETURNED, DONE) && Mailbox.this.size.decrementAndGet() > 0) {
				Mailbox.this.start();
			}
		}

		/** Called by the drain loop once the turn returned; false if the turn is still going. */
		boolean returned() {
			return !compareAndSet(RUNNING, RETURNED);
		}

	}

}
