package dev.strand.bench.client;

import dev.strand.bench.Clock;
import dev.strand.bench.Payload;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/**
 * One simulated browser tab, doing what strand.js does: GET the page (keeping its cookies), read the
 * view id from {@code <meta name="strand-view">}, open the event stream, then POST starts and
 * cancels with the {@code Strand-View} header. It checks each task's chunk numbers for gaps and
 * duplicates and records delivery and start latencies.
 */
final class ClientTab {

    private static final Pattern VIEW_ID = Pattern.compile("<meta\\s+name=\"strand-view\"\\s+content=\"([^\"]+)\"");

    private final Target target;

    private final HttpClient requests;

    private final HttpClient streams;

    private final String startForm;

    private final ClientMetrics metrics;

    private final SseParser parser;

    private volatile @Nullable String viewId;

    /** The {@code Cookie} header from the page's {@code Set-Cookie}s, or {@code null} if it set none. */
    private volatile @Nullable String cookieHeader;

    private volatile @Nullable Disposable stream;

    private volatile boolean closing;

    /** Whether the stream's response headers came and it has not ended or been closed since. */
    private final AtomicBoolean streamOpen = new AtomicBoolean();

    /** When the pending start was sent ({@link System#nanoTime()}), or 0 once its first chunk came. */
    private volatile long startSentNanos;

    /** The chunk number expected next; touched only by the stream's event loop. */
    private long nextSeq = 1;

    /**
     * @param requests for the page and the POSTs (pooled)
     * @param streams for the event stream (a connection of its own, bound to a source address)
     * @param measuredEvent the event type whose stamps are counted and timed
     * @param cookies the {@code Cookie} header to start with (a tab opened in the same browser as an
     *     earlier one), or {@code null}
     */
    ClientTab(Target target, HttpClient requests, HttpClient streams, String startForm, ClientMetrics metrics,
            String measuredEvent, @Nullable String cookies) {
        this.target = target;
        this.requests = requests;
        this.streams = streams;
        this.startForm = startForm;
        this.metrics = metrics;
        this.parser = new SseParser(measuredEvent, this::onEvent);
        this.cookieHeader = cookies;
    }

    /** The {@code Cookie} header this tab sends, or {@code null} if it has none. */
    @Nullable String cookies() {
        return cookieHeader;
    }

    /** Loads the page and connects the stream; completes when the stream's response headers arrive. */
    Mono<Void> open() {
        long began = System.nanoTime();
        return requests.headers(this::withCookies).get().uri(target.page()).responseSingle((response, body) -> {
            if (response.status().code() != 200) {
                return Mono.error(new IllegalStateException("answered " + response.status()));
            }
            rememberCookies(response.responseHeaders());
            return body.asString();
        }).onErrorMap(error -> failure("GET " + target.page(), error)).flatMap(html -> {
            Matcher matcher = VIEW_ID.matcher(html);
            if (!matcher.find()) {
                return Mono.error(new IllegalStateException("GET " + target.page()
                        + " returned no <meta name=\"strand-view\" content=\"...\">; expected the page of a Strand view"));
            }
            viewId = matcher.group(1);
            return connect(matcher.group(1));
        }).doOnSuccess(ignored -> metrics.tabOpened(System.nanoTime() - began));
    }

    /** POSTs a start; its first chunk's arrival is the start latency. */
    void start() {
        String view = viewId;
        if (view == null) {
            return;
        }
        startSentNanos = System.nanoTime();
        metrics.startsSent.increment();
        post(view, target.start(), startForm).subscribe(status -> {
            if (status / 100 != 2) {
                startFailed(new IllegalStateException("answered " + status));
            }
        }, this::startFailed);
    }

    private void startFailed(Throwable error) {
        startSentNanos = 0;
        metrics.failed(metrics.startsFailed, "POST " + target.start(), error);
    }

    /** POSTs a cancel, then closes the stream. */
    void cancelAndClose() {
        String view = viewId;
        if (view == null) {
            close();
            return;
        }
        post(view, target.cancel(), "").onErrorComplete().doFinally(signal -> close()).subscribe();
    }

    /** Whether the stream is open and no start is waiting for its first chunk. */
    boolean settled() {
        return streamOpen.get() && startSentNanos == 0;
    }

    /** Closes the stream's connection. */
    void close() {
        closing = true;
        streamGone();
        Disposable current = stream;
        if (current != null) {
            current.dispose();
        }
    }

    private Mono<Void> connect(String view) {
        Sinks.Empty<Void> connected = Sinks.empty();
        stream = streams.headers(headers -> withCookies(headers).set(HttpHeaderNames.ACCEPT, "text/event-stream"))
                .get()
                .uri(target.stream() + "?view=" + view + "&lastEventId=0")
                .response((response, body) -> {
                    if (response.status().code() != 200) {
                        return Mono.error(new IllegalStateException("answered " + response.status()));
                    }
                    streamOpen.set(true);
                    metrics.streamOpened();
                    connected.tryEmitEmpty();
                    return body.doOnNext(parser::feed).then();
                })
                .subscribe(ignored -> {
                }, error -> ended(connected, error), () -> ended(connected, null));
        return connected.asMono();
    }

    private void ended(Sinks.Empty<Void> connected, @Nullable Throwable error) {
        Throwable cause = failure("GET " + target.stream(),
                error != null ? error : new IllegalStateException("ended before it was connected"));
        if (connected.tryEmitError(cause).isSuccess()) {
            return;
        }
        streamGone();
        if (!closing) {
            metrics.failed(metrics.streamsDropped, "stream " + viewId, cause);
        }
    }

    private Mono<Integer> post(String view, String path, String form) {
        return requests.headers(headers -> withCookies(headers).set("Strand-View", view)
                        .set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded"))
                .post()
                .uri(path)
                .send(ByteBufFlux.fromString(Mono.just(form)))
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                        .map(ignored -> response.status().code()));
    }

    private void onEvent(boolean chunk, byte[] data, int length) {
        if (!chunk) {
            return;
        }
        Payload.Stamp stamp = Payload.parse(data, length);
        if (stamp == null) {
            metrics.malformed.increment();
            return;
        }
        metrics.chunk(Clock.epochMicros() - stamp.epochMicros());
        long seq = stamp.seq();
        if (seq == 1) {
            long sent = startSentNanos;
            if (sent != 0) {
                startSentNanos = 0;
                metrics.started(System.nanoTime() - sent);
            }
        } else if (seq < nextSeq) {
            metrics.duplicates.increment();
            return;
        } else if (seq > nextSeq) {
            metrics.lost.add(seq - nextSeq);
        }
        nextSeq = seq + 1;
    }

    private void streamGone() {
        if (streamOpen.compareAndSet(true, false)) {
            metrics.streamClosed();
        }
    }

    private static IllegalStateException failure(String request, Throwable error) {
        return new IllegalStateException(request + " failed: " + error, error);
    }

    /** Adds the response's {@code Set-Cookie}s to the cookies this tab sends (a browser's cookie jar). */
    private void rememberCookies(HttpHeaders headers) {
        if (!headers.contains(HttpHeaderNames.SET_COOKIE)) {
            return;
        }
        Map<String, String> cookies = new LinkedHashMap<>();
        String current = cookieHeader;
        if (current != null) {
            for (String pair : current.split("; ")) {
                int equals = pair.indexOf('=');
                if (equals > 0) {
                    cookies.put(pair.substring(0, equals), pair.substring(equals + 1));
                }
            }
        }
        for (String setCookie : headers.getAll(HttpHeaderNames.SET_COOKIE)) {
            String pair = setCookie.split(";", 2)[0];
            int equals = pair.indexOf('=');
            if (equals > 0) {
                cookies.put(pair.substring(0, equals).strip(), pair.substring(equals + 1).strip());
            }
        }
        cookieHeader = cookies.isEmpty() ? null : cookies.entrySet().stream()
                .map(cookie -> cookie.getKey() + "=" + cookie.getValue())
                .collect(Collectors.joining("; "));
    }

    private HttpHeaders withCookies(HttpHeaders headers) {
        String cookie = cookieHeader;
        return cookie == null ? headers : headers.set(HttpHeaderNames.COOKIE, cookie);
    }
}
