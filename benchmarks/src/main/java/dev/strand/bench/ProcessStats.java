package dev.strand.bench;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one JVM costs: CPU time so far, heap used after a full GC, resident set size, live platform
 * threads, JDK direct buffers ({@code BufferPoolMXBean "direct"}), the direct memory Netty's default
 * allocator holds (which the JDK pool does not see), and the server's own gauges (open tabs and
 * running tasks: {@code strand.views.active}, {@code strand.tasks.active} for Strand,
 * {@code bench.tabs}, {@code bench.tasks} for the baselines). Servers answer it at
 * {@code GET /bench/stats}; the client records its own.
 */
public record ProcessStats(double cpuSeconds, long heapUsedBytes, long rssBytes, int threads, long directBytes,
        long nettyDirectBytes, Map<String, Long> gauges) {

    private static final Path STATUS = Path.of("/proc/self/status");

    public ProcessStats {
        gauges = gauges == null ? Map.of() : Map.copyOf(gauges);
    }

    /** Figures without Netty's memory or gauges, for tests. */
    public ProcessStats(double cpuSeconds, long heapUsedBytes, long rssBytes, int threads, long directBytes) {
        this(cpuSeconds, heapUsedBytes, rssBytes, threads, directBytes, 0, Map.of());
    }

    /** Forces a full GC ({@link System#gc()}), then measures this process. */
    public static ProcessStats capture() {
        return capture(Map.of(), true);
    }

    /**
     * Measures this process and records the given gauges; without {@code gc} the heap figure is
     * whatever is in use (a cheap read of CPU time in the middle of a run, without a pause).
     */
    public static ProcessStats capture(Map<String, Long> gauges, boolean gc) {
        if (gc) {
            System.gc();
        }
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
        return new ProcessStats(
                processCpuSeconds(),
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                residentSetBytes(),
                ManagementFactory.getThreadMXBean().getThreadCount(),
                direct,
                nettyAllocatorDirectBytes(),
                gauges);
    }

    /** CPU time this process has used so far. */
    public static double processCpuSeconds() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return os.getProcessCpuTime() / 1e9;
    }

    /** The same figures with CPU time counted from {@code startCpuSeconds}. */
    public ProcessStats withCpuSince(double startCpuSeconds) {
        return new ProcessStats(cpuSeconds - startCpuSeconds, heapUsedBytes, rssBytes, threads, directBytes,
                nettyDirectBytes, gauges);
    }

    /** The sum of two processes' figures, for several client processes. */
    public ProcessStats plus(ProcessStats other) {
        Map<String, Long> sum = new TreeMap<>(gauges);
        other.gauges.forEach((name, value) -> sum.merge(name, value, Long::sum));
        return new ProcessStats(cpuSeconds + other.cpuSeconds, heapUsedBytes + other.heapUsedBytes,
                rssBytes + other.rssBytes, threads + other.threads, directBytes + other.directBytes,
                nettyDirectBytes + other.nettyDirectBytes, sum);
    }

    /**
     * Whether every gauge of tabs and tasks is zero. Web sessions are not counted: they outlive their tabs
     * by design, until they expire (30 minutes by default), as a browser's session does.
     */
    public boolean gaugesAtZero() {
        return gauges.entrySet().stream().allMatch(gauge -> gauge.getKey().equals("web.sessions") || gauge.getValue() == 0);
    }

    private static long nettyAllocatorDirectBytes() {
        try {
            return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider metrics
                    ? metrics.metric().usedDirectMemory() : -1;
        } catch (RuntimeException | LinkageError ex) {
            return -1;
        }
    }

    private static long residentSetBytes() {
        try {
            return Files.readAllLines(STATUS).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .map(line -> line.replaceAll("\\D", ""))
                    .mapToLong(kib -> Long.parseLong(kib) * 1024)
                    .findFirst()
                    .orElse(-1);
        } catch (IOException ex) {
            return -1;
        }
    }
}
