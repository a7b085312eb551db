package dev.strand.bench.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcCpuTest {

    @Test
    void utimeAndStimeAreReadAfterACommandNameWithSpacesAndParentheses() {
        // fields 14 (utime) and 15 (stime) are 1234 and 566 ticks; 16 and 17 (children's) are not counted
        String stat = "4242 (nginx: worker (1)) S 4241 4241 4241 0 -1 4194624 12 0 0 0 1234 566 77 88 30 10 1 0 "
                + "3690 18980864 2674 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";

        assertThat(ProcCpu.parseStat(stat)).isEqualTo(18.0);
        assertThatThrownBy(() -> ProcCpu.parseStat("4242 nginx S 1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void processesWithOneNameAreAddedUpAndAnUnreadableOneMakesItsNameUnknown() {
        long self = ProcessHandle.current().pid();
        ProcCpu cpu = ProcCpu.parse("node=" + self + ", node=" + self + ",gone=999999999");

        Map<String, Double> read = cpu.read();

        assertThat(cpu.processes()).extracting(ProcCpu.Process::name).containsExactly("node", "node", "gone");
        assertThat(read.get("node")).isEqualTo(2 * ProcCpu.cpuSeconds(self), org.assertj.core.data.Offset.offset(0.05));
        assertThat(read.get("gone")).isEqualTo(ProcCpu.UNKNOWN);
        assertThat(ProcCpu.difference(Map.of("node", 1.5, "gone", 2.0), Map.of("node", 4.0, "gone", ProcCpu.UNKNOWN)))
                .containsEntry("node", 2.5).containsEntry("gone", ProcCpu.UNKNOWN);
        assertThat(ProcCpu.parse("").isEmpty()).isTrue();
        assertThatThrownBy(() -> ProcCpu.parse("node=x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProcCpu.parse("17")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clusterOptionsParse() {
        ClientOptions plain = ClientOptions.parse(List.of("--tabs", "10"));
        ClientOptions kill = ClientOptions.parse(List.of("--kill-pid", "4242", "--kill-at", "2.5", "--proc-cpu",
                "node=1,redis=2"));

        assertThat(plain.kill()).isNull();
        assertThat(plain.procCpu().isEmpty()).isTrue();
        assertThat(kill.kill()).isEqualTo(new ClientOptions.Kill(4242, java.time.Duration.ofMillis(2500),
                java.time.Duration.ofSeconds(60)));
        assertThat(kill.procCpu().processes()).hasSize(2);
        assertThatThrownBy(() -> ClientOptions.parse(List.of("--kill-pid", "4242", "--slow-readers", "0.1")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClientOptions.parse(List.of("--kill-pid", Long.toString(ProcessHandle.current().pid()))))
                .hasMessageContaining("the client itself");
    }
}
