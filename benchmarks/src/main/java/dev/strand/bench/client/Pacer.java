package dev.strand.bench.client;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/** Calls an action at a steady rate on the calling thread, on an absolute schedule, catching up when late. */
final class Pacer {

    private Pacer() {
    }

    /**
     * Calls {@code action} with 0, 1, 2, ... at {@code perSecond}, until {@code count} calls or until
     * the next call would fall {@code limitNanos} or more after the first.
     */
    static void run(double perSecond, long count, long limitNanos, LongConsumer action) {
        double periodNanos = 1e9 / perSecond;
        long start = System.nanoTime();
        for (long i = 0; i < count; i++) {
            long offset = (long) (i * periodNanos);
            if (offset >= limitNanos) {
                return;
            }
            sleepUntil(start + offset);
            action.accept(i);
        }
    }

    /** Parks the calling thread until {@link System#nanoTime()} reaches the deadline. */
    static void sleepUntil(long deadlineNanos) {
        for (long wait = deadlineNanos - System.nanoTime(); wait > 0; wait = deadlineNanos - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }
}
