package dev.strand.bench.client;

import dev.strand.bench.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The cluster scenario's summary ({@code cluster.sh}): {@code ClusterSummary FILE...} reads the load client's
 * reports (their JSON lines) and prints them as two Markdown tables. Throughput: one row per setup and rate, with
 * whether the step held (see {@link ClientReport#held()}) and the CPU time of the servers, Redis and nginx during
 * the run phase per chunk received (the {@code --proc-cpu} names {@code node}, {@code redis}, {@code nginx});
 * then the best step each setup held. Remount: one row per kill.
 */
public final class ClusterSummary {

    /** The {@code --proc-cpu} names whose CPU per chunk the throughput table shows, and their columns. */
    private static final Map<String, String> CPU_COLUMNS = new LinkedHashMap<>();

    static {
        CPU_COLUMNS.put("node", "servers µs/chunk");
        CPU_COLUMNS.put("redis", "Redis µs/chunk");
        CPU_COLUMNS.put("nginx", "nginx µs/chunk");
    }

    private ClusterSummary() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: ClusterSummary RESULT.json...");
            System.exit(2);
        }
        List<ClientReport> reports = new ArrayList<>();
        for (String arg : args) {
            reports.add(read(Path.of(arg)));
        }
        System.out.print(render(reports));
    }

    /** Both tables (those that have rows), in the order of the reports. */
    static String render(List<ClientReport> reports) {
        List<ClientReport> throughput = reports.stream()
                .filter(report -> report.cluster() == null || report.cluster().remounts() == null).toList();
        List<ClientReport> kills = reports.stream()
                .filter(report -> report.cluster() != null && report.cluster().remounts() != null).toList();
        StringBuilder text = new StringBuilder();
        if (!throughput.isEmpty()) {
            text.append(throughput(throughput));
        }
        if (!kills.isEmpty()) {
            text.append(throughput.isEmpty() ? "" : "\n").append(remounts(kills));
        }
        return text.toString();
    }

    private static String throughput(List<ClientReport> steps) {
        StringBuilder text = new StringBuilder("| setup | tabs | offered chunks/s | received chunks/s | p50 ms | p99 ms "
                + "| lost | held |");
        CPU_COLUMNS.values().forEach(column -> text.append(' ').append(column).append(" |"));
        text.append(" client cores |\n|---|---:|---:|---:|---:|---:|---:|---|")
                .append("---:|".repeat(CPU_COLUMNS.size())).append("---:|\n");
        for (ClientReport step : steps) {
            text.append("| %s | %d | %.0f | %.0f | %s | %s | %d | %s |".formatted(step.target(), step.tabs(),
                    step.offeredPerSecond(), step.chunksPerSecond(), LatencySummary.ms(step.chunkLatencyMicros().p50()),
                    LatencySummary.ms(step.chunkLatencyMicros().p99()), step.lost(), verdict(step)));
            for (String name : CPU_COLUMNS.keySet()) {
                text.append(' ').append(cpuPerChunk(step, name)).append(" |");
            }
            text.append(" %.2f |\n".formatted(step.clientRunCpuSeconds() / step.runSeconds()));
        }
        Map<String, List<ClientReport>> bySetup = steps.stream()
                .collect(Collectors.groupingBy(ClientReport::target, LinkedHashMap::new, Collectors.toList()));
        text.append("\nBest step held (≥ 95% of the offered chunks/s, p99 ≤ 50 ms, nothing lost): ")
                .append(bySetup.entrySet().stream().map(setup -> setup.getKey() + " " + setup.getValue().stream()
                        .filter(ClientReport::held)
                        .mapToDouble(ClientReport::offeredPerSecond)
                        .max()
                        .stream()
                        .mapToObj(best -> "%.0f chunks/s".formatted(best))
                        .findFirst()
                        .orElse("none"))
                        .collect(Collectors.joining("; ")))
                .append('\n');
        return text.toString();
    }

    /** {@code yes}, or why not: the first of too few chunks, p99 over 50 ms, chunks lost or duplicated. */
    static String verdict(ClientReport step) {
        if (step.held()) {
            return "yes";
        }
        List<String> why = new ArrayList<>();
        if (step.chunksPerSecond() < 0.95 * step.offeredPerSecond()) {
            why.add("%.0f%% received".formatted(100 * step.chunksPerSecond() / step.offeredPerSecond()));
        }
        if (step.chunkLatencyMicros().p99() > 50_000) {
            why.add("p99 > 50 ms");
        }
        if (step.lost() > 0 || step.duplicates() > 0 || step.malformed() > 0) {
            why.add("lost/dup " + step.lost() + "/" + step.duplicates());
        }
        return "no (" + String.join(", ", why) + ")";
    }

    /** The named processes' CPU time during the run phase per chunk received, in µs; {@code –} if not measured. */
    static String cpuPerChunk(ClientReport step, String name) {
        double chunks = step.chunksPerSecond() * step.runSeconds();
        double seconds = step.cluster() == null ? ProcCpu.UNKNOWN : step.cluster().cpu(name);
        return seconds < 0 || chunks <= 0 ? "–" : "%.1f".formatted(seconds * 1e6 / chunks);
    }

    private static String remounts(List<ClientReport> kills) {
        StringBuilder text = new StringBuilder("| setup | tabs open at the kill | views on the killed server | remounted "
                + "| kill → remounted p50 s | p99 s | max s | gave up | not remounted within the bound | other tabs "
                + "remounted | other tabs reconnected | their kill → reconnected p50 s | p99 s | chunks lost |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ClientReport kill : kills) {
            ClusterReport.Remounts r = kill.cluster().remounts();
            text.append("| %s | %d | %d | %d | %s | %s | %s | %d | %d (%.0f s) | %d | %d | %s | %s | %d |\n".formatted(
                    kill.target(), r.tabs(), r.homeKilled(), r.remounted(), seconds(r.remountMicros().count(),
                            r.remountMicros().p50()), seconds(r.remountMicros().count(), r.remountMicros().p99()),
                    seconds(r.remountMicros().count(), r.remountMicros().max()), r.gaveUp(), r.notRemounted() - r.gaveUp(),
                    r.boundSeconds(), r.remountedOthers(), r.reconnected(), seconds(r.reconnectMicros().count(),
                            r.reconnectMicros().p50()), seconds(r.reconnectMicros().count(), r.reconnectMicros().p99()),
                    kill.lost()));
        }
        kills.forEach(kill -> text.append("\n").append(kill.target()).append(": remounts began on ")
                .append(kill.cluster().remounts().causes()).append(", ")
                .append(kill.cluster().remounts().attemptsFailed()).append(" page fetches failed\n"));
        return text.toString();
    }

    private static String seconds(long count, long micros) {
        return count == 0 ? "–" : "%.2f".formatted(micros / 1e6);
    }

    private static ClientReport read(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .filter(line -> line.startsWith("{"))
                .findFirst()
                .map(line -> Json.read(line, ClientReport.class))
                .orElseThrow(() -> new IllegalArgumentException(file + " holds no JSON report line; expected a"
                        + " LoadClient's output"));
    }
}
