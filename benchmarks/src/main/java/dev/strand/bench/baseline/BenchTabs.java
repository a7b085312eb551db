package dev.strand.bench.baseline;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A baseline server's tabs by view id, the executor their tasks run on, and a sweeper that sends
 * heartbeats every 15 seconds and drops tabs whose stream never connected within 30 seconds.
 */
public final class BenchTabs implements AutoCloseable {

    private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(15);

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, BenchTab> tabs = new ConcurrentHashMap<>();

    private final AtomicLong runningTasks = new AtomicLong();

    private final SecureRandom random = new SecureRandom();

    private final ExecutorService tasks;

    private final UnaryOperator<String> chunkData;

    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("bench-heartbeat").daemon().factory());

    /**
     * @param tasks runs the tabs' tasks
     * @param chunkData turns a chunk's text into its event data
     */
    public BenchTabs(ExecutorService tasks, UnaryOperator<String> chunkData) {
        this.tasks = tasks;
        this.chunkData = chunkData;
        long period = HEARTBEAT_INTERVAL.toMillis();
        sweeper.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    /** A new tab with a random 128-bit id. */
    public BenchTab create() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        BenchTab tab = new BenchTab(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), this);
        tabs.put(tab.id(), tab);
        return tab;
    }

    public @Nullable BenchTab find(String id) {
        return tabs.get(id);
    }

    /** Forgets a tab whose stream ended and cancels its task. */
    public void remove(BenchTab tab) {
        tabs.remove(tab.id(), tab);
        tab.close();
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        tasks.shutdownNow();
    }

    /** Open tabs ({@code bench.tabs}) and task bodies still running ({@code bench.tasks}), for the stats. */
    public Map<String, Long> gauges() {
        return Map.of("bench.tabs", (long) tabs.size(), "bench.tasks", runningTasks.get());
    }

    Future<?> submit(Runnable task) {
        return tasks.submit(() -> {
            runningTasks.incrementAndGet();
            try {
                task.run();
            } finally {
                runningTasks.decrementAndGet();
            }
        });
    }

    String chunkData(String text) {
        return chunkData.apply(text);
    }

    private void sweep() {
        long timeout = CONNECT_TIMEOUT.toNanos();
        for (BenchTab tab : tabs.values()) {
            boolean alive = tab.connected() ? tab.heartbeat() : tab.ageNanos() < timeout;
            if (!alive) {
                remove(tab);
            }
        }
    }
}
