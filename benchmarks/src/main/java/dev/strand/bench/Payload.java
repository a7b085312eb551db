package dev.strand.bench;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A chunk's text: {@code t=<epoch micros>;seq=<n>;} padded with {@code x} to the requested size.
 */
public final class Payload {

    private static final byte[] SEQ = {';', 's', 'e', 'q', '='};

    private Payload() {
    }

    /** The text of chunk {@code seq}, stamped now, at least {@code size} characters long. */
    public static String text(long seq, int size) {
        StringBuilder text = new StringBuilder(Math.max(size, 48));
        text.append("t=").append(Clock.epochMicros()).append(";seq=").append(seq).append(';');
        while (text.length() < size) {
            text.append('x');
        }
        return text.toString();
    }

    /**
     * Finds the stamp in an event's data, where the text starts a JSON string ({@code "t=...}, a
     * chunk) or an element's content ({@code >t=...}, a re-rendered element in a patch's HTML).
     *
     * @return the stamp, or {@code null} if the data holds none
     */
    public static @Nullable Stamp parse(byte[] data, int length) {
        for (int at = 1; at + 2 < length; at++) {
            if ((data[at - 1] == '"' || data[at - 1] == '>') && data[at] == 't' && data[at + 1] == '=') {
                Stamp stamp = stampAt(data, length, at + 2);
                if (stamp != null) {
                    return stamp;
                }
            }
        }
        return null;
    }

    private static @Nullable Stamp stampAt(byte[] data, int length, int micros) {
        int microsEnd = digitsEnd(data, length, micros);
        if (microsEnd == micros || !startsWith(data, length, SEQ, microsEnd)) {
            return null;
        }
        int seq = microsEnd + SEQ.length;
        int seqEnd = digitsEnd(data, length, seq);
        if (seqEnd == seq) {
            return null;
        }
        return new Stamp(number(data, micros, microsEnd), number(data, seq, seqEnd));
    }

    private static boolean startsWith(byte[] data, int length, byte[] prefix, int at) {
        return at + prefix.length <= length && Arrays.equals(data, at, at + prefix.length, prefix, 0, prefix.length);
    }

    /** Where the run of at most 18 digits from {@code from} ends (so the number fits a long). */
    private static int digitsEnd(byte[] data, int length, int from) {
        int end = from;
        while (end < length && end - from < 18 && data[end] >= '0' && data[end] <= '9') {
            end++;
        }
        return end;
    }

    private static long number(byte[] data, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            value = value * 10 + (data[i] - '0');
        }
        return value;
    }

    /** When a chunk was made (server clock, epoch micros) and its 1-based number within its task. */
    public record Stamp(long epochMicros, long seq) {
    }
}
