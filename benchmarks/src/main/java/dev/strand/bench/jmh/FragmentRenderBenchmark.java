package dev.strand.bench.jmh;

import dev.strand.bench.Payload;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
import org.openjdk.jmh.annotations.Warmup;
import org.thymeleaf.context.Context;
import org.thymeleaf.spring6.SpringWebFluxTemplateEngine;

/**
 * JMH: one Thymeleaf fragment render with a {@link SpringWebFluxTemplateEngine} (cached templates,
 * Strand's dialect): the element Strand re-renders per chunk in the render scenario (fragment
 * selection {@code bench/strand-render :: #last}, as Strand's renderer asks for it) and the
 * WebFlux baseline's per-chunk fragment ({@code bench/chunk :: chunk}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class FragmentRenderBenchmark {

    private static final Set<String> STRAND_ELEMENT = Set.of("#last");

    private static final Set<String> WEBFLUX_FRAGMENT = Set.of("chunk");

    private SpringWebFluxTemplateEngine engine;

    private String text;

    @Setup
    public void engine() {
        engine = BenchViews.templateEngine();
        text = Payload.text(1, 64);
    }

    @Benchmark
    public String strandWatchedElement() {
        return engine.process("bench/strand-render", STRAND_ELEMENT, new Context(Locale.ROOT, Map.of("last", text)));
    }

    @Benchmark
    public String webfluxChunkFragment() {
        return engine.process("bench/chunk", WEBFLUX_FRAGMENT,
                new Context(Locale.ROOT, Map.of("task", "job", "text", text)));
    }
}
