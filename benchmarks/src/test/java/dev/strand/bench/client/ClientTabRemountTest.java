package dev.strand.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import org.reactivestreams.Publisher;

/**
 * A tab of the cluster scenario against a fake Strand server: it recovers as strand.js does, remounting on a new
 * view when its view is gone (a close event, or a status of 410) and reconnecting to the same view otherwise.
 */
class ClientTabRemountTest {

    /** How the fake server's first view's stream behaves. */
    private enum FirstStream { CLOSE_EVENT, ENDS_THEN_410, ENDS_THEN_200 }

    private DisposableServer server;

    private final AtomicInteger pages = new AtomicInteger();

    private final List<String> streams = new CopyOnWriteArrayList<>();

    private final ClientMetrics metrics = new ClientMetrics();

    @AfterEach
    void stop() {
        if (server != null) {
            server.disposeNow();
        }
    }

    @Test
    void aCloseEventRemountsTheTabOnTheNewViewOfAFreshPage() {
        ClientTab tab = open(FirstStream.CLOSE_EVENT);
        long closedAt = System.nanoTime();

        await(() -> tab.remountedNanos() != 0);

        assertThat(tab.home()).isEqualTo("222");
        assertThat(metrics.remountCauses()).containsExactly(java.util.Map.entry("close remount", 1L));
        // the new view's stream starts from the event id the page was rendered at (its strand-event meta)
        assertThat(streams).containsExactly("view=v1&lastEventId=0", "view=v2&lastEventId=7");
        // strand.js waits its back-off (at least 0.125 s) before fetching the page again
        assertThat(tab.remountedNanos() - closedAt).isGreaterThan(Duration.ofMillis(100).toNanos());
        assertThat(tab.reconnectedNanos()).isZero();
        assertThat(tab.recovered()).isTrue();
        tab.close();
    }

    @Test
    void aStreamThatEndsWhoseViewIsGoneRemountsWithTheStatusReason() {
        ClientTab tab = open(FirstStream.ENDS_THEN_410);

        await(() -> tab.remountedNanos() != 0);

        assertThat(metrics.remountCauses()).containsExactly(java.util.Map.entry("status 410 remount", 1L));
        assertThat(streams).containsExactly("view=v1&lastEventId=0", "view=v2&lastEventId=7");
        tab.close();
    }

    @Test
    void aStreamThatEndsWhoseViewLivesReconnectsFromTheLastEventIdSeen() {
        ClientTab tab = open(FirstStream.ENDS_THEN_200);

        await(() -> tab.reconnectedNanos() != 0);

        assertThat(streams).containsExactly("view=v1&lastEventId=0", "view=v1&lastEventId=5");
        assertThat(tab.remountedNanos()).isZero();
        assertThat(metrics.remountCauses()).isEmpty();
        assertThat(pages.get()).isEqualTo(1);
        tab.close();
    }

    private ClientTab open(FirstStream first) {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> handle(first, request, response))
                .bindNow();
        String base = "http://127.0.0.1:" + server.port();
        Target target = new Target("fake", URI.create(base), "/bench", "/strand/stream", "/bench/start",
                "/bench/cancel", null);
        ClientTab tab = new ClientTab(target, HttpClient.create().baseUrl(base), HttpClient.newConnection().baseUrl(base),
                "rate=1&count=1&size=8", metrics, "chunk", null, ClientTab.Reader.NORMAL, ClientOptions.Readers.NONE,
                gone -> {
                }, true);
        metrics.killed(System.nanoTime());
        tab.open().block(Duration.ofSeconds(10));
        assertThat(tab.home()).isEqualTo("111");
        return tab;
    }

    private Publisher<Void> handle(FirstStream first, HttpServerRequest request, HttpServerResponse response) {
        String uri = request.uri();
        if (uri.startsWith("/bench")) {
            int n = pages.incrementAndGet();
            return response.header("Bench-Node", n == 1 ? "111" : "222").header("Content-Type", "text/html")
                    .sendString(Mono.just("<html><head><meta name=\"strand-view\" content=\"v" + n + "\">\n"
                            + "<meta name=\"strand-event\" content=\"" + (n == 1 ? 0 : 7) + "\"></head></html>"));
        }
        if (uri.startsWith("/strand/stream/status")) {
            return first == FirstStream.ENDS_THEN_410
                    ? response.status(410).sendString(Mono.just("remount"))
                    : response.status(200).send();
        }
        String query = uri.substring(uri.indexOf('?') + 1);
        streams.add(query);
        response.header("Content-Type", "text/event-stream");
        if (query.startsWith("view=v1") && streams.size() == 1) {
            Flux<String> events = Flux.just(":hb\n\n", "id: 5\nevent: outcome\ndata: {}\n\n");
            return switch (first) {
                case CLOSE_EVENT -> response.sendString(events.concatWith(Mono.delay(Duration.ofMillis(100))
                        .thenReturn("event: close\ndata: {\"reason\":\"remount\"}\n\n")).concatWith(Flux.never()));
                case ENDS_THEN_410, ENDS_THEN_200 -> response.sendString(events);
            };
        }
        return response.sendString(Flux.just(":hb\n\n").concatWith(Flux.never()));
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            try {
                Thread.sleep(20);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }
    }
}
