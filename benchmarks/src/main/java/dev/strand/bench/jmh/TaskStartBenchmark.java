package dev.strand.bench.jmh;

import dev.strand.Outcome;
import dev.strand.internal.StrandEngine;
import dev.strand.internal.Tab;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: a task's start to its outcome on a bare engine ({@link StrandEngine#withDefaults()}): a turn
 * of the tab's mailbox calls {@code startAsync}, the body runs on its virtual thread and returns,
 * and the outcome comes back through the mailbox to the {@code @HandleAsync} callback (two mailbox
 * turns, one task thread, an {@code outcome} event read by the stream).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class TaskStartBenchmark {

    private StrandEngine engine;

    private Tab view;

    private volatile CompletableFuture<Outcome<?>> outcome = new CompletableFuture<>();

    @Setup
    public void connect() throws Exception {
        engine = StrandEngine.withDefaults();
        view = BenchViews.connected(engine, BenchViews.callbacks(result -> outcome.complete(result), null), event -> {
        });
    }

    @TearDown
    public void close() {
        engine.close();
    }

    @Benchmark
    public Outcome<?> startToOutcome() throws Exception {
        CompletableFuture<Outcome<?>> done = new CompletableFuture<>();
        outcome = done;
        BenchViews.inTurn(view, current -> current.startAsync("job", task -> "ok"));
        return done.get(10, TimeUnit.SECONDS);
    }
}
