package dev.strand.bench.client;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Counters and latency histograms shared by all tabs of one client process; safe from any thread. */
final class ClientMetrics {

    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);

    private static final int ERRORS_PRINTED = 5;

    final LongAdder tabsOpened = new LongAdder();

    final LongAdder tabsFailed = new LongAdder();

    final LongAdder streamsDropped = new LongAdder();

    final LongAdder chunks = new LongAdder();

    final LongAdder lost = new LongAdder();

    final LongAdder duplicates = new LongAdder();

    final LongAdder malformed = new LongAdder();

    final LongAdder startsSent = new LongAdder();

    final LongAdder startsFailed = new LongAdder();

    private final AtomicLong connected = new AtomicLong();

    private final AtomicLong peakConnected = new AtomicLong();

    private final AtomicLong secondMax = new AtomicLong();

    private final AtomicInteger errorsPrinted = new AtomicInteger();

    private volatile boolean finished;

    private final Recorder chunkLatency = new Recorder(MAX_MICROS, 3);

    private final Recorder startLatency = new Recorder(MAX_MICROS, 3);

    private final Recorder connectLatency = new Recorder(MAX_MICROS, 3);

    void streamOpened() {
        peakConnected.accumulateAndGet(connected.incrementAndGet(), Math::max);
    }

    void streamClosed() {
        connected.decrementAndGet();
    }

    void tabOpened(long connectNanos) {
        tabsOpened.increment();
        record(connectLatency, connectNanos / 1_000);
    }

    void chunk(long deliveryMicros) {
        chunks.increment();
        record(chunkLatency, deliveryMicros);
        secondMax.accumulateAndGet(deliveryMicros, Math::max);
    }

    /** The largest delivery latency since the last call, in microseconds, for the per-second timeline. */
    long takeSecondMax() {
        return secondMax.getAndSet(0);
    }

    void started(long startNanos) {
        record(startLatency, startNanos / 1_000);
    }

    /** Counts a failure and prints the first few, so a broken target shows why; ignored once finished. */
    void failed(LongAdder counter, String what, Throwable error) {
        if (finished) {
            return;
        }
        counter.increment();
        if (errorsPrinted.getAndIncrement() < ERRORS_PRINTED) {
            System.err.println(what + " failed: " + error);
        }
    }

    /** From now on the client is closing its tabs: their failures are its own doing. */
    void finish() {
        finished = true;
    }

    long peakConnected() {
        return peakConnected.get();
    }

    /** Forgets the chunk latencies so far, those of the warm-up while tabs were connecting. */
    void resetChunkLatency() {
        chunkLatency.reset();
    }

    /** Forgets every latency so far and the start counts: what the warm-up did is not reported. */
    void resetLatencies() {
        chunkLatency.reset();
        startLatency.reset();
        connectLatency.reset();
        startsSent.reset();
        startsFailed.reset();
    }

    /**
     * Chunk latencies since {@link #resetChunkLatency()}, and start and connect latencies since the
     * beginning or the end of the warm-up ({@link #resetLatencies()}).
     */
    Latencies latencies() {
        return new Latencies(chunkLatency.getIntervalHistogram(), startLatency.getIntervalHistogram(),
                connectLatency.getIntervalHistogram());
    }

    private static void record(Recorder recorder, long micros) {
        recorder.recordValue(Math.clamp(micros, 0, MAX_MICROS));
    }

    record Latencies(Histogram chunk, Histogram start, Histogram connect) {
    }
}
