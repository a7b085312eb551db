package dev.strand.web;

import dev.strand.internal.Tab;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.reactive.function.BodyInserter;
import reactor.core.publisher.Mono;

/**
 * For the JMH benchmarks, which have no server: one tab's stream as Strand's endpoint writes it (its
 * {@code SseConnection}: the tab's log read into batches of SSE frames), into any response. The batches are
 * plain heap buffers, as on a server whose connection's writability is not known.
 */
public final class BenchStream {

    private static final BodyInserter.Context CONTEXT = new BodyInserter.Context() {

        @Override
        public List<HttpMessageWriter<?>> messageWriters() {
            return List.of();
        }

        @Override
        public Optional<ServerHttpRequest> serverRequest() {
            return Optional.empty();
        }

        @Override
        public Map<String, Object> hints() {
            return Map.of();
        }
    };

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
        return SseConnection.body(List.of(new SseConnection.Source("bench", tab, 0, null)), false, heartbeats,
                Writability.ALWAYS).insert(response, CONTEXT);
    }
}
