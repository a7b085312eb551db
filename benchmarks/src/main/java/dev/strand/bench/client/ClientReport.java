package dev.strand.bench.client;

import dev.strand.bench.ProcessStats;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * What one client process, or several merged, saw: tabs, chunks, losses, the three latency
 * summaries (chunk delivery, start to first chunk, page request to stream connected), the client's
 * own cost, and the server's stats before and after the run phase.
 *
 * @param chunks chunks received from the start of the connect phase to the end of the run phase
 * @param chunksPerSecond chunks received during the run phase per second of it
 * @param lost chunks missing from the sequences received, from the start of the connect phase (in the render
 *     scenario, re-renders that a newer one replaced before the stream sent them)
 * @param lostInRun the same, during the run phase alone
 * @param chunkLatencyMicros server stamp to client receipt, for chunks of the run phase only (the
 *     connect phase is the warm-up)
 * @param startLatencyMicros start POST sent to its first chunk received, over the whole run
 * @param connectLatencyMicros page GET sent to stream headers received, over the whole run
 * @param client this process at the end of the run phase: CPU counted from the start of the connect
 *     phase, memory after a full GC; {@code null} only while the report is being built
 * @param serverBefore the server before the connect phase, if the target has a stats endpoint
 * @param serverAfter the server at the end of the run phase, tabs still open
 * @param serverSettled the server after the client closed its tabs and its gauges reached zero (or
 *     {@code --settle} ran out), if the run had a settle phase
 * @param settleSeconds how long the settle phase took
 * @param offeredPerSecond chunks per second the tabs' tasks were asked for (tabs times rate), 0 when
 *     tasks start at a rate of their own or sleep
 * @param serverRunCpuSeconds the server's CPU time during the run phase alone (-1 if unknown)
 * @param clientRunCpuSeconds the client's CPU time during the run phase alone
 * @param readers what the slow-reader mix saw, or {@code null} for a run without one
 * @param cluster the cluster scenario's figures ({@code --proc-cpu}, {@code --kill-pid}), or {@code null}
 */
record ClientReport(String target, String scenario, int clients, int tabs, long tabsOpened, long tabsFailed,
        long peakConnected, long streamsDropped, long chunks, double runSeconds, double chunksPerSecond, long lost,
        long lostInRun, long duplicates, long malformed, long startsSent, long startsFailed,
        LatencySummary chunkLatencyMicros, LatencySummary startLatencyMicros, LatencySummary connectLatencyMicros,
        @Nullable ProcessStats client, @Nullable ProcessStats serverBefore, @Nullable ProcessStats serverAfter,
        Histograms histograms, @Nullable ProcessStats serverSettled, double settleSeconds, double offeredPerSecond,
        double serverRunCpuSeconds, double clientRunCpuSeconds, @Nullable Readers readers,
        @Nullable ClusterReport cluster) {

    private static final double MIB = 1024.0 * 1024.0;

    /** A report without the cluster scenario's figures. */
    ClientReport(String target, String scenario, int clients, int tabs, long tabsOpened, long tabsFailed,
            long peakConnected, long streamsDropped, long chunks, double runSeconds, double chunksPerSecond, long lost,
            long lostInRun, long duplicates, long malformed, long startsSent, long startsFailed,
            LatencySummary chunkLatencyMicros, LatencySummary startLatencyMicros, LatencySummary connectLatencyMicros,
            @Nullable ProcessStats client, @Nullable ProcessStats serverBefore, @Nullable ProcessStats serverAfter,
            Histograms histograms, @Nullable ProcessStats serverSettled, double settleSeconds, double offeredPerSecond,
            double serverRunCpuSeconds, double clientRunCpuSeconds, @Nullable Readers readers) {
        this(target, scenario, clients, tabs, tabsOpened, tabsFailed, peakConnected, streamsDropped, chunks, runSeconds,
                chunksPerSecond, lost, lostInRun, duplicates, malformed, startsSent, startsFailed, chunkLatencyMicros,
                startLatencyMicros, connectLatencyMicros, client, serverBefore, serverAfter, histograms, serverSettled,
                settleSeconds, offeredPerSecond, serverRunCpuSeconds, clientRunCpuSeconds, readers, null);
    }

    /**
     * What the tabs of a slow-reader mix saw (the whole run: connect, warm-up and run phase).
     *
     * @param slowTabs tab slots that read slowly
     * @param stalledTabs tab slots that stall
     * @param endedNormal streams of normal tabs that the server ended (or whose connection dropped) while
     *     the tab still wanted them
     * @param endedSlow the same for slow tabs
     * @param endedStalled the same for stalled tabs
     * @param reconnects streams reopened with the last event id seen
     * @param reconnectsFailed reconnects that failed otherwise than with 404 or 410 (tried again)
     * @param expired tabs whose view was gone when they came back (404 or 410), replaced by a new tab
     * @param resets {@code reset} events received (a full re-render after a gap)
     * @param closeEvents {@code close} events received (the view closed; the tab is replaced)
     * @param skippedByReset chunks skipped after a reset, which it covered (not counted as lost)
     * @param stalls stalls begun
     * @param stallsClosed stalled tabs closed at the end of their stall (and replaced)
     * @param tabsReplaced tabs replaced by a new one (expired, closed by the server, closed after a stall)
     * @param endings how streams ended and reconnects failed, counted
     */
    record Readers(long slowTabs, long stalledTabs, long endedNormal, long endedSlow, long endedStalled, long reconnects,
            long reconnectsFailed, long expired, long resets, long closeEvents, long skippedByReset, long stalls,
            long stallsClosed, long tabsReplaced, Map<String, Long> endings) {

        Readers {
            endings = endings == null ? Map.of() : Map.copyOf(endings);
        }

        long ended() {
            return endedNormal + endedSlow + endedStalled;
        }

        Readers plus(Readers other) {
            Map<String, Long> sum = new TreeMap<>(endings);
            other.endings.forEach((what, count) -> sum.merge(what, count, Long::sum));
            return new Readers(slowTabs + other.slowTabs, stalledTabs + other.stalledTabs, endedNormal + other.endedNormal,
                    endedSlow + other.endedSlow, endedStalled + other.endedStalled, reconnects + other.reconnects,
                    reconnectsFailed + other.reconnectsFailed, expired + other.expired, resets + other.resets,
                    closeEvents + other.closeEvents, skippedByReset + other.skippedByReset, stalls + other.stalls,
                    stallsClosed + other.stallsClosed, tabsReplaced + other.tabsReplaced, sum);
        }

        String describe() {
            return ("%d slow, %d stalled tabs; streams ended by the server %d (normal %d, slow %d, stalled %d), "
                    + "%d reconnects (%d failed), %d expired, %d resets (%d chunks skipped), %d close events, "
                    + "%d stalls (%d closed), %d tabs replaced").formatted(slowTabs, stalledTabs, ended(), endedNormal,
                    endedSlow, endedStalled, reconnects, reconnectsFailed, expired, resets, skippedByReset, closeEvents,
                    stalls, stallsClosed, tabsReplaced);
        }
    }

    /** Adds up reports from client processes that ran at the same time against one server. */
    static ClientReport merge(List<ClientReport> reports) {
        return reports.stream().reduce(ClientReport::plus)
                .orElseThrow(() -> new IllegalArgumentException("expected at least one client report, got none"));
    }

    ClientReport withStats(ProcessStats client, @Nullable ProcessStats serverBefore, @Nullable ProcessStats serverAfter) {
        return new ClientReport(target, scenario, clients, tabs, tabsOpened, tabsFailed, peakConnected, streamsDropped,
                chunks, runSeconds, chunksPerSecond, lost, lostInRun, duplicates, malformed, startsSent, startsFailed,
                chunkLatencyMicros, startLatencyMicros, connectLatencyMicros, client, serverBefore, serverAfter,
                histograms, serverSettled, settleSeconds, offeredPerSecond, serverRunCpuSeconds, clientRunCpuSeconds, readers,
                cluster);
    }

    ClientReport withSettled(@Nullable ProcessStats settled, double seconds) {
        return new ClientReport(target, scenario, clients, tabs, tabsOpened, tabsFailed, peakConnected, streamsDropped,
                chunks, runSeconds, chunksPerSecond, lost, lostInRun, duplicates, malformed, startsSent, startsFailed,
                chunkLatencyMicros, startLatencyMicros, connectLatencyMicros, client, serverBefore, serverAfter,
                histograms, settled, seconds, offeredPerSecond, serverRunCpuSeconds, clientRunCpuSeconds, readers, cluster);
    }

    ClientReport withReaders(@Nullable Readers counted) {
        return new ClientReport(target, scenario, clients, tabs, tabsOpened, tabsFailed, peakConnected, streamsDropped,
                chunks, runSeconds, chunksPerSecond, lost, lostInRun, duplicates, malformed, startsSent, startsFailed,
                chunkLatencyMicros, startLatencyMicros, connectLatencyMicros, client, serverBefore, serverAfter,
                histograms, serverSettled, settleSeconds, offeredPerSecond, serverRunCpuSeconds, clientRunCpuSeconds,
                counted, cluster);
    }

    ClientReport withCluster(@Nullable ClusterReport figures) {
        return new ClientReport(target, scenario, clients, tabs, tabsOpened, tabsFailed, peakConnected, streamsDropped,
                chunks, runSeconds, chunksPerSecond, lost, lostInRun, duplicates, malformed, startsSent, startsFailed,
                chunkLatencyMicros, startLatencyMicros, connectLatencyMicros, client, serverBefore, serverAfter,
                histograms, serverSettled, settleSeconds, offeredPerSecond, serverRunCpuSeconds, clientRunCpuSeconds,
                readers, figures);
    }

    private ClientReport plus(ClientReport other) {
        Histograms sum = histograms.plus(other.histograms);
        return new ClientReport(target, scenario, clients + other.clients, tabs + other.tabs,
                tabsOpened + other.tabsOpened, tabsFailed + other.tabsFailed, peakConnected + other.peakConnected,
                streamsDropped + other.streamsDropped, chunks + other.chunks, Math.max(runSeconds, other.runSeconds),
                chunksPerSecond + other.chunksPerSecond, lost + other.lost, lostInRun + other.lostInRun,
                duplicates + other.duplicates, malformed + other.malformed, startsSent + other.startsSent,
                startsFailed + other.startsFailed,
                LatencySummary.of(Histograms.decode(sum.chunk())), LatencySummary.of(Histograms.decode(sum.start())),
                LatencySummary.of(Histograms.decode(sum.connect())), add(client, other.client),
                serverBefore != null ? serverBefore : other.serverBefore,
                serverAfter != null ? serverAfter : other.serverAfter, sum,
                serverSettled != null ? serverSettled : other.serverSettled, Math.max(settleSeconds, other.settleSeconds),
                offeredPerSecond + other.offeredPerSecond, Math.max(serverRunCpuSeconds, other.serverRunCpuSeconds),
                clientRunCpuSeconds + other.clientRunCpuSeconds,
                readers == null ? other.readers : other.readers == null ? readers : readers.plus(other.readers),
                cluster == null ? other.cluster : other.cluster == null ? cluster : cluster.plus(other.cluster));
    }

    private static @Nullable ProcessStats add(@Nullable ProcessStats left, @Nullable ProcessStats right) {
        return left == null ? right : right == null ? left : left.plus(right);
    }

    /** One line for a person reading the run's output. */
    String humanLine() {
        return "%s %s: tabs %d/%d opened (peak %d connected, %d failed, %d dropped), %d chunks, %.0f/s in %.1f s, lost %d, dup %d, malformed %d | chunk %s | start %s (%d sent, %d failed) | connect %s | client %s%s"
                .formatted(target, scenario, tabsOpened, tabs, peakConnected, tabsFailed, streamsDropped, chunks,
                        chunksPerSecond, runSeconds, lost, duplicates, malformed, chunkLatencyMicros.toMillis(),
                        startLatencyMicros.toMillis(), startsSent, startsFailed, connectLatencyMicros.toMillis(),
                        client == null ? "n/a" : describe(client, client.cpuSeconds()),
                        serverAfter == null ? "" : " | server " + describe(serverAfter, serverBefore == null
                                ? serverAfter.cpuSeconds() : serverAfter.cpuSeconds() - serverBefore.cpuSeconds()))
                + (serverSettled == null ? "" : " | settled after %.1f s: %s".formatted(settleSeconds,
                        describe(serverSettled, serverSettled.cpuSeconds())))
                + (readers == null ? "" : " | readers: " + readers.describe() + (readers.endings().isEmpty() ? ""
                        : ", " + readers.endings()))
                + (cluster == null ? "" : " | cluster: " + cluster.describe());
    }

    /** The figures that matter for this report's scenario, for a one-line comparison of targets. */
    String summaryCell() {
        String cell = switch (scenario) {
            case "capacity" -> "%d tabs, server heap %s, rss %s per tab, %d threads%s".formatted(peakConnected,
                    perTab(ProcessStats::heapUsedBytes), perTab(ProcessStats::rssBytes),
                    serverAfter == null ? -1 : serverAfter.threads(), gauges(serverAfter));
            case "throughput", "throughput1k" -> "%.0f of %.0f chunks/s, chunk p50 %s p99 %s ms, lost %d, server %s µs/chunk, %.2f cores, client %.2f cores".formatted(
                    chunksPerSecond, offeredPerSecond, LatencySummary.ms(chunkLatencyMicros.p50()),
                    LatencySummary.ms(chunkLatencyMicros.p99()), lost, cpuPerEvent(), serverRunCpuSeconds / runSeconds,
                    clientRunCpuSeconds / runSeconds);
            case "render" -> "%.0f renders/s, p50 %s p99 %s ms, coalesced %d (%.0f/s in the run), server %s µs/render, %s µs/render made, %.2f cores".formatted(
                    chunksPerSecond, LatencySummary.ms(chunkLatencyMicros.p50()),
                    LatencySummary.ms(chunkLatencyMicros.p99()), lost, lostInRun / runSeconds, cpuPerEvent(),
                    cpuPer(chunksPerSecond * runSeconds + lostInRun), serverRunCpuSeconds / runSeconds);
            case "latency" -> "%.0f starts/s (%d failed), start p50 %s p99 %s p99.9 %s max %s ms, server %s µs/start, %.2f cores, client %.2f cores".formatted(
                    startsSent / runSeconds, startsFailed, LatencySummary.ms(startLatencyMicros.p50()),
                    LatencySummary.ms(startLatencyMicros.p99()), LatencySummary.ms(startLatencyMicros.p999()),
                    LatencySummary.ms(startLatencyMicros.max()), cpuPer(startsSent), serverRunCpuSeconds / runSeconds,
                    clientRunCpuSeconds / runSeconds);
            case "churn" -> "%d tabs opened (%d failed, %d dropped), connect p50 %s p99 %s ms, server cpu %s s%s"
                    .formatted(tabsOpened, tabsFailed, streamsDropped, LatencySummary.ms(connectLatencyMicros.p50()),
                            LatencySummary.ms(connectLatencyMicros.p99()), serverCpu(), settled());
            case "slowreaders" -> "%d tabs opened (%d failed), chunks lost %d, dup %d, normal tabs' chunk p99 %s ms, %s | server at start -> after close%s".formatted(
                    tabsOpened, tabsFailed, lost, duplicates, LatencySummary.ms(chunkLatencyMicros.p99()),
                    readers == null ? "no reader mix" : readers.describe(), startAndSettled());
            default -> "%d tabs, %.0f chunks/s, chunk p99 %s ms".formatted(tabsOpened, chunksPerSecond,
                    LatencySummary.ms(chunkLatencyMicros.p99()));
        };
        return target + " " + cell;
    }

    private String perTab(ToLongFunction<ProcessStats> figure) {
        if (serverAfter == null || serverBefore == null || peakConnected == 0) {
            return "n/a";
        }
        double kib = (figure.applyAsLong(serverAfter) - figure.applyAsLong(serverBefore)) / 1024.0 / peakConnected;
        return String.format("%+.1f KiB", kib);
    }

    /**
     * Whether the run held its offered rate: at least 95% of it received, p99 delivery latency at most
     * 50 ms, nothing lost (but for coalesced re-renders) or duplicated.
     */
    boolean held() {
        // in the render scenario "lost" counts re-renders coalesced away, which Strand does by design
        boolean complete = scenario.equals("render") || lost == 0;
        return offeredPerSecond > 0 && chunksPerSecond >= 0.95 * offeredPerSecond && chunkLatencyMicros.p99() <= 50_000
                && complete && duplicates == 0 && malformed == 0;
    }

    /** Server CPU per measured event during the run phase, in microseconds. */
    private String cpuPerEvent() {
        return cpuPer(chunksPerSecond * runSeconds);
    }

    /** Server CPU during the run phase per one of {@code events}, in microseconds. */
    private String cpuPer(double events) {
        if (serverRunCpuSeconds < 0 || events == 0) {
            return "n/a";
        }
        return String.format("%.1f", serverRunCpuSeconds * 1e6 / events);
    }

    /** How the server came back once the tabs closed: heap, threads and gauges against the start. */
    private String settled() {
        if (serverSettled == null || serverBefore == null) {
            return "";
        }
        return ", after close (%.1f s): heap %+.1f MiB, rss %+.1f MiB, threads %+d, jdk direct %+.1f MiB, netty direct %+.1f MiB%s".formatted(
                settleSeconds, (serverSettled.heapUsedBytes() - serverBefore.heapUsedBytes()) / MIB,
                (serverSettled.rssBytes() - serverBefore.rssBytes()) / MIB,
                serverSettled.threads() - serverBefore.threads(),
                (serverSettled.directBytes() - serverBefore.directBytes()) / MIB,
                (serverSettled.nettyDirectBytes() - serverBefore.nettyDirectBytes()) / MIB, gauges(serverSettled));
    }

    /** The server's figures before the first tab and after the settle phase, side by side. */
    private String startAndSettled() {
        if (serverSettled == null || serverBefore == null) {
            return ": n/a";
        }
        ProcessStats from = serverBefore;
        ProcessStats to = serverSettled;
        return " (%.1f s): heap %.1f -> %.1f MiB (%+.1f), jdk direct %.1f -> %.1f MiB, netty direct %.1f -> %.1f MiB (%+.1f), threads %d -> %d (%+d), rss %.0f -> %.0f MiB; gauges%s ->%s"
                .formatted(settleSeconds, from.heapUsedBytes() / MIB, to.heapUsedBytes() / MIB,
                        (to.heapUsedBytes() - from.heapUsedBytes()) / MIB, from.directBytes() / MIB, to.directBytes() / MIB,
                        from.nettyDirectBytes() / MIB, to.nettyDirectBytes() / MIB,
                        (to.nettyDirectBytes() - from.nettyDirectBytes()) / MIB, from.threads(), to.threads(),
                        to.threads() - from.threads(), from.rssBytes() / MIB, to.rssBytes() / MIB,
                        gauges(from).substring(Math.min(1, gauges(from).length())),
                        gauges(to).substring(Math.min(1, gauges(to).length())));
    }

    private static String gauges(@Nullable ProcessStats stats) {
        if (stats == null || stats.gauges().isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder(",");
        new java.util.TreeMap<>(stats.gauges()).forEach((name, value) -> text.append(' ').append(name).append('=').append(value));
        return text.toString();
    }

    private String serverCpu() {
        return serverAfter == null || serverBefore == null ? "n/a"
                : String.format("%.2f", serverAfter.cpuSeconds() - serverBefore.cpuSeconds());
    }

    private static String describe(ProcessStats stats, double cpuSeconds) {
        return "cpu %.2f s, heap %.1f MiB, rss %.1f MiB, %d threads, direct %.1f MiB".formatted(cpuSeconds,
                stats.heapUsedBytes() / MIB, stats.rssBytes() / MIB, stats.threads(), stats.directBytes() / MIB);
    }
}
