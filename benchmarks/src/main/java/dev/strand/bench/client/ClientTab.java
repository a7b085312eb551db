package dev.strand.bench.client;

import dev.strand.bench.Clock;
import dev.strand.bench.Payload;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
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
 *
 * <p>In a slow-reader mix ({@link ClientOptions.Readers#mixed()}) a tab may read its stream slowly or
 * stall (see {@link Reader}), and when the server ends its stream it comes back as strand.js does: it
 * asks for its view's status, waits a jittered back-off and reconnects with the last event id it saw; a
 * {@code reset} event (a full re-render after a gap) covers the chunks it skips, and a view that is gone
 * (404, 410) or a {@code close} event has the tab replaced by a new one.
 *
 * <p>In the cluster scenario ({@link ClientOptions.Kill}) a tab does what strand.js does with a stream of its own
 * ({@code ownStream()}) and when its view is gone ({@code remount()}): a stream that fails (ends, or is refused)
 * asks for its view's status, then after strand.js's back-off ({@link StrandJs#backoff}) reconnects with the last
 * event id seen; a {@code close} event (other than {@code session-ended}) or a status of 404 or 410 remounts the
 * tab in place: up to {@link StrandJs#REMOUNT_ATTEMPTS} times, after a back-off, it GETs the page again, and the
 * new view's stream connects (from the page's {@code strand-event}). Like strand.js it starts no task then. It
 * notes where its view lives (the page's {@code Bench-Node} header) and when, after the kill, it remounted or
 * reconnected.
 */
final class ClientTab {

    private static final Pattern VIEW_ID = Pattern.compile("<meta\\s+name=\"strand-view\"\\s+content=\"([^\"]+)\"");

    private static final Pattern LAST_EVENT = Pattern.compile("<meta\\s+name=\"strand-event\"\\s+content=\"(\\d{1,18})\"");

    /** The response header in which the cluster scenario's servers name themselves (their pid). */
    static final String NODE_HEADER = "Bench-Node";

    private static final byte[] RESET = "reset".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] CLOSE = "close".getBytes(StandardCharsets.US_ASCII);

    /** How a tab reads its stream. */
    enum Reader {
        /** As fast as it comes. */
        NORMAL,
        /** At most one event per {@link ClientOptions.Readers#slowRead()}, by backpressure. */
        SLOW,
        /** In turns: reads, then stops reading (connection open), then reads on or closes. */
        STALLED
    }

    private final Target target;

    private final HttpClient requests;

    private final HttpClient streams;

    private final String startForm;

    private final ClientMetrics metrics;

    private final String measuredEvent;

    private final Reader reader;

    private final ClientOptions.Readers readers;

    /** Called once when this tab is gone for good (view expired, closed by the server, or closed after a stall). */
    private final Consumer<ClientTab> replace;

    private final AtomicBoolean replaced = new AtomicBoolean();

    private volatile @Nullable String viewId;

    /** The {@code Cookie} header from the page's {@code Set-Cookie}s, or {@code null} if it set none. */
    private volatile @Nullable String cookieHeader;

    private volatile @Nullable Disposable stream;

    private volatile boolean closing;

    /** Whether the stream's response headers came and it has not ended or been closed since. */
    private final AtomicBoolean streamOpen = new AtomicBoolean();

    /** When the pending start was sent ({@link System#nanoTime()}), or 0 once its first chunk came. */
    private volatile long startSentNanos;

    /** The chunk number expected next; touched only by the stream's reader (one connection at a time). */
    private long nextSeq = 1;

    /** The largest event id seen, sent as {@code lastEventId} when reconnecting; 0 for none. */
    private volatile long lastEventId;

    /** Whether a reset came and no chunk since: a gap in the chunk numbers is then the reset's, not a loss. */
    private boolean afterReset;

    /** Whether the server sent a {@code close} event: the view is gone, the stream is not reopened. */
    private volatile boolean serverClosed;

    /** Reconnects in a row that failed, for the back-off. */
    private volatile int failures;

    /** When a stalled tab next stops reading ({@link System#nanoTime()}); touched only by the stream's reader. */
    private long nextStallNanos;

    // strand.js's recovery (the cluster scenario): see the class comment

    /** Whether this tab recovers as strand.js does (the cluster scenario). */
    private final boolean strandJs;

    /** The server its view lives on (its page's {@code Bench-Node} header), or {@code null}. */
    private volatile @Nullable String home;

    /** Its view is gone and it is remounting (or stopped: the session ended, or it gave up): no reconnects. */
    private volatile boolean stopped;

    /** A remount fetched the page: the next stream that connects is the remounted view's. */
    private volatile boolean remountFetched;

    /** When it first remounted (its new view's stream connected) after the kill; 0: not since. */
    private volatile long remountedNanos;

    /** When its stream first reconnected to the same view after the kill; 0: not since. */
    private volatile long reconnectedNanos;

    /** Whether it gave up remounting, as strand.js does after five failed page fetches. */
    private volatile boolean gaveUp;

    /** Whether a {@code close} event said its session ended: the page stops. */
    private volatile boolean sessionEnded;

    /**
     * A tab that reads normally and never reconnects (the load client without a slow-reader mix).
     *
     * @param requests for the page and the POSTs (pooled)
     * @param streams for the event stream (a connection of its own, bound to a source address)
     * @param measuredEvent the event type whose stamps are counted and timed
     * @param cookies the {@code Cookie} header to start with (a tab opened in the same browser as an
     *     earlier one), or {@code null}
     */
    ClientTab(Target target, HttpClient requests, HttpClient streams, String startForm, ClientMetrics metrics,
            String measuredEvent, @Nullable String cookies) {
        this(target, requests, streams, startForm, metrics, measuredEvent, cookies, Reader.NORMAL,
                ClientOptions.Readers.NONE, tab -> {
                }, false);
    }

    /**
     * @param reader how this tab reads its stream
     * @param readers the mix's settings; when {@link ClientOptions.Readers#mixed()}, the tab reconnects
     *     when the server ends its stream
     * @param replace called once when the tab is gone for good and a new one should take its place
     * @param strandJs whether the tab recovers as strand.js does, reconnecting and remounting in place (the
     *     cluster scenario; not with a slow-reader mix)
     */
    ClientTab(Target target, HttpClient requests, HttpClient streams, String startForm, ClientMetrics metrics,
            String measuredEvent, @Nullable String cookies, Reader reader, ClientOptions.Readers readers,
            Consumer<ClientTab> replace, boolean strandJs) {
        this.target = target;
        this.requests = requests;
        this.streams = streams;
        this.startForm = startForm;
        this.metrics = metrics;
        this.measuredEvent = measuredEvent;
        this.cookieHeader = cookies;
        this.reader = reader;
        this.readers = readers;
        this.replace = replace;
        this.strandJs = strandJs;
        if (reader == Reader.STALLED) {
            nextStallNanos = System.nanoTime() + randomStall().toNanos();
        }
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
            home = response.responseHeaders().get(NODE_HEADER);
            return body.asString();
        }).onErrorMap(error -> failure("GET " + target.page(), error)).flatMap(html -> {
            Matcher matcher = VIEW_ID.matcher(html);
            if (!matcher.find()) {
                return Mono.error(new IllegalStateException("GET " + target.page()
                        + " returned no <meta name=\"strand-view\" content=\"...\">; expected the page of a Strand view"));
            }
            viewId = matcher.group(1);
            if (closing) {
                return Mono.<Void>empty(); // closed while its page loaded: no stream to leave open
            }
            return connect(matcher.group(1), 0);
        }).doOnSuccess(ignored -> metrics.tabOpened(System.nanoTime() - began));
    }

    /** POSTs a start; its first chunk's arrival is the start latency. */
    void start() {
        String view = viewId;
        if (view == null || closing) {
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

    /** Opens the stream from {@code lastId} on; completes when its response headers arrive. */
    private Mono<Void> connect(String view, long lastId) {
        Sinks.Empty<Void> connected = Sinks.empty();
        StreamReader streamReader = new StreamReader();
        Disposable current = streams.headers(headers -> withCookies(headers).set(HttpHeaderNames.ACCEPT, "text/event-stream"))
                .get()
                .uri(target.stream() + "?view=" + view + "&lastEventId=" + lastId)
                .response((response, body) -> {
                    if (response.status().code() != 200) {
                        return Mono.error(new StatusException(response.status().code(), response.status().toString()));
                    }
                    streamOpen.set(true);
                    metrics.streamOpened();
                    connected.tryEmitEmpty();
                    return read(body, streamReader);
                })
                .subscribe(ignored -> {
                }, error -> ended(connected, error), () -> ended(connected, null));
        stream = current;
        if (closing) {
            current.dispose(); // closed meanwhile: close() may have missed this stream
        }
        return connected.asMono();
    }

    /**
     * Reads the stream: at once, or for a slow or stalled tab with backpressure, a buffer at a time (each
     * parsed as it arrives, then a pause before the next is asked for), so that Reactor Netty stops reading
     * the socket, the kernel's receive buffer fills and TCP's window closes towards the server.
     */
    private Mono<Void> read(ByteBufFlux body, StreamReader streamReader) {
        if (reader == Reader.NORMAL) {
            return body.doOnNext(streamReader::feed).then();
        }
        return body.map(streamReader::feed).concatMap(this::pause, 1).then();
    }

    /** The pause after reading a buffer that held {@code events} events. */
    private Mono<?> pause(int events) {
        if (reader == Reader.SLOW) {
            return events == 0 ? Mono.empty() : Mono.delay(readers.slowRead().multipliedBy(events));
        }
        if (System.nanoTime() < nextStallNanos) {
            return Mono.empty();
        }
        metrics.stalls.increment();
        return Mono.delay(randomStall()).doOnNext(ignored -> afterStall());
    }

    /** A stall is over: read on (and stall again later), or close the tab and have it replaced. */
    private void afterStall() {
        if (ThreadLocalRandom.current().nextDouble() < readers.resume()) {
            nextStallNanos = System.nanoTime() + randomStall().toNanos();
        } else {
            metrics.stallsClosed.increment();
            replaceWithNew();
        }
    }

    private Duration randomStall() {
        long min = readers.stallMin().toNanos();
        long max = readers.stallMax().toNanos();
        return Duration.ofNanos(max > min ? ThreadLocalRandom.current().nextLong(min, max + 1) : min);
    }

    private void ended(Sinks.Empty<Void> connected, @Nullable Throwable error) {
        Throwable cause = failure("GET " + target.stream(),
                error != null ? error : new IllegalStateException("ended before it was connected"));
        if (connected.tryEmitError(cause).isSuccess()) {
            return;
        }
        streamGone();
        if (closing) {
            return;
        }
        if (strandJs) {
            status();
            return;
        }
        if (!readers.mixed()) {
            metrics.failed(metrics.streamsDropped, "stream " + viewId, cause);
            return;
        }
        metrics.streamEnded(reader, error);
        if (serverClosed) {
            replaceWithNew();
        } else {
            reconnect();
        }
    }

    /**
     * As strand.js when its stream fails: ask for the view's status; gone (404, 410): the page has
     * expired, and the tab is replaced by a new one (a reload); otherwise reconnect after a jittered
     * back-off, from the last event id seen.
     */
    private void reconnect() {
        String view = viewId;
        if (view == null || closing) {
            return;
        }
        requests.headers(this::withCookies).get().uri(target.stream() + "/status?view=" + view)
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                        .map(ignored -> response.status().code()))
                .onErrorReturn(0)
                .subscribe(status -> {
                    if (closing) {
                        return;
                    }
                    if (status == 404 || status == 410) {
                        metrics.expired.increment();
                        replaceWithNew();
                        return;
                    }
                    Mono.delay(backoff(failures)).subscribe(ignored -> reopen(view));
                });
    }

    /** strand.js's back-off: 0.25-0.75 s after the first failure, doubling up to 7.5-22.5 s. */
    private static Duration backoff(int failures) {
        double millis = Math.min(15_000, 500 * Math.pow(2, Math.min(failures, 10)))
                * (0.5 + ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis((long) millis);
    }

    private void reopen(String view) {
        if (closing) {
            return;
        }
        connect(view, lastEventId).subscribe(ignored -> {
        }, error -> {
            if (closing) {
                return;
            }
            int status = error.getCause() instanceof StatusException answered ? answered.status : 0;
            if (status == 404 || status == 410) {
                metrics.expired.increment();
                replaceWithNew();
                return;
            }
            failures++;
            metrics.reconnectFailed(error);
            reconnect();
        }, () -> {
            failures = 0;
            metrics.reconnects.increment();
        });
    }

    // ---- strand.js's recovery (the cluster scenario) ----

    /** A {@code close} event: the page stops ({@code session-ended}) or remounts (any other reason). */
    private void closed(String reason) {
        if (StrandJs.SESSION_ENDED.equals(reason)) {
            stopped = true;
            sessionEnded = true;
            metrics.remountBegan("close " + reason + " (stopped)");
            dropStream();
            return;
        }
        remount("close " + reason);
    }

    /**
     * strand.js's {@code status()} after its stream failed: 404 or 410 remounts the tab; anything else (200,
     * no answer) reconnects after the back-off.
     */
    private void status() {
        String view = viewId;
        if (view == null || closing || stopped) {
            return;
        }
        requests.headers(this::withCookies).get().uri(target.stream() + "/status?view=" + view)
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                        .map(text -> new Answer(response.status().code(), text.strip())))
                .onErrorReturn(new Answer(0, ""))
                .subscribe(answer -> {
                    if (closing || stopped || !view.equals(viewId)) {
                        return;
                    }
                    if (answer.status == 404 || answer.status == 410) {
                        String why = answer.status == 410 && !answer.body.isEmpty() ? answer.body : "not-found";
                        remount("status " + answer.status + " " + why);
                        return;
                    }
                    Mono.delay(StrandJs.backoff(failures++)).subscribe(ignored -> openStream(view));
                });
    }

    private record Answer(int status, String body) {
    }

    /** strand.js's {@code open()}: the view's stream from the last event id seen; on failure, {@link #status()}. */
    private void openStream(String view) {
        if (closing || stopped || !view.equals(viewId)) {
            return;
        }
        connect(view, lastEventId).subscribe(ignored -> {
        }, error -> {
            if (!closing && !stopped && view.equals(viewId)) {
                status();
            }
        }, () -> {
            failures = 0;
            long now = System.nanoTime();
            long kill = metrics.killNanos();
            if (remountFetched) {
                remountFetched = false;
                if (kill != 0 && remountedNanos == 0) {
                    remountedNanos = now;
                }
            } else if (kill != 0 && reconnectedNanos == 0) {
                reconnectedNanos = now;
            }
        });
    }

    /**
     * strand.js's {@code remount(reason)}: the view is gone; up to five times, after a back-off, GET the page
     * again; the first that answers 200 with a view gives the tab its new view, whose stream then connects.
     */
    private void remount(String cause) {
        if (stopped || closing) {
            return;
        }
        stopped = true;
        metrics.remountBegan(cause);
        dropStream();
        attempt(0);
    }

    private void attempt(int attempt) {
        if (closing) {
            return;
        }
        if (attempt == StrandJs.REMOUNT_ATTEMPTS) {
            gaveUp = true;
            return;
        }
        Mono.delay(StrandJs.backoff(attempt))
                .then(requests.headers(headers -> withCookies(headers).set(HttpHeaderNames.ACCEPT, "text/html"))
                        .get().uri(target.page())
                        .responseSingle((response, body) -> {
                            if (response.status().code() != 200) {
                                return Mono.<Page>empty();
                            }
                            rememberCookies(response.responseHeaders());
                            String node = response.responseHeaders().get(NODE_HEADER);
                            return body.asString().mapNotNull(html -> Page.of(html, node));
                        }))
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .onErrorReturn(Optional.empty())
                .subscribe(fetched -> {
                    if (closing) {
                        return;
                    }
                    if (fetched.isEmpty()) {
                        // unreachable, answered otherwise than 200, or without a view: try again
                        metrics.remountAttemptsFailed.increment();
                        attempt(attempt + 1);
                        return;
                    }
                    Page page = fetched.get();
                    home = page.home;
                    viewId = page.view;
                    lastEventId = page.lastEventId;
                    nextSeq = 1;
                    afterReset = false;
                    serverClosed = false;
                    failures = 0;
                    remountFetched = true;
                    stopped = false;
                    openStream(page.view);
                });
    }

    /** A page fetched by a remount: its view, the last event id it was rendered at, and the server that answered. */
    private record Page(String view, long lastEventId, @Nullable String home) {

        static @Nullable Page of(String html, @Nullable String home) {
            Matcher view = VIEW_ID.matcher(html);
            if (!view.find()) {
                return null;
            }
            Matcher event = LAST_EVENT.matcher(html);
            return new Page(view.group(1), event.find() ? Long.parseLong(event.group(1)) : 0, home);
        }
    }

    /** Closes the stream without closing the tab. */
    private void dropStream() {
        streamGone();
        Disposable current = stream;
        if (current != null) {
            current.dispose();
        }
    }

    /** The server its view lives on ({@code Bench-Node}), or {@code null}. */
    @Nullable String home() {
        return home;
    }

    /** When it first remounted after the kill ({@link System#nanoTime()}), 0 if it did not. */
    long remountedNanos() {
        return remountedNanos;
    }

    /** When its stream first reconnected to the same view after the kill, 0 if it did not. */
    long reconnectedNanos() {
        return reconnectedNanos;
    }

    /** Whether it gave up remounting. */
    boolean gaveUp() {
        return gaveUp;
    }

    /** Whether it is settled after the kill: its stream open, or stopped for good (gave up, session ended). */
    boolean recovered() {
        return streamOpen.get() || gaveUp || sessionEnded;
    }

    /** Closes this tab and has a new one (same cookies, same way of reading) take its place, once. */
    private void replaceWithNew() {
        if (replaced.compareAndSet(false, true)) {
            close();
            replace.accept(this);
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

    private void onEvent(SseParser parser, boolean measured, byte[] data, int length) {
        long id = parser.lastEventId();
        if (id > lastEventId) {
            lastEventId = id;
        }
        if (!measured) {
            if (parser.eventIs(RESET)) {
                metrics.resets.increment();
                afterReset = true;
            } else if (parser.eventIs(CLOSE)) {
                metrics.closeEvents.increment();
                serverClosed = true;
                if (strandJs) {
                    String reason = StrandJs.closeReason(data, length);
                    closed(reason == null ? "" : reason);
                }
            }
            return;
        }
        boolean reset = afterReset;
        afterReset = false;
        Payload.Stamp stamp = Payload.parse(data, length);
        if (stamp == null) {
            metrics.malformed.increment();
            return;
        }
        if (reader == Reader.NORMAL) {
            metrics.chunk(Clock.epochMicros() - stamp.epochMicros());
        } else {
            metrics.chunkUntimed();
        }
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
            // after a reset the page was re-rendered whole: the chunks in between are not lost to it
            (reset ? metrics.skippedByReset : metrics.lost).add(seq - nextSeq);
        }
        nextSeq = seq + 1;
    }

    /** One connection's parser; counts the events of each buffer it is fed. */
    private final class StreamReader implements SseParser.Listener {

        private final SseParser parser = new SseParser(measuredEvent, this);

        private int events;

        /** Parses a buffer; returns how many events it completed. */
        int feed(ByteBuf buffer) {
            events = 0;
            parser.feed(buffer);
            return events;
        }

        @Override
        public void onEvent(boolean measured, byte[] data, int length) {
            events++;
            ClientTab.this.onEvent(parser, measured, data, length);
        }
    }

    /** A stream request answered with another status than 200. */
    private static final class StatusException extends IllegalStateException {

        private final int status;

        StatusException(int status, String text) {
            super("answered " + text);
            this.status = status;
        }
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
