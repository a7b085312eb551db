package dev.strand.bench.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU time of other processes on this machine, from {@code /proc/<pid>/stat} ({@code utime + stime}: all
 * of the process's threads, live and ended), for {@code --proc-cpu}: the servers, Redis and nginx of the
 * cluster scenario, read at the start and the end of the run phase. Linux counts it in clock ticks of
 * {@code USER_HZ}, which is 100 on every architecture the JDK runs on (x86-64, AArch64), so the figures are
 * good to 10 ms per process.
 *
 * @param processes the processes, each with a name; several with one name are added up (two nodes, nginx's
 *     master and worker)
 */
record ProcCpu(List<Process> processes) {

    /** Clock ticks per second of {@code /proc}'s times ({@code getconf CLK_TCK}). */
    static final double TICKS_PER_SECOND = 100;

    /** A process to measure. */
    record Process(String name, long pid) {
    }

    static final ProcCpu NONE = new ProcCpu(List.of());

    /** CPU seconds that could not be read (JSON has no {@code NaN}). */
    static final double UNKNOWN = -1;

    ProcCpu {
        processes = List.copyOf(processes);
    }

    /** {@code name=pid,name=pid,...}; an empty text: none. */
    static ProcCpu parse(String text) {
        if (text.isBlank()) {
            return NONE;
        }
        List<Process> processes = new java.util.ArrayList<>();
        for (String item : text.split(",")) {
            int equals = item.indexOf('=');
            String pid = equals > 0 ? item.substring(equals + 1).strip() : "";
            if (equals <= 0 || !pid.matches("[1-9][0-9]{0,9}")) {
                throw new IllegalArgumentException("--proc-cpu expects name=pid,name=pid,..., got '" + item + "'");
            }
            processes.add(new Process(item.substring(0, equals).strip(), Long.parseLong(pid)));
        }
        return new ProcCpu(processes);
    }

    boolean isEmpty() {
        return processes.isEmpty();
    }

    /**
     * The CPU seconds used so far, added up by name; a name with a process that cannot be read (it has ended)
     * gets {@link #UNKNOWN}, so that the difference over the run says it is unknown rather than wrong.
     */
    Map<String, Double> read() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (Process process : processes) {
            seconds.merge(process.name(), cpuSeconds(process.pid()), ProcCpu::add);
        }
        return seconds;
    }

    /** What each name used between two {@link #read()}s ({@link #UNKNOWN} if either did not know). */
    static Map<String, Double> difference(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> used = new LinkedHashMap<>();
        after.forEach((name, seconds) -> {
            double from = before.getOrDefault(name, UNKNOWN);
            used.put(name, from < 0 || seconds < 0 ? UNKNOWN : seconds - from);
        });
        return used;
    }

    /** A process's CPU seconds so far, or {@link #UNKNOWN} if it cannot be read. */
    static double cpuSeconds(long pid) {
        try {
            return parseStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | IllegalArgumentException ex) {
            return UNKNOWN;
        }
    }

    private static double add(double left, double right) {
        return left < 0 || right < 0 ? UNKNOWN : left + right;
    }

    /**
     * {@code utime + stime} of a {@code /proc/<pid>/stat} line, in seconds. The second field, the command
     * name in parentheses, may itself hold spaces and parentheses, so the fields are counted from the last
     * {@code ')'}: after it come the state (field 3) and, as fields 14 and 15, utime and stime.
     */
    static double parseStat(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
        }
        String[] fields = stat.substring(close + 1).strip().split("\\s+");
        if (fields.length < 13) {
            throw new IllegalArgumentException("a /proc/<pid>/stat line with too few fields: " + stat);
        }
        // fields[0] is field 3 (state): utime (14) is fields[11], stime (15) fields[12]
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    }
}
