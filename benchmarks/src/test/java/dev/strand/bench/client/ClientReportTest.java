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
    void theRenderSummaryCountsTheServersCpuPerRenderMadeWithTheRunPhasesCoalescedRenders() {
        // 20 s of run phase: 900 patches/s received, 2,000 renders coalesced in it (100/s), 30,000 before it
        Histogram chunk = new Histogram(3);
        chunk.recordValueWithCount(1000, 18_000);
        Histogram empty = new Histogram(3);
        LatencySummary none = LatencySummary.of(empty);
        ClientReport render = new ClientReport("strand", "render", 1, 10, 10, 0, 10, 0, 18_000, 20.0, 900, 32_000,
                2_000, 0, 0, 0, 0, LatencySummary.of(chunk), none, none, null, null, null,
                Histograms.encode(chunk, empty, empty), null, 0, 1000, 0.2, 0, null);

        assertThat(render.summaryCell()).contains("900 renders/s", "coalesced 32000 (100/s in the run)",
                "server 11.1 µs/render", "10.0 µs/render made");
        assertThat(Json.read(Json.write(render), ClientReport.class).lostInRun()).isEqualTo(2_000);
    }

    @Test
    void readerCountsAddUpAndReportsWithoutThemStillRead() {
        ClientReport.Readers one = new ClientReport.Readers(2, 1, 3, 4, 5, 6, 1, 2, 3, 0, 40, 7, 2, 4,
                java.util.Map.of("stream ended: completed", 3L));
        ClientReport.Readers two = new ClientReport.Readers(2, 1, 1, 0, 0, 1, 0, 0, 1, 1, 5, 0, 0, 1,
                java.util.Map.of("stream ended: completed", 1L, "reconnect failed: x", 1L));
        ClientReport mixed = report(1000, 10, new ProcessStats(1, 10, 100, 5, 0)).withReaders(one);

        ClientReport merged = ClientReport.merge(List.of(mixed, Json.read(Json.write(mixed.withReaders(two)),
                ClientReport.class)));

        assertThat(merged.readers()).isNotNull();
        assertThat(merged.readers().ended()).isEqualTo(13);
        assertThat(merged.readers().skippedByReset()).isEqualTo(45);
        assertThat(merged.readers().endings()).containsEntry("stream ended: completed", 4L)
                .containsEntry("reconnect failed: x", 1L);
        assertThat(merged.humanLine()).contains("readers: 4 slow, 2 stalled tabs; streams ended by the server 13");
        String withoutReaders = Json.write(report(1000, 10, new ProcessStats(1, 10, 100, 5, 0)))
                .replace(",\"readers\":null", "");
        assertThat(Json.read(withoutReaders, ClientReport.class).readers()).isNull();
    }

    @Test
    void readerOptionsParseAndDefaultToNone() {
        ClientOptions plain = ClientOptions.parse(List.of("--tabs", "10"));
        ClientOptions mixed = ClientOptions.parse(List.of("--tabs", "10", "--slow-readers", "0.2", "--stalled-readers",
                "0.15", "--stall-min", "1", "--stall-max", "2", "--slow-read-ms", "250"));

        assertThat(plain.readers().mixed()).isFalse();
        assertThat(mixed.readers().mixed()).isTrue();
        assertThat(mixed.readers().slowTabs(10)).isEqualTo(2);
        assertThat(mixed.readers().stalledTabs(10)).isEqualTo(2);
        assertThat(mixed.readers().slowRead()).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(mixed.readers().stallMax()).isEqualTo(java.time.Duration.ofSeconds(2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ClientOptions.parse(List.of("--slow-readers", "0.7",
                "--stalled-readers", "0.4"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyScenariosThatReportTheServersHeapCollectItsGarbageForTheirStats() {
        assertThat(List.of("capacity", "churn", "slowreaders", "throughput", "throughput1k", "render", "latency"))
                .filteredOn(scenario -> ClientOptions.parse(List.of("--scenario", scenario)).reportsHeap())
                .containsExactly("capacity", "churn", "slowreaders");
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
        return new ClientReport("t", "run", 1, 10, 10, 0, 10, 0, chunks, 1.0, chunks, 0, 0, 0, 0, 10, 0,
                LatencySummary.of(chunk), none, none, client, null, null, Histograms.encode(chunk, empty, empty), null, 0, 0, -1, 0, null);
    }
}
