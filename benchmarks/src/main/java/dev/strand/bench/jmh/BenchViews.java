package dev.strand.bench.jmh;

import dev.strand.Outcome;
import dev.strand.View;
import dev.strand.internal.Callbacks;
import dev.strand.internal.EventLog;
import dev.strand.internal.MemoryTabRegistry;
import dev.strand.internal.SessionHandle;
import dev.strand.internal.StrandEngine;
import dev.strand.internal.Tab;
import dev.strand.thymeleaf.StrandDialect;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.thymeleaf.spring6.SpringWebFluxTemplateEngine;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/** What the JMH benchmarks share: a tab on a bare engine, connected to a stream that reads at once. */
final class BenchViews {

    private BenchViews() {
    }

    /** Opens a tab with the given callbacks, not yet connected. */
    static Tab open(StrandEngine engine, Callbacks callbacks) {
        return new MemoryTabRegistry(engine).openLocal("bench-session", SessionHandle.DETACHED, callbacks);
    }

    /**
     * Opens a tab with the given callbacks and connects it: {@code onEvent} receives every
     * event the tab appends, on the appending thread, as the stream endpoint's pump would read it.
     */
    static Tab connected(StrandEngine engine, Callbacks callbacks, Consumer<EventLog.Entry> onEvent)
            throws Exception {
        Tab view = open(engine, callbacks);
        AtomicReference<EventLog.@Nullable Subscription> subscription = new AtomicReference<>();
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        view.connect(0, () -> {
            EventLog.Subscription current = subscription.get();
            if (current != null) {
                for (EventLog.Entry event = current.next(); event != null; event = current.next()) {
                    onEvent.accept(event);
                }
            }
        }, current -> {
            subscription.set(current);
            subscribed.complete(null);
        });
        subscribed.get(10, TimeUnit.SECONDS);
        return view;
    }

    /** Runs an action on the tab's view in a turn of its own, as a page event's handler does. */
    static void inTurn(Tab tab, Consumer<View> action) {
        tab.requestTurn(null, turn -> {
            try {
                action.accept(turn.view());
            } finally {
                turn.end();
            }
        });
    }

    /** A template engine like the application's: templates from the classpath, cached, with Strand's dialect. */
    static SpringWebFluxTemplateEngine templateEngine() {
        ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver();
        resolver.setPrefix("templates/");
        resolver.setSuffix(".html");
        resolver.setTemplateMode(TemplateMode.HTML);
        resolver.setCacheable(true);
        SpringWebFluxTemplateEngine engine = new SpringWebFluxTemplateEngine();
        engine.setTemplateResolver(resolver);
        engine.addDialect(new StrandDialect(() -> engine, "/strand/stream", "/strand/strand.js", "interrupted"));
        return engine;
    }

    /** Callbacks for the task {@code job}: outcomes to {@code onOutcome}, chunks to {@code onChunk} if given. */
    static Callbacks callbacks(Consumer<Outcome<?>> onOutcome, @Nullable ChunkHandler onChunk) {
        return callbacks(onOutcome, onChunk, true);
    }

    /**
     * The same, where {@code sendsChunks} false is {@code @HandleChunk(send = false)}: the chunks that
     * {@code onChunk} takes stay off the page.
     */
    static Callbacks callbacks(Consumer<Outcome<?>> onOutcome, @Nullable ChunkHandler onChunk, boolean sendsChunks) {
        return new Callbacks() {

            @Override
            public boolean sendsChunk(String task) {
                return sendsChunks;
            }

            @Override
            public boolean handlesAsync(String task) {
                return true;
            }

            @Override
            public void onOutcome(String task, Outcome<?> outcome, View view) {
                onOutcome.accept(outcome);
            }

            @Override
            public boolean handlesChunk(String task) {
                return onChunk != null;
            }

            @Override
            public void onChunk(String task, Object chunk, View view) {
                if (onChunk != null) {
                    onChunk.onChunk(chunk, view);
                }
            }

            @Override
            public String describe() {
                return "JMH benchmark";
            }
        };
    }

    /** A {@code @HandleChunk} method. */
    @FunctionalInterface
    interface ChunkHandler {

        void onChunk(Object chunk, View view);
    }
}
