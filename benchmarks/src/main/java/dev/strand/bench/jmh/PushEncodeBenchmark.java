package dev.strand.bench.jmh;

import dev.strand.bench.Payload;
import dev.strand.bench.SseFrames;
import dev.strand.internal.EventLog;
import dev.strand.internal.StrandEngine;
import dev.strand.internal.PageModel;
import dev.strand.internal.Tab;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.reactivestreams.Publisher;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.codec.ServerSentEventHttpMessageWriter;
import org.thymeleaf.context.Context;
import org.thymeleaf.spring6.SpringWebFluxTemplateEngine;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * JMH: a chunk from {@code task.push(text)} to encoded SSE bytes, per chunk. A task pushes
 * {@value #CHUNKS} pre-made 64-character texts through a bare engine; each becomes a {@code chunk}
 * event on the view's mailbox, which a stream reads at once, turns into a {@link ServerSentEvent}
 * (as Strand's stream endpoint does) and encodes with Spring's {@link ServerSentEventHttpMessageWriter}
 * into a response that counts and releases the bytes. {@code mode=render} adds a
 * {@code @HandleChunk} that assigns the chunk, so each chunk also re-renders a {@code strand:watch}
 * element ({@code templates/bench/strand-render.html :: #last}) into a {@code patch} event.
 * {@link #handFramed} is the netty baseline's path for comparison: JSON-escape and frame by hand.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PushEncodeBenchmark {

    static final int CHUNKS = 1000;

    @Param({"chunk", "render"})
    String mode;

    private final String[] texts = new String[CHUNKS];

    private final AtomicLong encoded = new AtomicLong();

    private final AtomicLong bytes = new AtomicLong();

    private volatile long target = Long.MAX_VALUE;

    private volatile CountDownLatch done = new CountDownLatch(0);

    private StrandEngine engine;

    private Tab view;

    private FluxSink<ServerSentEvent<String>> sink;

    private long eventsPerRun;

    @Setup
    public void connect() throws Exception {
        for (int i = 0; i < CHUNKS; i++) {
            texts[i] = Payload.text(i + 1, 64);
        }
        boolean render = mode.equals("render");
        engine = StrandEngine.withDefaults();
        Flux<ServerSentEvent<String>> events = Flux.create(created -> sink = created);
        new ServerSentEventHttpMessageWriter()
                .write(events, ResolvableType.forClassWithGenerics(ServerSentEvent.class, String.class),
                        MediaType.TEXT_EVENT_STREAM, new CountingResponse(), Map.of())
                .subscribe();
        view = BenchViews.connected(engine, BenchViews.callbacks(outcome -> {
        }, render ? (chunk, current) -> current.assign("last", chunk) : null), this::send);
        if (render) {
            SpringWebFluxTemplateEngine templates = BenchViews.templateEngine();
            CountDownLatch rendered = new CountDownLatch(1);
            // The page's first render, on the view's mailbox: the strand:watch element registers the renderer.
            BenchViews.inTurn(view, current -> {
                current.assign("last", "");
                templates.process("bench/strand-render", new Context(Locale.ROOT,
                        Map.of(PageModel.TAB, view, "last", "")));
                rendered.countDown();
            });
            rendered.await(10, TimeUnit.SECONDS);
        }
        // chunks, a patch per chunk when rendering, and the outcome
        eventsPerRun = (render ? 2L * CHUNKS : CHUNKS) + 1;
    }

    @TearDown
    public void close() {
        engine.close();
    }

    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public long pushToSseBytes() throws Exception {
        CountDownLatch finished = new CountDownLatch(1);
        done = finished;
        target = encoded.get() + eventsPerRun;
        BenchViews.inTurn(view, current -> current.startAsync("job", task -> {
            for (String text : texts) {
                task.push(text);
            }
            return "ok";
        }));
        if (!finished.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("only " + encoded.get() + " of " + target + " events were encoded");
        }
        return bytes.get();
    }

    /** The netty baseline's path per chunk: JSON-escape the text, frame the event, encode UTF-8. */
    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public void handFramed(Blackhole blackhole) {
        for (int i = 0; i < CHUNKS; i++) {
            blackhole.consume(SseFrames.chunk(i, SseFrames.chunkData(texts[i])).getBytes(StandardCharsets.UTF_8));
        }
    }

    private void send(EventLog.Entry event) {
        sink.next(ServerSentEvent.builder(event.data()).id(Long.toString(event.id())).event(event.name()).build());
    }

    private void encodedEvent() {
        if (encoded.incrementAndGet() >= target) {
            target = Long.MAX_VALUE;
            done.countDown();
        }
    }

    /** A response that counts the events written and releases their buffers. */
    private final class CountingResponse implements ReactiveHttpOutputMessage {

        private final HttpHeaders headers = new HttpHeaders();

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }

        @Override
        public DataBufferFactory bufferFactory() {
            return DefaultDataBufferFactory.sharedInstance;
        }

        @Override
        public void beforeCommit(Supplier<? extends Mono<Void>> action) {
        }

        @Override
        public boolean isCommitted() {
            return true;
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            return writeAndFlushWith(Flux.just(body));
        }

        @Override
        public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
            return Flux.from(body).concatMap(event -> Flux.from(event).doOnNext(buffer -> {
                bytes.addAndGet(buffer.readableByteCount());
                DataBufferUtils.release(buffer);
            }).then(Mono.fromRunnable(PushEncodeBenchmark.this::encodedEvent))).then();
        }

        @Override
        public Mono<Void> setComplete() {
            return Mono.empty();
        }
    }
}
