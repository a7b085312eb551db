package dev.strand.bench;

import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What {@code POST /bench/start} asks for: {@code rate} chunks per second, {@code count} chunks in
 * all, each {@code size} characters; {@code count=0} with {@code rate=0} is one task that just sleeps.
 */
public record StartRequest(double rate, long count, int size) {

    /** The payload size when the form leaves it out. */
    public static final int DEFAULT_SIZE = 64;

    private static final int MAX_SIZE = 1 << 20;

    public StartRequest {
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be a finite number of chunks per second >= 0, got " + rate);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size must be between 1 and " + MAX_SIZE + ", got " + size);
        }
        if ((count == 0) != (rate == 0)) {
            throw new IllegalArgumentException("count and rate must both be 0 (a task that sleeps) or both be > 0, got rate="
                    + rate + " and count=" + count);
        }
    }

    /** Reads {@code rate}, {@code count} and {@code size} from form parameters; missing ones default to 0, 0, 64. */
    public static StartRequest from(Function<String, @Nullable String> form) {
        return new StartRequest(
                parse(form, "rate", 0.0, Double::parseDouble),
                parse(form, "count", 0L, Long::parseLong),
                parse(form, "size", DEFAULT_SIZE, Integer::parseInt));
    }

    /** The form body that asks for this request. */
    public String toForm() {
        String formattedRate = rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
        return "rate=" + formattedRate + "&count=" + count + "&size=" + size;
    }

    /** Whether this is the task that just sleeps until it is cancelled. */
    public boolean sleeps() {
        return count == 0;
    }

    private static <T> T parse(Function<String, @Nullable String> form, String name, T fallback,
            Function<String, T> parser) {
        String value = form.apply(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return parser.apply(value.strip());
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException(name + " must be a number, got '" + value + "'", ex);
        }
    }
}
