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
 * Works on the client's report files (its output: a JSON line and a human line).
 * <ul>
 * <li>{@code merge FILE...}: adds up client processes that ran together, printing the same two lines;
 * <li>{@code summary FILE...}: one line per scenario comparing the targets.
 * </ul>
 */
public final class ReportTool {

    private ReportTool() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || !(args[0].equals("merge") || args[0].equals("summary"))) {
            System.err.println("usage: ReportTool merge|summary FILE...");
            System.exit(2);
        }
        List<ClientReport> reports = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            reports.add(read(Path.of(args[i])));
        }
        if (args[0].equals("merge")) {
            ClientReport merged = ClientReport.merge(reports);
            System.out.println(Json.write(merged));
            System.out.println(merged.humanLine());
        } else {
            Map<String, List<ClientReport>> byScenario = reports.stream()
                    .collect(Collectors.groupingBy(ClientReport::scenario, LinkedHashMap::new, Collectors.toList()));
            byScenario.forEach((scenario, results) -> System.out.println(scenario + ": " + results.stream()
                    .collect(Collectors.groupingBy(ClientReport::target, LinkedHashMap::new, Collectors.toList()))
                    .values().stream()
                    .map(ReportTool::cell)
                    .collect(Collectors.joining(" | "))));
        }
    }

    /**
     * One target's cell: its report's, or for several steps of rising rate the best step that held
     * its rate (see {@link ClientReport#held()}) and the verdict of every step.
     */
    private static String cell(List<ClientReport> steps) {
        if (steps.size() == 1) {
            return steps.getFirst().summaryCell();
        }
        if (steps.getFirst().scenario().equals("latency")) { // steps of rising start rate: each one counts
            return steps.stream().map(ClientReport::summaryCell).collect(Collectors.joining("; "));
        }
        ClientReport best = steps.stream().filter(ClientReport::held)
                .max(java.util.Comparator.comparingDouble(ClientReport::offeredPerSecond)).orElse(null);
        String verdicts = steps.stream()
                .map(step -> "%.0fk %s".formatted(step.offeredPerSecond() / 1000, step.held() ? "held"
                        : step.chunkLatencyMicros().p99() > 50_000
                                ? "p99 " + LatencySummary.ms(step.chunkLatencyMicros().p99()) + " ms"
                                : "got %.0f/s, lost %d".formatted(step.chunksPerSecond(), step.lost())))
                .collect(Collectors.joining(", "));
        return (best == null ? steps.getFirst().target() + " held no step" : "best held: " + best.summaryCell())
                + " (steps: " + verdicts + ")";
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
