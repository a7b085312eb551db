package dev.strand.web;

import dev.strand.internal.Tab;
import java.time.Duration;
import java.util.List;
import org.springframework.http.ReactiveHttpOutputMessage;
import reactor.core.publisher.Mono;

/**
 * For the JMH benchmarks, which have no server: one tab's stream as Strand's endpoint writes it (its
 * {@code SseConnection}: the tab's log read into batches of SSE frames), into any response. The batches are
 * plain heap buffers, as on a server whose connection's writability is not known.
 */
public final class BenchStream {

    private BenchStream() {
    }

    /**
     * Stream a tab into a response, from its first event; no heartbeat after the first (for an hour).
     * @param tab the tab, which the stream connects
     * @param response where the batches go
     * @return completes when the stream ends
     */
    public static Mono<Void> write(Tab tab, ReactiveHttpOutputMessage response) {
        SseConnection.Heartbeats heartbeats = new SseConnection.Heartbeats(Duration.ofHours(1), Duration.ofHours(2));
        return SseConnection.write(response, List.of(new SseConnection.Source("bench", tab, 0, null)), false, heartbeats,
                Writability.ALWAYS);
    }
}
