package dev.strand.bench.client;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An incremental {@code text/event-stream} parser (LF, CR or CRLF line ends, comments skipped, one
 * optional space after a field's colon) that hands each event's data bytes to a listener without
 * allocating per event. During the listener's call, {@link #lastEventId()} and {@link #eventIs} tell
 * the event's id (as EventSource keeps it: the last {@code id:} seen so far) and type.
 */
final class SseParser {

    private static final byte[] DATA = {'d', 'a', 't', 'a'};

    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't'};

    private static final byte[] ID = {'i', 'd'};

    private final byte[] measured;

    private final Listener listener;

    private byte[] line = new byte[256];

    private int lineLength;

    private byte[] data = new byte[256];

    private int dataLength;

    private boolean hasData;

    private boolean measuredEvent;

    private byte[] type = new byte[16];

    private int typeLength;

    /** The id of the event being read: the last id field's value, or -1 for none or one that is not a number. */
    private long pendingId = -1;

    /** The last event id as of the last event dispatched (EventSource's {@code lastEventId}), -1 if none. */
    private long lastEventId = -1;

    private boolean afterCarriageReturn;

    /** A parser that tells the listener which events are {@code chunk} events. */
    SseParser(Listener listener) {
        this("chunk", listener);
    }

    /** A parser that tells the listener which events have the type {@code measuredType}. */
    SseParser(String measuredType, Listener listener) {
        this.measured = measuredType.getBytes(StandardCharsets.US_ASCII);
        this.listener = listener;
    }

    void feed(ByteBuf buffer) {
        buffer.forEachByte(value -> {
            accept(value);
            return true;
        });
    }

    void feed(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            accept(bytes[i]);
        }
    }

    private void accept(byte value) {
        if (value == '\n' && afterCarriageReturn) {
            afterCarriageReturn = false;
            return;
        }
        afterCarriageReturn = value == '\r';
        if (value == '\n' || value == '\r') {
            endLine();
        } else {
            if (lineLength == line.length) {
                line = Arrays.copyOf(line, line.length * 2);
            }
            line[lineLength++] = value;
        }
    }

    private void endLine() {
        int length = lineLength;
        lineLength = 0;
        if (length == 0) {
            dispatch();
            return;
        }
        if (line[0] == ':') {
            return;
        }
        int colon = 0;
        while (colon < length && line[colon] != ':') {
            colon++;
        }
        int value = Math.min(colon + 1, length);
        if (value < length && line[value] == ' ') {
            value++;
        }
        if (is(DATA, 0, colon)) {
            if (hasData) {
                appendData((byte) '\n');
            }
            hasData = true;
            for (int i = value; i < length; i++) {
                appendData(line[i]);
            }
        } else if (is(EVENT, 0, colon)) {
            measuredEvent = is(measured, value, length);
            typeLength = length - value;
            if (typeLength > type.length) {
                type = new byte[typeLength];
            }
            System.arraycopy(line, value, type, 0, typeLength);
        } else if (is(ID, 0, colon)) {
            pendingId = number(value, length);
        }
    }

    /** The decimal number in {@code line[from, to)}, or -1 if it is not one (or is too long). */
    private long number(int from, int to) {
        if (from == to || to - from > 18) {
            return -1;
        }
        long number = 0;
        for (int i = from; i < to; i++) {
            byte digit = line[i];
            if (digit < '0' || digit > '9') {
                return -1;
            }
            number = number * 10 + (digit - '0');
        }
        return number;
    }

    private void dispatch() {
        // as EventSource: the last event id is kept from one event to the next, and set even by an event without data
        lastEventId = pendingId;
        if (hasData) {
            listener.onEvent(measuredEvent, data, dataLength);
        }
        hasData = false;
        dataLength = 0;
        measuredEvent = false;
        typeLength = 0;
    }

    /**
     * The id of the event being dispatched: the value of the last {@code id:} field so far (on this
     * stream), or -1 if there was none or it is not a non-negative decimal number.
     */
    long lastEventId() {
        return lastEventId;
    }

    /** Whether the event being dispatched has this type ({@code event:} field); an event without one is a {@code message}. */
    boolean eventIs(byte[] expected) {
        return Arrays.equals(type, 0, typeLength, expected, 0, expected.length);
    }

    private void appendData(byte value) {
        if (dataLength == data.length) {
            data = Arrays.copyOf(data, data.length * 2);
        }
        data[dataLength++] = value;
    }

    private boolean is(byte[] expected, int from, int to) {
        return Arrays.equals(line, from, to, expected, 0, expected.length);
    }

    /** Receives complete events; {@code data} is only valid during the call. */
    @FunctionalInterface
    interface Listener {

        /**
         * @param measured whether the event has the type the parser was made for ({@code chunk} by default)
         */
        void onEvent(boolean measured, byte[] data, int length);
    }
}
