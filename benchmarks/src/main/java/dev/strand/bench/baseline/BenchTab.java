package dev.strand.bench.baseline;

import dev.strand.bench.ChunkTask;
import dev.strand.bench.StartRequest;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * One browser tab on a baseline server: created by the page, connected by its stream, running at
 * most one task (a later start cancels the earlier one), and numbering its events.
 */
public final class BenchTab {

    private final String id;

    private final long createdNanos = System.nanoTime();

    private final BenchTabs owner;

    private @Nullable EventSink sink;

    private @Nullable Future<?> task;

    private long lastEventId;

    private boolean closed;

    BenchTab(String id, BenchTabs owner) {
        this.id = id;
        this.owner = owner;
    }

    public String id() {
        return id;
    }

    /**
     * Attaches the tab's stream and sends the first heartbeat, so the response headers go out.
     *
     * @return {@code false} if the tab is closed or already has a stream
     */
    public synchronized boolean connect(EventSink sink) {
        if (closed || this.sink != null) {
            return false;
        }
        this.sink = sink;
        sink.heartbeat();
        return true;
    }

    /**
     * Starts a task, cancelling the one running.
     *
     * @return {@code false} if the tab has no open stream
     */
    public synchronized boolean start(StartRequest request) {
        if (closed || sink == null) {
            return false;
        }
        cancel();
        task = owner.submit(() -> run(request));
        return true;
    }

    /** Cancels the running task, if any, interrupting its thread. */
    public synchronized void cancel() {
        if (task != null) {
            task.cancel(true);
            task = null;
        }
    }

    synchronized boolean heartbeat() {
        return sink != null && !closed && sink.heartbeat();
    }

    synchronized boolean connected() {
        return sink != null;
    }

    long ageNanos() {
        return System.nanoTime() - createdNanos;
    }

    synchronized void close() {
        closed = true;
        cancel();
    }

    private void run(StartRequest request) {
        try {
            ChunkTask.run(request, this::push);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean push(String text) {
        String data = owner.chunkData(text);
        synchronized (this) {
            return sink != null && !closed && sink.chunk(++lastEventId, data);
        }
    }
}
