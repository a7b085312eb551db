package dev.strand.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strand.bench.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ClusterSummaryTest {

    @Test
    void throughputRowsSayWhetherEachStepHeldAndTheCpuOfEachProcessPerChunk() {
        // 1000 chunks/s for 10 s: 10,000 chunks; the servers used 2 s (200 µs/chunk), Redis 0.5 s (50 µs)
        ClientReport held = step("2-nodes+redis", 1000, 1000, 3_000, 0, Map.of("node", 2.0, "redis", 0.5, "nginx", 0.25));
        ClientReport late = step("2-nodes+redis", 2000, 1990, 80_000, 0, Map.of("node", 3.0, "redis", 1.0, "nginx", 0.5));
        ClientReport memory = step("1-node", 2000, 1500, 2_000, 3, Map.of("node", 1.5, "nginx", 0.2));

        String summary = ClusterSummary.render(List.of(held, late, memory));

        assertThat(summary).contains("| 2-nodes+redis | 10 | 1000 | 1000 | 3.00 | 3.00 | 0 | yes | 200.0 | 50.0 | 25.0 | 0.10 |")
                .contains("| 2-nodes+redis | 10 | 2000 | 1990 | 80.06 | 80.06 | 0 | no (p99 > 50 ms) | 150.8 | 50.3 | 25.1 |")
                .contains("| 1-node | 10 | 2000 | 1500 | 2.00 | 2.00 | 3 | no (75% received, lost/dup 3/0) | 100.0 | – | 13.3 |")
                .contains("Best step held (≥ 95% of the offered chunks/s, p99 ≤ 50 ms, nothing lost): "
                        + "2-nodes+redis 1000 chunks/s; 1-node none")
                .doesNotContain("remounted");
    }

    @Test
    void remountRowsComeFromTheKillsReportEvenAfterJsonAndAMerge() {
        Histogram remount = new Histogram(3);
        remount.recordValueWithCount(5_000_000, 99);
        remount.recordValue(9_000_000);
        Histogram reconnect = new Histogram(3);
        reconnect.recordValueWithCount(400_000, 50);
        ClusterReport.Remounts half = new ClusterReport.Remounts(4242, 200, 100, 100, 0, 0, 50, 3,
                Map.of("close remount", 60L, "status 410 remount", 40L), LatencySummary.of(remount),
                LatencySummary.of(reconnect), Histograms.encode(remount), Histograms.encode(reconnect), 60);
        ClientReport kill = step("2-nodes+redis", 400, 300, 2_000, 0, Map.of()).withCluster(new ClusterReport(Map.of(), half));

        ClientReport read = Json.read(Json.write(kill), ClientReport.class);
        ClientReport both = ClientReport.merge(List.of(read, read));
        String summary = ClusterSummary.render(List.of(read));

        assertThat(read.cluster().remounts()).isEqualTo(half);
        assertThat(summary).contains("| 2-nodes+redis | 200 | 100 | 100 | 5.00 | 5.00 | 9.00 | 0 | 0 (60 s) | 0 | 50 | 0.40 | 0.40 | 0 |")
                .contains("remounts began on {close remount=60, status 410 remount=40}, 3 page fetches failed")
                .doesNotContain("Best step held");
        ClusterReport.Remounts sum = both.cluster().remounts();
        assertThat(sum.homeKilled()).isEqualTo(200);
        assertThat(sum.remountMicros().count()).isEqualTo(200);
        assertThat(sum.causes()).containsEntry("close remount", 120L);
        assertThat(both.humanLine()).contains("cluster: cpu during the run: not measured; kill -9 of pid 4242: 200 of 400 tabs");
    }

    @Test
    void aReportWithoutClusterFiguresStillReads() {
        String json = Json.write(step("t", 10, 10, 1_000, 0, Map.of()).withCluster(null)).replace(",\"cluster\":null", "");

        ClientReport read = Json.read(json, ClientReport.class);

        assertThat(read.cluster()).isNull();
        assertThat(ClusterSummary.cpuPerChunk(read, "node")).isEqualTo("–");
    }

    /** A throughput step of 10 tabs and 10 s, every chunk at {@code latencyMicros}, 1 s of client CPU. */
    private static ClientReport step(String setup, double offered, double received, long latencyMicros, long lost,
            Map<String, Double> cpu) {
        long chunks = (long) (received * 10);
        Histogram chunk = new Histogram(3);
        chunk.recordValueWithCount(latencyMicros, chunks);
        Histogram empty = new Histogram(3);
        LatencySummary none = LatencySummary.of(empty);
        return new ClientReport(setup, "throughput", 1, 10, 10, 0, 10, 0, chunks, 10.0, received, lost, lost, 0, 0, 10, 0,
                LatencySummary.of(chunk), none, none, null, null, null, Histograms.encode(chunk, empty, empty), null, 0,
                offered, -1, 1.0, null, new ClusterReport(new LinkedHashMap<>(cpu), null));
    }
}
