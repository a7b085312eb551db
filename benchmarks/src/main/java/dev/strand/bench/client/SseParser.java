package dev.strand.bench.client;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An incremental {@code text/event-stream} parser (LF, CR or CRLF line ends, comments skipped, one
 * optional space after a field's colon) that hands each event's data bytes to a listener without
 * allocating per event.
 */
final class SseParser {

    private static final byte[] DATA = {'d', 'a', 't', 'a'};

    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't'};

    private final byte[] measured;

    private final Listener listener;

    private byte[] line = new byte[256];

    private int lineLength;

    private byte[] data = new byte[256];

    private int dataLength;

    private boolean hasData;

    private boolean measuredEvent;

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
        }
    }

    private void dispatch() {
        if (hasData) {
            listener.onEvent(measuredEvent, data, dataLength);
        }
        hasData = false;
        dataLength = 0;
        measuredEvent = false;
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
