package dev.strand.bench.client;

import dev.strand.bench.Json;
import dev.strand.bench.ProcessStats;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.nio.NioChannelOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;
import jdk.net.ExtendedSocketOptions;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Opens many simulated tabs against one target and reports what they saw, as one JSON line and
 * one line for people. One process holds at most about 19,900 sockets (the 20,000 open-file hard
 * limit), so {@code run.sh} starts several processes, each with its own source addresses, for more.
 *
 * <p>Phases: <em>connect</em> opens {@code --tabs} tabs at {@code --connect-rate} (each starting its
 * task as soon as its stream connects unless {@code --start-rate} is set); <em>run</em> lasts
 * {@code --duration}, starting tasks at {@code --start-rate} and replacing tabs at
 * {@code --churn-rate}; then the client measures itself and the server, lingers and closes its
 * tabs. Several runs may follow one another in one process ({@code --then}); the process exits
 * after the last (its event loop threads are daemons; the kernel closes what is still open).
 */
public final class LoadClient {

    private static final int REQUEST_CONNECTIONS = 256;

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Idle time before a stream's first keepalive probe in a slow-reader mix (Chrome's). */
    private static final int KEEPALIVE_SECONDS = 45;

    /** What a slow tab reads from its socket at a time. */
    private static final int SLOW_READ_BYTES = 2048;

    /**
     * Event loops on the JDK's NIO transport: with Netty's native epoll transport, about one in
     * thirty streams opened while tabs churn fails in connect with {@code NotYetConnectedException}
     * (client side, whatever the server), which NIO does not show.
     */
    private static final LoopResources LOOPS = LoopResources.create("bench-client",
            Math.max(2, Runtime.getRuntime().availableProcessors()), true);

    private static final ConnectionProvider REQUEST_POOL = ConnectionProvider.builder("bench-requests")
            .maxConnections(REQUEST_CONNECTIONS)
            .pendingAcquireMaxCount(-1)
            .pendingAcquireTimeout(REQUEST_TIMEOUT)
            .build();

    private final ClientOptions options;

    private final ClientMetrics metrics = new ClientMetrics();

    private final HttpClient requests;

    private final List<HttpClient> streams;

    /** The same for stalled tabs: with {@code --reader-rcvbuf}, a smaller receive buffer. */
    private final List<HttpClient> readerStreams;

    /** The same for slow tabs, which also read at most {@link #SLOW_READ_BYTES} per read. */
    private final List<HttpClient> slowStreams;

    private final AtomicReferenceArray<ClientTab> tabs;

    /** How each tab slot reads its stream: the first slots slow, the next stalled, the rest normal. */
    private final ClientTab.Reader[] kinds;

    /** The slots churn replaces: those that read normally (all of them without a slow-reader mix). */
    private final int[] churnSlots;

    private LoadClient(ClientOptions options) {
        this.options = options;
        String base = options.target().base().toString();
        this.requests = HttpClient.create(REQUEST_POOL)
                .runOn(LOOPS, false)
                .baseUrl(base)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .responseTimeout(REQUEST_TIMEOUT);
        this.streams = IntStream.rangeClosed(1, options.addresses())
                .mapToObj(k -> new InetSocketAddress("127.0.0." + (options.addressOffset() + k), 0))
                .map(source -> HttpClient.newConnection()
                        .runOn(LOOPS, false)
                        .baseUrl(base)
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                        .bindAddress(() -> source))
                .map(client -> options.readers().mixed() ? keepAlive(client) : client)
                .toList();
        int receiveBuffer = options.readers().receiveBuffer();
        this.readerStreams = streams.stream()
                .map(client -> receiveBuffer == 0 ? client : client.option(ChannelOption.SO_RCVBUF, receiveBuffer))
                .toList();
        // a slow tab reads its socket a little at a time, so that its window reopens steadily, as a slow
        // link's would, rather than in one gulp followed by a long pause
        this.slowStreams = readerStreams.stream()
                .map(client -> client.option(ChannelOption.RCVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(SLOW_READ_BYTES).maxMessagesPerRead(1)))
                .toList();
        this.tabs = new AtomicReferenceArray<>(options.tabs());
        int slow = options.readers().slowTabs(options.tabs());
        int stalled = options.readers().stalledTabs(options.tabs());
        this.kinds = IntStream.range(0, options.tabs())
                .mapToObj(i -> i < slow ? ClientTab.Reader.SLOW : i < slow + stalled ? ClientTab.Reader.STALLED
                        : ClientTab.Reader.NORMAL)
                .toArray(ClientTab.Reader[]::new);
        this.churnSlots = IntStream.range(0, options.tabs()).filter(i -> kinds[i] == ClientTab.Reader.NORMAL).toArray();
    }

    /**
     * TCP keepalive after {@link #KEEPALIVE_SECONDS} idle, as Chrome sets on its sockets. When Linux gives up
     * on a connection (its {@code TCP_USER_TIMEOUT}, which Strand sets on streams), it sends no reset: a
     * client that then has nothing to send, neither data nor a window update, would wait on that
     * connection for ever, as the slow-reader mix's tabs did without this. A keepalive probe draws the
     * reset.
     */
    private static HttpClient keepAlive(HttpClient client) {
        return client.option(ChannelOption.SO_KEEPALIVE, true)
                .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), KEEPALIVE_SECONDS)
                .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), KEEPALIVE_SECONDS)
                .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), 3);
    }

    /** Runs each set of options in turn (sets are separated by {@code --then}), printing a report for each. */
    public static void main(String[] args) {
        List<ClientOptions> runs;
        try {
            runs = ClientOptions.parseRuns(List.of(args));
        } catch (IllegalArgumentException ex) {
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }
        for (ClientOptions options : runs) {
            ClientReport report = new LoadClient(options).run();
            System.out.println(Json.write(report));
            System.out.println(report.humanLine());
        }
    }

    private ClientReport run() {
        long began = System.nanoTime();
        boolean heap = options.reportsHeap();
        ProcessStats serverBefore = serverStats(heap);
        double cpuBefore = ProcessStats.processCpuSeconds();
        long connectBegan = System.nanoTime();
        connectPhase();
        syncConnected();

        // The run phase's starts and churn begin at once, but for a warm-up nothing is measured: what
        // queued up while the tabs connected drains, and the JIT compiles the paths the run takes.
        long warmup = options.warmup().toNanos();
        long duration = options.duration().toNanos();
        long warmupStart = System.nanoTime();
        List<Thread> pacers = new ArrayList<>();
        if (options.startRate() > 0) {
            pacers.add(pace(options.startRate(), warmup + duration, this::restart));
        }
        if (options.churnRate() > 0) {
            pacers.add(pace(options.churnRate(), warmup + duration, this::churn));
        }
        Pacer.sleepUntil(warmupStart + warmup);
        if (warmup > 0) {
            metrics.resetLatencies();
        }
        ProcessStats serverRunStart = serverStats(false);
        double clientRunStart = ProcessStats.processCpuSeconds();
        Map<String, Double> procBefore = options.procCpu().read();
        metrics.resetChunkLatency();
        long runStart = System.nanoTime();
        long chunksBefore = metrics.chunks.sum();
        long lostBefore = metrics.lost.sum();
        ClientOptions.Kill kill = options.kill();
        // with a kill, the run phase lasts until the tabs have come back (at most its bound after the kill)
        long runEnd = kill == null ? warmupStart + warmup + duration
                : runStart + kill.at().toNanos() + kill.bound().toNanos();
        String[] homesAtKill = new String[tabs.length()];
        Thread killer = kill == null ? null : killer(kill, runStart + kill.at().toNanos(), homesAtKill);
        Thread statsPrinter = printStats(runEnd);
        timeline(runStart, runEnd, kill == null ? () -> false : () -> recovered(kill, homesAtKill));
        if (statsPrinter != null) {
            join(statsPrinter);
        }
        if (killer != null) {
            join(killer);
        }
        pacers.forEach(LoadClient::join);
        double runSeconds = (System.nanoTime() - runStart) / 1e9;
        double clientRunCpu = ProcessStats.processCpuSeconds() - clientRunStart;
        Map<String, Double> procUsed = ProcCpu.difference(procBefore, options.procCpu().read());
        ProcessStats serverRunEnd = serverStats(false);
        ClientReport report = report(runSeconds, chunksBefore, lostBefore, serverRunStart == null || serverRunEnd == null ? -1
                : serverRunEnd.cpuSeconds() - serverRunStart.cpuSeconds(), clientRunCpu);
        if (!options.procCpu().isEmpty() || kill != null) {
            report = report.withCluster(new ClusterReport(procUsed, kill == null ? null : remounts(kill, homesAtKill)));
        }

        long statsBegan = System.nanoTime();
        ProcessStats client = ProcessStats.capture().withCpuSince(cpuBefore);
        ProcessStats serverAfter = serverStats(heap);
        long statsEnded = System.nanoTime();
        linger();
        metrics.finish();
        for (int i = 0; i < tabs.length(); i++) {
            tab(i).close();
        }
        report = report.withStats(client, serverBefore, serverAfter).withReaders(readers());
        long settleBegan = System.nanoTime();
        report = options.settle().isZero() ? report : settle(report);
        System.err.printf("%s %s took %.1f s: stats %.1f s, connect %.1f s, warm-up %.1f s, run %.1f s, stats %.1f s, settle %.1f s%n",
                options.target().name(), options.scenario(), seconds(began, System.nanoTime()),
                seconds(began, connectBegan), seconds(connectBegan, warmupStart), seconds(warmupStart, runStart), runSeconds,
                seconds(statsBegan, statsEnded), seconds(settleBegan, System.nanoTime()));
        return report;
    }

    /**
     * With {@code --kill-pid}: a thread that, at {@code atNanos}, notes where each tab's view lives and kills the
     * server with {@code SIGKILL} ({@link ProcessHandle#destroyForcibly()}), the instant the tabs' recoveries
     * are timed from.
     */
    private Thread killer(ClientOptions.Kill kill, long atNanos, String[] homesAtKill) {
        return Thread.ofPlatform().name("bench-killer").daemon().start(() -> {
            Pacer.sleepUntil(atNanos);
            for (int i = 0; i < homesAtKill.length; i++) {
                homesAtKill[i] = tab(i).home();
            }
            ProcessHandle server = ProcessHandle.of(kill.pid()).orElse(null);
            long now = System.nanoTime();
            metrics.killed(now);
            boolean sent = server != null && server.destroyForcibly();
            System.err.printf("%s %s: %s pid %d with SIGKILL at %.1f s of the run phase%n", options.target().name(),
                    options.scenario(), sent ? "killed" : "could not kill", kill.pid(),
                    (now - atNanos + kill.at().toNanos()) / 1e9);
        });
    }

    /**
     * Whether, after the kill, every tab has come back: those whose view lived on the killed server have remounted
     * (or given up), and every tab's stream is open (or stopped for good); a second at least after the kill.
     */
    private boolean recovered(ClientOptions.Kill kill, String[] homesAtKill) {
        long killed = metrics.killNanos();
        if (killed == 0 || System.nanoTime() - killed < 1_000_000_000L) {
            return false;
        }
        String pid = Long.toString(kill.pid());
        for (int i = 0; i < tabs.length(); i++) {
            ClientTab tab = tab(i);
            if (!tab.recovered() || (pid.equals(homesAtKill[i]) && tab.remountedNanos() == 0 && !tab.gaveUp())) {
                return false;
            }
        }
        return true;
    }

    /** How the tabs came back after the kill (see {@link ClusterReport.Remounts}). */
    private ClusterReport.Remounts remounts(ClientOptions.Kill kill, String[] homesAtKill) {
        long killed = metrics.killNanos();
        String pid = Long.toString(kill.pid());
        Histogram remount = new Histogram(3);
        Histogram reconnect = new Histogram(3);
        long open = 0;
        long homeKilled = 0;
        long remounted = 0;
        long gaveUp = 0;
        long remountedOthers = 0;
        long reconnected = 0;
        for (int i = 0; i < tabs.length(); i++) {
            ClientTab tab = tab(i);
            if (homesAtKill[i] == null) {
                continue; // not open when the server was killed (or no Bench-Node header)
            }
            open++;
            if (pid.equals(homesAtKill[i])) {
                homeKilled++;
                if (tab.remountedNanos() != 0) {
                    remounted++;
                    remount.recordValue((tab.remountedNanos() - killed) / 1_000);
                } else if (tab.gaveUp()) {
                    gaveUp++;
                }
            } else if (tab.remountedNanos() != 0) {
                remountedOthers++;
            } else if (tab.reconnectedNanos() != 0) {
                reconnected++;
                reconnect.recordValue((tab.reconnectedNanos() - killed) / 1_000);
            }
        }
        return new ClusterReport.Remounts(kill.pid(), open, homeKilled, remounted, gaveUp, remountedOthers, reconnected,
                metrics.remountAttemptsFailed.sum(), metrics.remountCauses(), LatencySummary.of(remount),
                LatencySummary.of(reconnect), Histograms.encode(remount), Histograms.encode(reconnect),
                kill.bound().toNanos() / 1e9);
    }

    /**
     * Waits out the run phase, printing to stderr each second the events received in that second and
     * the largest delivery latency among them, so that a stall (of the server, the client or the
     * machine) shows when it happened; it ends early once {@code done} says so (checked every second).
     */
    private void timeline(long runStart, long runEnd, BooleanSupplier done) {
        StringBuilder line = new StringBuilder(options.target().name()).append(' ').append(options.scenario())
                .append(" per second (events/max ms):");
        long chunksBefore = metrics.chunks.sum();
        metrics.takeSecondMax();
        for (long next = runStart + 1_000_000_000L; ; next += 1_000_000_000L) {
            Pacer.sleepUntil(Math.min(next, runEnd));
            long chunks = metrics.chunks.sum();
            line.append(' ').append(chunks - chunksBefore).append('/').append(metrics.takeSecondMax() / 1000);
            chunksBefore = chunks;
            if (next >= runEnd || done.getAsBoolean()) {
                break;
            }
        }
        System.err.println(line);
    }

    /**
     * With {@code --stats-every}: a thread that fetches the server's stats (after a full GC) that often
     * until {@code runEnd} and prints each to stderr with the client's counts so far, so that a slow
     * growth shows during a long run.
     */
    private @Nullable Thread printStats(long runEnd) {
        long every = options.statsEvery().toNanos();
        if (every == 0 || options.target().stats() == null) {
            return null;
        }
        long began = System.nanoTime();
        return Thread.ofPlatform().name("bench-stats").daemon().start(() -> {
            for (long next = began + every; next < runEnd; next += every) {
                Pacer.sleepUntil(next);
                ProcessStats stats = serverStats();
                ClientReport.Readers readers = readers();
                System.err.printf("%s %s at %.0f s: server %s; tabs opened %d, failed %d, lost %d%s%n",
                        options.target().name(), options.scenario(), seconds(began, System.nanoTime()),
                        stats == null ? "n/a" : Json.write(stats), metrics.tabsOpened.sum(), metrics.tabsFailed.sum(),
                        metrics.lost.sum(), readers == null ? "" : "; " + readers.describe());
            }
        });
    }

    /** What the slow-reader mix saw so far, or {@code null} without one. */
    private ClientReport.@Nullable Readers readers() {
        if (!options.readers().mixed()) {
            return null;
        }
        return new ClientReport.Readers(options.readers().slowTabs(options.tabs()),
                options.readers().stalledTabs(options.tabs()), metrics.streamsEnded[0].sum(), metrics.streamsEnded[1].sum(),
                metrics.streamsEnded[2].sum(), metrics.reconnects.sum(), metrics.reconnectsFailed.sum(),
                metrics.expired.sum(), metrics.resets.sum(), metrics.closeEvents.sum(), metrics.skippedByReset.sum(),
                metrics.stalls.sum(), metrics.stallsClosed.sum(), metrics.tabsReplaced.sum(), metrics.endings());
    }

    private static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    /**
     * Waits until the server's gauges (open tabs, running tasks) are back to zero now that every tab
     * is closed, fetching its stats every half second up to {@code --settle}; the last stats and the
     * time it took go into the report (a server that never got there shows its gauges above zero).
     */
    private ClientReport settle(ClientReport report) {
        long began = System.nanoTime();
        long deadline = began + options.settle().toNanos();
        ProcessStats stats = serverStats();
        while (stats != null && !stats.gaugesAtZero() && System.nanoTime() < deadline) {
            Pacer.sleepUntil(Math.min(deadline, System.nanoTime() + 500_000_000L));
            stats = serverStats();
        }
        return report.withSettled(stats, (System.nanoTime() - began) / 1e9);
    }

    /** The counts and latencies at the end of the run phase, before the client measures itself. */
    private ClientReport report(double runSeconds, long chunksBefore, long lostBefore, double serverRunCpu,
            double clientRunCpu) {
        ClientMetrics.Latencies latencies = metrics.latencies();
        long chunks = metrics.chunks.sum();
        long lost = metrics.lost.sum();
        return new ClientReport(options.target().name(), options.scenario(), 1, options.tabs(),
                metrics.tabsOpened.sum(), metrics.tabsFailed.sum(), metrics.peakConnected(),
                metrics.streamsDropped.sum(), chunks, runSeconds, (chunks - chunksBefore) / runSeconds,
                lost, lost - lostBefore, metrics.duplicates.sum(), metrics.malformed.sum(), metrics.startsSent.sum(),
                metrics.startsFailed.sum(), LatencySummary.of(latencies.chunk()), LatencySummary.of(latencies.start()),
                LatencySummary.of(latencies.connect()), null, null, null,
                Histograms.encode(latencies.chunk(), latencies.start(), latencies.connect()), null, 0,
                options.startRate() == 0 && !options.task().sleeps() ? options.tabs() * options.task().rate() : 0, serverRunCpu, clientRunCpu,
                null);
    }

    private void connectPhase() {
        boolean startOnConnect = options.startRate() == 0;
        CountDownLatch settled = new CountDownLatch(options.tabs());
        Pacer.run(options.connectRate(), options.tabs(), Long.MAX_VALUE, i -> {
            ClientTab tab = newTab((int) i, null);
            tab.open().subscribe(ignored -> {
            }, error -> {
                metrics.failed(metrics.tabsFailed, "tab " + i, error);
                settled.countDown();
            }, () -> {
                if (startOnConnect) {
                    tab.start();
                }
                settled.countDown();
            });
        });
        try {
            if (!settled.await(options.connectTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                System.err.println(settled.getCount() + " tabs still connecting after " + options.connectTimeout()
                        + "; running with the others");
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private ClientTab newTab(int index, @Nullable String cookies) {
        ClientTab tab = create(index, cookies);
        tabs.set(index, tab);
        return tab;
    }

    private ClientTab create(int index, @Nullable String cookies) {
        ClientTab.Reader kind = kinds[index];
        List<HttpClient> clients = switch (kind) {
            case NORMAL -> streams;
            case SLOW -> slowStreams;
            case STALLED -> readerStreams;
        };
        return new ClientTab(options.target(), requests, clients.get(index % clients.size()), options.task().toForm(),
                metrics, options.event(), cookies, kind, options.readers(), gone -> replace(index, gone),
                options.kill() != null);
    }

    /**
     * A tab of the slow-reader mix is gone for good (its view expired or was closed, or it closed after a
     * stall): a new tab in the same browser (its cookies) takes its slot, as a reload would, and starts a
     * task; not once the client is closing its tabs.
     */
    private void replace(int index, ClientTab gone) {
        if (metrics.finished()) {
            return;
        }
        ClientTab replacement = create(index, gone.cookies());
        if (!tabs.compareAndSet(index, gone, replacement)) {
            return; // churn replaced it already
        }
        if (metrics.finished()) {
            replacement.close(); // the tabs are being closed: the loop may have passed this slot
            return;
        }
        metrics.tabsReplaced.increment();
        replacement.open().subscribe(ignored -> {
        }, error -> metrics.failed(metrics.tabsFailed, "replacement tab", error), replacement::start);
    }

    private ClientTab tab(long i) {
        return tabs.get((int) (i % tabs.length()));
    }

    /**
     * Starts a new task on a tab, unless its previous start is still waiting for its first chunk:
     * overlapping starts would cancel each other and blur the start latency, so a slow server
     * lowers the start rate actually reached (see {@code startsSent}).
     */
    private void restart(long i) {
        ClientTab tab = tab(i);
        if (tab.settled()) {
            tab.start();
        }
    }

    /**
     * Replaces a tab: cancel its task and close it, then open a new one, in the same browser (with its
     * cookies, so the same session), that starts a task. A tab
     * still opening or waiting for its first chunk is left alone, so a slow server lowers the churn
     * actually reached (see {@code tabsOpened}) instead of the client tearing down its own requests.
     */
    private void churn(long i) {
        if (churnSlots.length == 0) {
            return;
        }
        int slot = churnSlots[(int) (i % churnSlots.length)];
        ClientTab old = tabs.get(slot);
        if (!old.settled()) {
            return;
        }
        ClientTab replacement = create(slot, old.cookies());
        if (!tabs.compareAndSet(slot, old, replacement)) {
            return; // replaced meanwhile (its view expired)
        }
        old.cancelAndClose();
        replacement.open().subscribe(ignored -> {
        }, error -> metrics.failed(metrics.tabsFailed, "replacement tab", error), replacement::start);
    }

    private static Thread pace(double perSecond, long limitNanos, LongConsumer action) {
        return Thread.ofPlatform().name("bench-pacer").daemon()
                .start(() -> Pacer.run(perSecond, Long.MAX_VALUE, limitNanos, action));
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private @Nullable ProcessStats serverStats() {
        return serverStats(true);
    }

    /** The server's stats; without {@code gc}, only its CPU time and gauges are meaningful (no GC pause). */
    private @Nullable ProcessStats serverStats(boolean gc) {
        String stats = options.target().stats();
        if (stats == null) {
            return null;
        }
        String path = gc ? stats : stats + (stats.contains("?") ? "&" : "?") + "gc=false";
        try {
            String json = requests.get().uri(path).responseSingle((response, body) -> body.asString())
                    .block(REQUEST_TIMEOUT);
            return json == null ? null : Json.read(json, ProcessStats.class);
        } catch (RuntimeException ex) {
            System.err.println("GET " + path + " failed, reporting no server stats: " + ex);
            return null;
        }
    }

    /**
     * With {@code --sync}: the process that fetches the stats waits for its peers to be connected; each
     * of them says it is.
     */
    private void syncConnected() {
        Path sync = options.sync();
        if (sync == null) {
            return;
        }
        if (options.target().stats() == null) {
            touch(sync.resolve("connected-" + ProcessHandle.current().pid()));
            return;
        }
        long deadline = System.nanoTime() + options.connectTimeout().toNanos();
        while (count(sync, "connected-") < options.peers() && System.nanoTime() < deadline) {
            Pacer.sleepUntil(System.nanoTime() + 100_000_000);
        }
    }

    /**
     * Keeps the tabs open after the run: for {@code --linger}, or with {@code --sync} until the process
     * that fetches the stats has fetched them (at most {@code --linger}), which then says so.
     */
    private void linger() {
        Path sync = options.sync();
        long deadline = System.nanoTime() + options.linger().toNanos();
        if (sync == null) {
            Pacer.sleepUntil(deadline);
        } else if (options.target().stats() != null) {
            touch(sync.resolve("stats-taken"));
        } else {
            while (!Files.exists(sync.resolve("stats-taken")) && System.nanoTime() < deadline) {
                Pacer.sleepUntil(System.nanoTime() + 100_000_000);
            }
        }
    }

    private static void touch(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "");
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static long count(Path dir, String prefix) {
        try (var files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().startsWith(prefix)).count();
        } catch (IOException ex) {
            return 0; // not made yet
        }
    }
}
