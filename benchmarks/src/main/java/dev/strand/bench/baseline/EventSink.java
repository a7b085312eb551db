package dev.strand.bench.baseline;

/**
 * One tab's open event stream, as a web stack writes to it; calls are serialized by the tab.
 */
public interface EventSink {

    /**
     * Sends a chunk event and flushes it.
     *
     * @return {@code false} when the stream is gone
     */
    boolean chunk(long id, String data);

    /**
     * Sends the heartbeat comment and flushes it.
     *
     * @return {@code false} when the stream is gone
     */
    boolean heartbeat();
}
