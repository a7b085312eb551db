package dev.strand.bench.jmh;

import dev.strand.AsyncResult;
import dev.strand.Outcome;
import dev.strand.View;
import dev.strand.internal.EventLog;
import dev.strand.internal.PageModel;
import dev.strand.internal.StrandEngine;
import dev.strand.internal.Tab;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.thymeleaf.context.Context;
import org.thymeleaf.spring6.SpringWebFluxTemplateEngine;

/**
 * A page of {@value #ROWS} table rows on a bare engine, connected to a stream that reads at once, for
 * {@link RowsRenderBenchmark} and its test. Each row has an async cell ({@code strand:async} in the
 * {@code th:each}, assign {@code cell:<id>}); the {@code <tbody>} watches the list assign {@code rows}.
 * {@link #change} makes one row change in a turn of the tab's own, as a page event's handler or a task's
 * outcome would, and the tab's flush re-renders and appends the patches, which the stream reads.
 */
final class RowsPage implements AutoCloseable {

    static final int ROWS = 100;

    private static final Pattern PATCH = Pattern.compile("\\{\"target\":\"([^\"]+)\",\"op\":\"([a-z]+)\",\"html\":\"(.*)\"}",
            Pattern.DOTALL);

    /** What changes, on which page. */
    enum Variant {

        /** One row's own assign ({@code cell:<id>}) changes: its {@code strand:async} cell re-renders alone. */
        ROW_CELL("bench/rows-keyed"),
        /** The list assign changes one row's status; the rows have ids: the list is rendered, diffed, one row sent. */
        ROW_DIFF("bench/rows-keyed"),
        /** The same change as {@link #ROW_DIFF}, but the rows have no ids: the whole list is sent. */
        WHOLE_LIST("bench/rows-whole");

        final String template;

        Variant(String template) {
            this.template = template;
        }

        /** Makes the {@code seq}-th change: row {@code seq % ROWS} gets the value {@code v<seq>}. */
        void change(View view, int seq) {
            int index = seq % ROWS;
            if (this == ROW_CELL) {
                view.assign(cellKey(id(index)), AsyncResult.ok("v" + seq));
            }
            else {
                view.<List<Row>>update("rows", rows -> {
                    List<Row> copy = new ArrayList<>(Objects.requireNonNull(rows));
                    copy.set(index, copy.get(index).withStatus("v" + seq));
                    return copy;
                });
            }
        }
    }

    /** A row of the table. */
    public record Row(String id, String name, String status, long amount) {

        Row withStatus(String status) {
            return new Row(id, name, status, amount);
        }
    }

    /** A patch event as the stream sends it: its data (JSON) and what that says. */
    record Patch(String target, String op, String html, String data) {

        static Patch of(EventLog.Entry event) {
            if (!event.name().equals("patch")) {
                throw new IllegalStateException("not a patch: " + event);
            }
            Matcher matcher = PATCH.matcher(event.data());
            if (!matcher.matches()) {
                throw new IllegalStateException("not a patch: " + event.data());
            }
            return new Patch(matcher.group(1), matcher.group(2), matcher.group(3), event.data());
        }

        int bytes() {
            return data.getBytes(StandardCharsets.UTF_8).length;
        }
    }

    final Variant variant;

    private final StrandEngine engine;

    private final Tab tab;

    private int seq;

    // written by the tab's mailbox thread (the stream reads on the appending thread) before the turn's
    // future completes, read after it has
    private long events;

    private long bytes;

    private @Nullable List<EventLog.Entry> capture;

    /** The outcome of the task {@link #pushChunks} started last. */
    private volatile CompletableFuture<Outcome<?>> outcome = new CompletableFuture<>();

    private RowsPage(Variant variant) throws Exception {
        this.variant = variant;
        this.engine = StrandEngine.withDefaults();
        // a task's chunk is a change's number, which its @HandleChunk(send = false) makes on the view
        this.tab = BenchViews.connected(engine, BenchViews.callbacks(ended -> outcome.complete(ended),
                (chunk, view) -> variant.change(view, (Integer) chunk), false), this::read);
        SpringWebFluxTemplateEngine templates = BenchViews.templateEngine();
        // The page's first render, in a turn as a page request's: the view's assigns, then the template with
        // them, which tracks the list and the cells
        turn(view -> {
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < ROWS; i++) {
                rows.add(new Row(id(i), String.format(Locale.ROOT, "Customer %03d", i), "open", 1000L + 37L * i));
                view.assign(cellKey(id(i)), AsyncResult.ok("v0"));
            }
            view.assign("rows", rows);
            Map<String, Object> variables = new HashMap<>(view.assigns());
            variables.put(PageModel.TAB, tab);
            templates.process(variant.template, new Context(Locale.ROOT, variables));
        }).get(30, TimeUnit.SECONDS);
        seq = ROWS; // the first changes give each row a value of its own (not v0)
    }

    static RowsPage open(Variant variant) throws Exception {
        return new RowsPage(variant);
    }

    static String id(int index) {
        return String.format(Locale.ROOT, "r%03d", index);
    }

    static String cellKey(String id) {
        return "cell:" + id;
    }

    /** Makes the next change and returns the events the stream read for it. */
    List<EventLog.Entry> change() throws Exception {
        int current = seq++;
        return inTurn(view -> variant.change(view, current));
    }

    /** Runs an action in a turn of the tab's own and returns the events the stream read for it. */
    List<EventLog.Entry> inTurn(Consumer<View> action) throws Exception {
        List<EventLog.Entry> events = new ArrayList<>();
        capture = events;
        try {
            turn(action).get(30, TimeUnit.SECONDS);
        }
        finally {
            capture = null;
        }
        return events;
    }

    /** Makes the next {@code count} changes, each in a turn of its own, and waits until the last has flushed. */
    void changes(int count) throws Exception {
        CompletableFuture<Void> last = null;
        for (int i = 0; i < count; i++) {
            int current = seq++;
            last = turn(view -> variant.change(view, current));
        }
        if (last != null) {
            last.get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Makes the next {@code count} changes from a task: it pushes them as chunks as fast as it can, and its
     * {@code @HandleChunk(send = false)} makes each on the view, in a turn of its own, as the tab's mailbox
     * takes them. Waits for the task's outcome, which comes after its last chunk's turn.
     */
    void pushChunks(int count) throws Exception {
        CompletableFuture<Outcome<?>> done = new CompletableFuture<>();
        outcome = done;
        int from = seq;
        seq += count;
        turn(view -> view.startAsync("job", task -> {
            for (int i = 0; i < count; i++) {
                task.push(from + i);
            }
            return "pushed";
        })).get(30, TimeUnit.SECONDS);
        Outcome<?> ended = done.get(30, TimeUnit.SECONDS);
        if (!(ended instanceof Outcome.Ok<?>)) {
            throw new IllegalStateException("the pushing task ended with " + ended);
        }
    }

    /** The events and data bytes the stream has read so far (call between changes). */
    long events() {
        return events;
    }

    long bytes() {
        return bytes;
    }

    int nextSeq() {
        return seq;
    }

    @Override
    public void close() {
        engine.close();
    }

    /**
     * Runs an action in a turn of the tab's own; the future completes once the turn has ended, that is once its
     * changes were re-rendered, appended to the log and read by the stream (which reads on the appending thread).
     */
    private CompletableFuture<Void> turn(Consumer<View> action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        tab.requestTurn(null, turn -> {
            try {
                action.accept(turn.view());
            }
            catch (RuntimeException | Error ex) {
                done.completeExceptionally(ex);
                throw ex;
            }
            finally {
                turn.end();
            }
            done.complete(null);
        });
        return done;
    }

    private void read(EventLog.Entry event) {
        events++;
        bytes += event.data().length();
        List<EventLog.Entry> into = capture;
        if (into != null) {
            into.add(event);
        }
    }

    /** One change's patches, for people: count, ops, targets and bytes. */
    static String describe(List<Patch> patches) {
        int data = patches.stream().mapToInt(Patch::bytes).sum();
        int html = patches.stream().mapToInt(patch -> patch.html().length()).sum();
        List<String> ops = patches.stream().map(patch -> patch.op() + " #" + patch.target()).toList();
        return patches.size() + " patch event(s) " + ops + ", " + data + " bytes of SSE data (JSON), " + html
                + " chars of escaped HTML";
    }
}
