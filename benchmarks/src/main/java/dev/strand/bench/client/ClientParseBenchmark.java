package dev.strand.bench.client;

import dev.strand.bench.Payload;
import dev.strand.bench.SseFrames;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JMH: what the load client spends per chunk outside the network, parsing SSE bytes and each
 * chunk's stamp as {@link ClientTab} does, so its cost can be told apart from the server's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ClientParseBenchmark {

    private static final int CHUNKS = 100;

    @Param({"64", "1024"})
    int size;

    private byte[] stream;

    private SseParser parser;

    @Setup
    public void frame(Blackhole blackhole) {
        parser = new SseParser((chunk, data, length) -> blackhole.consume(Payload.parse(data, length)));
        StringBuilder frames = new StringBuilder();
        for (int seq = 1; seq <= CHUNKS; seq++) {
            frames.append(SseFrames.chunk(seq, SseFrames.chunkData(Payload.text(seq, size))));
        }
        stream = frames.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public void parseChunks() {
        parser.feed(stream, 0, stream.length);
    }
}
