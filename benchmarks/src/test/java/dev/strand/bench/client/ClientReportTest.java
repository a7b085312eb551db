package dev.strand.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strand.bench.Json;
import dev.strand.bench.ProcessStats;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ClientReportTest {

    @Test
    void mergeAddsCountsAndMergesHistogramsExactly() {
        ClientReport fast = report(1000, 100, new ProcessStats(1, 10, 100, 5, 0));
        ClientReport slow = report(3000, 300, new ProcessStats(2, 20, 200, 6, 0));

        ClientReport merged = ClientReport.merge(List.of(fast, Json.read(Json.write(slow), ClientReport.class)));

        assertThat(merged.clients()).isEqualTo(2);
        assertThat(merged.chunks()).isEqualTo(400);
        assertThat(merged.chunksPerSecond()).isEqualTo(400.0);
        assertThat(merged.chunkLatencyMicros().count()).isEqualTo(400);
        assertThat(merged.chunkLatencyMicros().p50()).isEqualTo(Histograms.decode(merged.histograms().chunk())
                .getValueAtPercentile(50));
        assertThat(merged.chunkLatencyMicros().max()).isBetween(2990L, 3010L);
        assertThat(merged.client()).isEqualTo(new ProcessStats(3, 30, 300, 11, 0));
        assertThat(merged.humanLine()).startsWith("t run: tabs 20/20 opened").contains("400 chunks");
    }

    @Test
    void optionsSplitIntoRunsAtThen() {
        List<ClientOptions> runs = ClientOptions.parseRuns(List.of("--scenario", "a", "--tabs", "3", "--then",
                "--scenario", "b", "--rate", "0", "--count", "0"));

        assertThat(runs).extracting(ClientOptions::scenario).containsExactly("a", "b");
        assertThat(runs.get(0).tabs()).isEqualTo(3);
        assertThat(runs.get(1).task().sleeps()).isTrue();
    }

    private static ClientReport report(long latencyMicros, long chunks, ProcessStats client) {
        Histogram chunk = new Histogram(3);
        chunk.recordValueWithCount(latencyMicros, chunks);
        Histogram empty = new Histogram(3);
        LatencySummary none = LatencySummary.of(empty);
        return new ClientReport("t", "run", 1, 10, 10, 0, 10, 0, chunks, 1.0, chunks, 0, 0, 0, 10, 0,
                LatencySummary.of(chunk), none, none, client, null, null, Histograms.encode(chunk, empty, empty), null, 0, 0, -1, 0);
    }
}
