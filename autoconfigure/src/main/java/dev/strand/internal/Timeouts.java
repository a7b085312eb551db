package dev.strand.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The engine's timeouts (a task's, a tab's wait for its stream), on one wheel that the engine's timer turns every
 * tick while it holds any. A timeout is one small object in a slot of the wheel, where a task scheduled on a
 * {@code ScheduledThreadPoolExecutor} of its own costs several times more, and every running task has one. A
 * timeout runs at most about a tick late, never early, on the timer's thread.
 */
final class Timeouts {

	private static final Log logger = LogFactory.getLog(Timeouts.class);

	/** The longest delay kept as it is; a longer one waits this long (a hundred years). */
	private static final Duration LONGEST = Duration.ofDays(36_500);

	private final ScheduledExecutorService timer;

	private final long tickNanos;

	/** The timeouts by the tick they are due in, modulo the slots: a list each, linked through the timeouts. */
	private final @Nullable Timeout[] slots;

	/** What {@link System#nanoTime()} the ticks count from. */
	private final long origin = System.nanoTime();

	/** The last tick the wheel has passed: every timeout due by its end has run. */
	private long passed;

	private int size;

	/** The wheel's turning on the timer, while it holds timeouts. */
	private @Nullable ScheduledFuture<?> turning;

	/**
	 * Create the wheel.
	 * @param timer the timer that turns it
	 * @param tick how often it turns while it holds timeouts
	 * @param slots its slots: a turn of the wheel is this many ticks, and a timeout due later is passed over in
	 * each turn until it is due
	 */
	Timeouts(ScheduledExecutorService timer, Duration tick, int slots) {
		this.timer = timer;
		this.tickNanos = tick.toNanos();
		this.slots = new Timeout[slots];
	}

	/**
	 * Run an action once a delay has passed, unless it is cancelled first.
	 * @param action the action; if it throws, that is logged
	 * @param delay the delay
	 * @return the timeout, to cancel it
	 */
	Timeout schedule(Runnable action, Duration delay) {
		long due = System.nanoTime() - this.origin + ((delay.compareTo(LONGEST) < 0) ? delay : LONGEST).toNanos();
		Timeout timeout = new Timeout(this, action, due);
		synchronized (this) {
			// in the first tick not passed yet that ends after it is due
			long tick = Math.max(Math.ceilDiv(due, this.tickNanos), this.passed + 1);
			link(timeout, (int) (tick % this.slots.length));
			if (this.size++ == 0 && this.turning == null) {
				this.turning = this.timer.scheduleWithFixedDelay(this::turn, this.tickNanos, this.tickNanos,
						TimeUnit.NANOSECONDS);
			}
		}
		return timeout;
	}

	/**
	 * Return the timeouts not yet run or cancelled.
	 * @return how many
	 */
	synchronized int size() {
		return this.size;
	}

	/**
	 * Whether a task of the timer is the wheel's turning.
	 * @param task a task queued on the timer
	 * @return whether it is
	 */
	synchronized boolean isTurning(Object task) {
		return task == this.turning;
	}

	private synchronized boolean cancel(Timeout timeout) {
		if (timeout.slot < 0) {
			return false; // run or cancelled already
		}
		unlink(timeout);
		this.size--;
		return true;
	}

	/** Pass the ticks that have ended since the last turn, and run the timeouts due in them. */
	private void turn() {
		List<Timeout> due = new ArrayList<>();
		synchronized (this) {
			long now = System.nanoTime() - this.origin;
			long current = now / this.tickNanos;
			// after a pause longer than a turn, every slot once
			long last = Math.min(current, this.passed + this.slots.length);
			for (long tick = this.passed + 1; tick <= last; tick++) {
				Timeout timeout = this.slots[(int) (tick % this.slots.length)];
				while (timeout != null) {
					Timeout next = timeout.next;
					if (timeout.due <= now) {
						unlink(timeout);
						this.size--;
						due.add(timeout);
					}
					timeout = next;
				}
			}
			this.passed = Math.max(this.passed, current);
			if (this.size == 0 && this.turning != null) {
				this.turning.cancel(false);
				this.turning = null;
			}
		}
		for (Timeout timeout : due) {
			try {
				timeout.action.run();
			}
			catch (RuntimeException ex) {
				logger.error("A Strand timeout's action failed", ex);
			}
		}
	}

	private void link(Timeout timeout, int slot) {
		Timeout head = this.slots[slot];
		timeout.slot = slot;
		timeout.next = head;
		if (head != null) {
			head.previous = timeout;
		}
		this.slots[slot] = timeout;
	}

	private void unlink(Timeout timeout) {
		if (timeout.previous != null) {
			timeout.previous.next = timeout.next;
		}
		else {
			this.slots[timeout.slot] = timeout.next;
		}
		if (timeout.next != null) {
			timeout.next.previous = timeout.previous;
		}
		timeout.previous = null;
		timeout.next = null;
		timeout.slot = -1;
	}

	/** A timeout on the wheel. */
	static final class Timeout {

		private final Timeouts wheel;

		private final Runnable action;

		/** When it is due, in nanoseconds from the wheel's origin. */
		private final long due;

		private @Nullable Timeout previous;

		private @Nullable Timeout next;

		/** Its slot on the wheel; {@code -1} once it has run or was cancelled. Guarded by the wheel. */
		private int slot = -1;

		private Timeout(Timeouts wheel, Runnable action, long due) {
			this.wheel = wheel;
			this.action = action;
			this.due = due;
		}

		/**
		 * Cancel the timeout, if it has not run.
		 * @return whether this call cancelled it
		 */
		boolean cancel() {
			return this.wheel.cancel(this);
		}

	}

}
