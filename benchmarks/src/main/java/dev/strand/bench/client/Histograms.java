package dev.strand.bench.client;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * A run's three latency histograms (microseconds), compressed and Base64-encoded, so reports from
 * several client processes can be merged exactly.
 */
record Histograms(String chunk, String start, String connect) {

    static Histograms encode(Histogram chunk, Histogram start, Histogram connect) {
        return new Histograms(encode(chunk), encode(start), encode(connect));
    }

    static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
    }

    static Histogram decode(String encoded) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(encoded)), 0);
        } catch (DataFormatException ex) {
            throw new IllegalArgumentException("not a compressed HdrHistogram: " + ex.getMessage(), ex);
        }
    }

    Histograms plus(Histograms other) {
        return new Histograms(add(chunk, other.chunk), add(start, other.start), add(connect, other.connect));
    }

    private static String add(String left, String right) {
        Histogram sum = decode(left);
        sum.add(decode(right));
        return encode(sum);
    }
}
