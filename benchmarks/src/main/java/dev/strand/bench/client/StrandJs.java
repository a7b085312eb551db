package dev.strand.bench.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What strand.js ({@code autoconfigure/src/main/resources/META-INF/resources/strand/strand.js}) does when a
 * tab loses its view, as the cluster scenario's tabs ({@code --kill-pid}) mimic it: its back-off, its number
 * of remount attempts, and the reason of a {@code close} event.
 */
final class StrandJs {

    /** {@code remount(reason)} tries this many times to GET the page again, then gives up (a banner). */
    static final int REMOUNT_ATTEMPTS = 5;

    /** A {@code close} event with this reason stops the page; any other remounts it. */
    static final String SESSION_ENDED = "session-ended";

    private static final Pattern REASON = Pattern.compile("\"reason\"\\s*:\\s*\"([^\"]*)\"");

    private StrandJs() {
    }

    /**
     * strand.js's {@code backoff(failures)}: {@code Math.min(10000, 250 * 2 ** failures) * (0.5 + Math.random())},
     * 0.125-0.375 s for the first failure, doubling up to 5-15 s. The stream waits it between a failed
     * connection's status request and the next connection ({@code failures} counting since the last open), and
     * a remount before each of its attempts ({@code failures} is the attempt, from 0).
     */
    static Duration backoff(int failures) {
        return backoff(failures, ThreadLocalRandom.current().nextDouble());
    }

    /** The same with {@code Math.random()}'s value given ({@code 0 <= random < 1}). */
    static Duration backoff(int failures, double random) {
        double millis = Math.min(10_000, 250 * Math.pow(2, Math.min(failures, 30))) * (0.5 + random);
        return Duration.ofNanos((long) (millis * 1e6));
    }

    /** The {@code reason} of a {@code close} event's data ({@code {"reason":"remount"}}), or {@code null}. */
    static @Nullable String closeReason(byte[] data, int length) {
        Matcher matcher = REASON.matcher(new String(data, 0, length, StandardCharsets.UTF_8));
        return matcher.find() ? matcher.group(1) : null;
    }
}
