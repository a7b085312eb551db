package dev.strand.bench.jmh;

import dev.strand.bench.Payload;
import dev.strand.bench.SseFrames;
import dev.strand.internal.StrandEngine;
import dev.strand.internal.PageModel;
import dev.strand.internal.Tab;
import dev.strand.web.BenchStream;
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
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.thymeleaf.context.Context;
import org.thymeleaf.spring6.SpringWebFluxTemplateEngine;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * JMH: a chunk from {@code task.push(text)} to encoded SSE bytes, per chunk. A task pushes
 * {@value #CHUNKS} pre-made 64-character texts through a bare engine; each becomes a {@code chunk}
 * event in the tab's log, which Strand's own stream ({@code SseConnection}, through {@link BenchStream})
 * reads and encodes into batches of SSE frames, into a response that counts the events and bytes and
 * releases the buffers. {@code mode=render} adds a {@code @HandleChunk} that assigns the chunk, so each chunk
 * also re-renders a {@code strand:watch} element ({@code templates/bench/strand-render.html :: #last}) into a
 * {@code patch} event. {@link #handFramed} is the netty baseline's path for comparison: JSON-escape and frame
 * by hand.
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

    private long eventsPerRun;

    @Setup
    public void connect() throws Exception {
        for (int i = 0; i < CHUNKS; i++) {
            texts[i] = Payload.text(i + 1, 64);
        }
        boolean render = mode.equals("render");
        engine = StrandEngine.withDefaults();
        view = BenchViews.open(engine, BenchViews.callbacks(outcome -> {
        }, render ? (chunk, current) -> current.assign("last", chunk) : null));
        BenchStream.write(view, new CountingResponse()).subscribe();
        for (int i = 0; i < 1000 && !view.isConnected(); i++) {
            Thread.sleep(10);
        }
        if (!view.isConnected()) {
            throw new IllegalStateException("the stream did not connect");
        }
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

    /** Count the events a batch holds: each frame ends with a blank line, which JSON data never holds. */
    private void encoded(DataBuffer batch) {
        int events = 0;
        int end = batch.writePosition();
        for (int i = batch.readPosition() + 1; i < end; i++) {
            if (batch.getByte(i) == '\n' && batch.getByte(i - 1) == '\n') {
                events++;
            }
        }
        bytes.addAndGet(batch.readableByteCount());
        if (encoded.addAndGet(events) >= target) {
            target = Long.MAX_VALUE;
            done.countDown();
        }
    }

    /** A response that counts the events written and releases their buffers, asking for every batch at once. */
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
            return Flux.from(body).doOnNext(batch -> {
                encoded(batch);
                DataBufferUtils.release(batch);
            }).then();
        }

        @Override
        public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
            return writeWith(Flux.from(body).concatMap(Flux::from));
        }

        @Override
        public Mono<Void> setComplete() {
            return Mono.empty();
        }
    }
}
