package dev.strand.bench.client;

import org.HdrHistogram.Histogram;

/** A latency histogram's count and percentiles, in microseconds. */
record LatencySummary(long count, long p50, long p99, long p999, long max) {

    static LatencySummary of(Histogram histogram) {
        return new LatencySummary(histogram.getTotalCount(), histogram.getValueAtPercentile(50),
                histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9), histogram.getMaxValue());
    }

    /** {@code p50 0.21 p99 1.30 p99.9 2.10 max 4.00 ms}, or {@code none} when empty. */
    String toMillis() {
        if (count == 0) {
            return "none";
        }
        return "p50 %s p99 %s p99.9 %s max %s ms".formatted(ms(p50), ms(p99), ms(p999), ms(max));
    }

    static String ms(long micros) {
        return String.format("%.2f", micros / 1000.0);
    }
}
