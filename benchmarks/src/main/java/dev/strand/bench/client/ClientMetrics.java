package dev.strand.bench.client;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

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

    // The slow-reader mix (--slow-readers, --stalled-readers): what the server did to the streams, and how
    // the tabs came back (see ClientReport.Readers).

    /** Streams the server ended (or whose connection it dropped) while the tab still wanted them, by reader kind. */
    final LongAdder[] streamsEnded = {new LongAdder(), new LongAdder(), new LongAdder()};

    final LongAdder reconnects = new LongAdder();

    final LongAdder reconnectsFailed = new LongAdder();

    final LongAdder expired = new LongAdder();

    final LongAdder resets = new LongAdder();

    final LongAdder closeEvents = new LongAdder();

    final LongAdder skippedByReset = new LongAdder();

    final LongAdder stalls = new LongAdder();

    final LongAdder stallsClosed = new LongAdder();

    final LongAdder tabsReplaced = new LongAdder();

    // The cluster scenario's kill (--kill-pid): when it happened, and how the tabs came back (see ClusterReport).

    /** When the client killed the server ({@link System#nanoTime()}); 0 before it did. */
    private volatile long killNanos;

    /** Remount attempts whose page GET failed (tried again after a back-off). */
    final LongAdder remountAttemptsFailed = new LongAdder();

    /** What made tabs remount: a close event's reason, or the status that said the view is gone. */
    private final Map<String, LongAdder> remountCauses = new ConcurrentHashMap<>();

    /** Why streams ended ({@code completed}, or the error's class and message) and reconnects failed, counted. */
    private final Map<String, LongAdder> endings = new ConcurrentHashMap<>();

    private static final int ENDINGS_KEPT = 30;

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

    /**
     * A chunk of a slow or stalled tab: counted, but its delivery latency (mostly the time it waited for
     * the tab to read it) is not recorded, so that the latencies are those of the tabs that read at once.
     */
    void chunkUntimed() {
        chunks.increment();
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

    /** The server ended a stream its tab still wanted (the tab then reconnects); ignored once finished. */
    void streamEnded(ClientTab.Reader reader, @Nullable Throwable error) {
        if (finished) {
            return;
        }
        streamsEnded[reader.ordinal()].increment();
        count("stream ended: " + describe(error));
    }

    /** A reconnect failed otherwise than with 404 or 410 (the tab tries again); ignored once finished. */
    void reconnectFailed(Throwable error) {
        if (finished) {
            return;
        }
        reconnectsFailed.increment();
        count("reconnect failed: " + describe(error.getCause() != null ? error.getCause() : error));
    }

    /** How many streams ended and reconnects failed, by what happened. */
    Map<String, Long> endings() {
        Map<String, Long> counts = new TreeMap<>();
        endings.forEach((what, count) -> counts.put(what, count.sum()));
        return counts;
    }

    private void count(String what) {
        LongAdder counter = endings.get(what);
        if (counter == null) {
            counter = endings.size() < ENDINGS_KEPT ? endings.computeIfAbsent(what, key -> new LongAdder())
                    : endings.computeIfAbsent("other", key -> new LongAdder());
        }
        counter.increment();
    }

    /** {@code completed}, or an error's class and message without channel ids and addresses. */
    private static String describe(@Nullable Throwable error) {
        if (error == null) {
            return "completed";
        }
        String message = String.valueOf(error.getMessage()).replaceAll("\\[[^]]*]", "").replaceAll("\\s+", " ").strip();
        if (message.length() > 120) {
            message = message.substring(0, 120);
        }
        return error.getClass().getSimpleName() + ": " + message;
    }

    /** The client is about to kill the server: from now on the tabs' recoveries are timed from this instant. */
    void killed(long nanos) {
        killNanos = nanos;
    }

    /** When the server was killed ({@link System#nanoTime()}), or 0 if it was not (yet). */
    long killNanos() {
        return killNanos;
    }

    /** A tab began to remount, because of {@code cause} (a close event's reason, or a status). */
    void remountBegan(String cause) {
        remountCauses.computeIfAbsent(cause, key -> new LongAdder()).increment();
    }

    /** What made tabs remount, counted. */
    Map<String, Long> remountCauses() {
        Map<String, Long> counts = new TreeMap<>();
        remountCauses.forEach((cause, count) -> counts.put(cause, count.sum()));
        return counts;
    }

    /** From now on the client is closing its tabs: their failures are its own doing. */
    void finish() {
        finished = true;
    }

    /** Whether the client is closing its tabs (see {@link #finish()}). */
    boolean finished() {
        return finished;
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
