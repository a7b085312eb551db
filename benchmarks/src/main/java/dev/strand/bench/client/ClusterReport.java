package dev.strand.bench.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * What the cluster scenario ({@code cluster.sh}) adds to a client's report: the CPU time of the processes named
 * with {@code --proc-cpu} during the run phase, and, with {@code --kill-pid}, how the tabs came back after the
 * client killed a server with {@code SIGKILL}.
 *
 * @param cpuSeconds CPU seconds each name's processes used during the run phase ({@code NaN}: one of them
 *     could not be read, e.g. it was killed)
 * @param remounts the kill and the remounts, or {@code null} without {@code --kill-pid}
 */
record ClusterReport(Map<String, Double> cpuSeconds, @Nullable Remounts remounts) {

    ClusterReport {
        cpuSeconds = cpuSeconds == null ? Map.of() : new LinkedHashMap<>(cpuSeconds);
    }

    /**
     * The tabs after the kill, told apart by the server their view lived on (its home: the server that answered
     * their page, from the target's {@code Bench-Node} response header).
     *
     * @param killedPid the process killed
     * @param tabs tabs open when it was killed
     * @param homeKilled of them, those whose view lived on the killed server: each must remount
     * @param remounted of those, the ones whose page was fetched again and whose new view's stream connected
     *     before the run ended (within {@code boundSeconds} of the kill)
     * @param gaveUp of those, the ones that gave up as strand.js does after {@link StrandJs#REMOUNT_ATTEMPTS} failed
     *     page fetches (the page then shows a banner with a Reload button)
     * @param remountedOthers tabs whose view lived on a server that was not killed but that remounted anyway (a
     *     view lost that should not have been)
     * @param reconnected tabs whose view lived elsewhere and whose stream, cut by the kill (it went through the
     *     killed server), reconnected to their view
     * @param attemptsFailed remount attempts whose page GET failed (and were tried again after a back-off)
     * @param causes what made the tabs remount: a {@code close} event and its reason, or the status answer
     * @param remountMicros kill to the remounted view's stream connected, per remounted tab
     * @param reconnectMicros kill to the stream reconnected, per reconnected tab
     * @param remountHistogram {@code remountMicros}'s histogram, for merging
     * @param reconnectHistogram {@code reconnectMicros}'s histogram
     * @param boundSeconds the longest the client waited after the kill
     */
    record Remounts(long killedPid, long tabs, long homeKilled, long remounted, long gaveUp, long remountedOthers,
            long reconnected, long attemptsFailed, Map<String, Long> causes, LatencySummary remountMicros,
            LatencySummary reconnectMicros, String remountHistogram, String reconnectHistogram, double boundSeconds) {

        Remounts {
            causes = causes == null ? Map.of() : new TreeMap<>(causes);
        }

        /** Tabs whose view lived on the killed server and that had not remounted when the run ended. */
        long notRemounted() {
            return homeKilled - remounted;
        }

        Remounts plus(Remounts other) {
            Map<String, Long> sum = new TreeMap<>(causes);
            other.causes.forEach((cause, count) -> sum.merge(cause, count, Long::sum));
            Histogram remount = Histograms.decode(remountHistogram);
            remount.add(Histograms.decode(other.remountHistogram));
            Histogram reconnect = Histograms.decode(reconnectHistogram);
            reconnect.add(Histograms.decode(other.reconnectHistogram));
            return new Remounts(killedPid, tabs + other.tabs, homeKilled + other.homeKilled, remounted + other.remounted,
                    gaveUp + other.gaveUp, remountedOthers + other.remountedOthers, reconnected + other.reconnected,
                    attemptsFailed + other.attemptsFailed, sum, LatencySummary.of(remount), LatencySummary.of(reconnect),
                    Histograms.encode(remount), Histograms.encode(reconnect), Math.max(boundSeconds, other.boundSeconds));
        }

        String describe() {
            return ("kill -9 of pid %d: %d of %d tabs had their view there, %d remounted (kill to stream %s), %d gave up, "
                    + "%d not remounted within %.0f s; %d tabs elsewhere remounted; %d reconnected (kill to stream %s); "
                    + "%d page fetches failed; remounts began on %s").formatted(killedPid, homeKilled, tabs, remounted,
                    remountMicros.toMillis(), gaveUp, notRemounted(), boundSeconds, remountedOthers, reconnected,
                    reconnectMicros.toMillis(), attemptsFailed, causes);
        }
    }

    /** Reports of client processes that ran together: the same processes' CPU (the first's), remounts added up. */
    ClusterReport plus(ClusterReport other) {
        Remounts sum = remounts == null ? other.remounts : other.remounts == null ? remounts : remounts.plus(other.remounts);
        return new ClusterReport(cpuSeconds.isEmpty() ? other.cpuSeconds : cpuSeconds, sum);
    }

    /** CPU seconds of the processes named {@code name} during the run, {@link ProcCpu#UNKNOWN} if unknown. */
    double cpu(String name) {
        Double seconds = cpuSeconds.get(name);
        return seconds == null ? ProcCpu.UNKNOWN : seconds;
    }

    String describe() {
        StringBuilder text = new StringBuilder("cpu during the run:");
        if (cpuSeconds.isEmpty()) {
            text.append(" not measured");
        }
        cpuSeconds.forEach((name, seconds) -> text.append(' ').append(name).append(' ')
                .append(seconds < 0 ? "unknown" : String.format("%.2f s", seconds)));
        if (remounts != null) {
            text.append("; ").append(remounts.describe());
        }
        return text.toString();
    }
}
