package dev.strand.bench.jmh;

import dev.strand.bench.jmh.RowsPage.Variant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * JMH: a {@value RowsPage#ROWS}-row table ({@code templates/bench/rows-*.html}) where one row changes per
 * operation, through the real engine path: a turn of the tab's mailbox changes an assign, the tab's flush has
 * Strand's renderer re-render what depends on it and appends the patches, and a stream reads them at once.
 * Renders per second, for:
 * <ul>
 * <li>{@code rowCell}: the row's own assign ({@code cell:<id>}, an {@code AsyncResult}) changes; its
 * {@code strand:async} cell in the {@code th:each} re-renders alone: one {@code morph} of {@code #cell-<id>};</li>
 * <li>{@code rowDiff}: the list assign changes one row; the rows have ids, so the whole {@code <tbody>} is
 * rendered, its rows hashed and compared, and one {@code morph} of {@code #row-<id>} is sent;</li>
 * <li>{@code wholeList}: the same change to a list whose rows have no ids: the {@code <tbody>} is rendered and
 * sent whole, one {@code morph} of {@code #rows} (what Strand did before keyed rows);</li>
 * <li>{@code rowDiffFromTask}: {@code rowDiff}'s change, made by a task's {@code @HandleChunk(send = false)}
 * for each chunk it pushes, {@value #PUSHED} as fast as it can per invocation: changes that queue in the tab's
 * mailbox behind one another share one render, so the events per change fall below one.</li>
 * </ul>
 * Each invocation makes {@value #BATCH} changes, each in a turn of its own (queued at once on the tab's
 * mailbox, so the mailbox thread runs them back to back), and waits for the last to be flushed. The bytes per
 * change (the patch events' SSE data) are printed at setup for one change and, at teardown, as the average over
 * the trial: lines starting {@code RowsRenderBenchmark.}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RowsRenderBenchmark {

    static final int BATCH = 10;

    static final int PUSHED = 1_000;

    private String method;

    private RowsPage page;

    private long eventsBefore;

    private long bytesBefore;

    private int seqBefore;

    @Setup
    public void open(BenchmarkParams params) throws Exception {
        method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        Variant variant = switch (method) {
            case "rowCell" -> Variant.ROW_CELL;
            case "rowDiff", "rowDiffFromTask" -> Variant.ROW_DIFF;
            case "wholeList" -> Variant.WHOLE_LIST;
            default -> throw new IllegalStateException("no variant for " + method);
        };
        page = RowsPage.open(variant);
        // on a line of its own: JMH has printed the iteration's label
        System.out.println(System.lineSeparator() + "RowsRenderBenchmark." + method + " one change: "
                + RowsPage.describe(page.change().stream().map(RowsPage.Patch::of).toList()));
        eventsBefore = page.events();
        bytesBefore = page.bytes();
        seqBefore = page.nextSeq();
    }

    @TearDown
    public void close() {
        int changes = page.nextSeq() - seqBefore;
        System.out.printf(Locale.ROOT, "%nRowsRenderBenchmark.%s over the trial (warm-up included): %d changes, %.4f events and %.1f bytes of "
                + "SSE data per change%n", method, changes, (page.events() - eventsBefore) / (double) changes,
                (page.bytes() - bytesBefore) / (double) changes);
        page.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void rowCell() throws Exception {
        page.changes(BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void rowDiff() throws Exception {
        page.changes(BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void wholeList() throws Exception {
        page.changes(BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(PUSHED)
    public void rowDiffFromTask() throws Exception {
        page.pushChunks(PUSHED);
    }
}
