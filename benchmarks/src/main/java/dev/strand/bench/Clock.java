package dev.strand.bench;

import java.time.Instant;

/**
 * The wall clock that servers stamp chunks with and the load client compares against; both run on
 * the same machine, so their clocks agree.
 */
public final class Clock {

    private Clock() {
    }

    /** Microseconds since the epoch, from {@link Instant#now()}. */
    public static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
