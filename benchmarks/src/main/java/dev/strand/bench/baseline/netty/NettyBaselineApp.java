package dev.strand.bench.baseline.netty;

import dev.strand.bench.Json;
import dev.strand.bench.ProcessStats;
import dev.strand.bench.SseFrames;
import dev.strand.bench.StartRequest;
import dev.strand.bench.baseline.BenchPage;
import dev.strand.bench.baseline.BenchTab;
import dev.strand.bench.baseline.BenchTabs;
import dev.strand.bench.baseline.EventSink;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The floor: the bench endpoints on raw Reactor Netty, no Spring, one virtual thread per task,
 * frames written by hand and flushed one by one. Port from {@code -Dserver.port} (default 8080).
 */
public final class NettyBaselineApp {

    private final BenchTabs tabs = new BenchTabs(Executors.newVirtualThreadPerTaskExecutor(), SseFrames::chunkData);

    public static void main(String[] args) {
        NettyBaselineApp app = new NettyBaselineApp();
        DisposableServer server = HttpServer.create()
                .host("127.0.0.1")
                .port(Integer.getInteger("server.port", 8080))
                .route(routes -> routes
                        .get("/bench", app::page)
                        .get("/strand/stream", app::stream)
                        .post("/bench/start", app::start)
                        .post("/bench/cancel", app::cancel)
                        .get("/bench/stats", app::stats))
                .bindNow();
        System.out.println("Netty baseline listening on " + server.address());
        server.onDispose().block();
    }

    private Publisher<Void> page(HttpServerRequest request, HttpServerResponse response) {
        String html = BenchPage.html(tabs.create().id());
        return response.header(HttpHeaderNames.CONTENT_TYPE, "text/html;charset=UTF-8").sendString(Mono.just(html));
    }

    private Publisher<Void> stream(HttpServerRequest request, HttpServerResponse response) {
        BenchTab tab = tab(first(new QueryStringDecoder(request.uri()).parameters(), "view"));
        if (tab == null) {
            return response.status(HttpResponseStatus.NOT_FOUND).send();
        }
        Sinks.Many<String> frames = Sinks.many().unicast().onBackpressureBuffer();
        if (!tab.connect(new FrameSink(frames))) {
            return response.status(HttpResponseStatus.CONFLICT).sendString(Mono.just("view already has a stream"));
        }
        return response.header(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .send(frames.asFlux()
                        .map(frame -> ByteBufUtil.writeUtf8(response.alloc(), frame))
                        .doFinally(signal -> tabs.remove(tab)), buffer -> true);
    }

    private Publisher<Void> start(HttpServerRequest request, HttpServerResponse response) {
        BenchTab tab = tab(request.requestHeaders().get("Strand-View"));
        if (tab == null) {
            return response.status(HttpResponseStatus.NOT_FOUND).send();
        }
        return request.receive().aggregate().asString().defaultIfEmpty("").flatMap(body -> {
            Map<String, List<String>> form = new QueryStringDecoder(body, false).parameters();
            StartRequest startRequest;
            try {
                startRequest = StartRequest.from(name -> first(form, name));
            } catch (IllegalArgumentException ex) {
                return response.status(HttpResponseStatus.BAD_REQUEST).sendString(Mono.just(ex.getMessage())).then();
            }
            return tab.start(startRequest)
                    ? response.status(HttpResponseStatus.ACCEPTED).send().then()
                    : response.status(HttpResponseStatus.CONFLICT).sendString(Mono.just("view has no stream")).then();
        });
    }

    private Publisher<Void> cancel(HttpServerRequest request, HttpServerResponse response) {
        BenchTab tab = tab(request.requestHeaders().get("Strand-View"));
        if (tab == null) {
            return response.status(HttpResponseStatus.NOT_FOUND).send();
        }
        tab.cancel();
        return response.status(HttpResponseStatus.ACCEPTED).send();
    }

    private Publisher<Void> stats(HttpServerRequest request, HttpServerResponse response) {
        return response.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .sendString(Mono.fromCallable(() -> Json.write(ProcessStats.capture(tabs.gauges(),
                        !"false".equals(first(new QueryStringDecoder(request.uri()).parameters(), "gc"))))));
    }

    private @Nullable BenchTab tab(@Nullable String viewId) {
        return viewId == null ? null : tabs.find(viewId);
    }

    private static @Nullable String first(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private record FrameSink(Sinks.Many<String> frames) implements EventSink {

        @Override
        public boolean chunk(long id, String data) {
            return frames.tryEmitNext(SseFrames.chunk(id, data)).isSuccess();
        }

        @Override
        public boolean heartbeat() {
            return frames.tryEmitNext(SseFrames.HEARTBEAT).isSuccess();
        }
    }
}
