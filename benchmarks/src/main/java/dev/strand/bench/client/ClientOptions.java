package dev.strand.bench.client;

import dev.strand.bench.StartRequest;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The load client's command line, {@code --name value} pairs; see {@link #USAGE}.
 *
 * @param tabs tabs this process opens
 * @param connectRate tabs opened per second
 * @param task what each start asks for
 * @param startRate starts per second across tabs after all are connected; 0 means each tab starts
 *     once as soon as its stream is connected
 * @param churnRate tabs per second cancelled, closed and replaced by a new tab; 0 means none
 * @param warmup how long the tabs run, unmeasured, between the connect phase and the run phase
 * @param duration how long the run phase lasts once the tabs are connected
 * @param linger how long tabs stay open after the run phase, so other client processes' stats see them
 * @param connectTimeout how long the connect phase may take
 * @param addresses loopback source addresses to bind, round-robin
 * @param addressOffset the first source address is {@code 127.0.0.(addressOffset + 1)}
 * @param event the event type whose data carries the stamps that are counted and timed
 * @param settle how long, after closing its tabs, the client waits for the server's gauges to reach
 *     zero (fetching its stats every half second); 0: no settle phase
 * @param sync a directory shared by the client processes of one run, or {@code null}: the one that
 *     fetches the server's stats waits there for its {@code peers} to be connected, and they keep their
 *     tabs open (up to {@code linger}) until it has fetched them
 * @param peers how many other client processes share {@code sync}
 * @param readers the slow-reader mix: which tabs read their streams slowly or stall, and how
 * @param statsEvery how often the server's stats are fetched (with a full GC) and printed to stderr
 *     during the run phase; zero: never
 * @param procCpu processes of this machine whose CPU time is read at the start and the end of the run phase
 * @param kill a server to kill during the run phase, and how the tabs come back, or {@code null}
 */
record ClientOptions(Target target, String scenario, int tabs, double connectRate, StartRequest task,
        double startRate, double churnRate, Duration warmup, Duration duration, Duration linger, Duration connectTimeout,
        int addresses, int addressOffset, String event, Duration settle, @Nullable Path sync, int peers,
        Readers readers, Duration statsEvery, ProcCpu procCpu, @Nullable Kill kill) {

    /**
     * The cluster scenario's kill: the client kills a server with {@code SIGKILL} ({@code kill -9}) {@code at} into
     * the run phase, and from the start every tab behaves as strand.js does when its stream fails (it asks for its
     * view's status and reconnects after strand.js's back-off) or its view is gone ({@code close} event, or status
     * 404 or 410: it GETs the page again, up to five times with back-off, and connects the new view's stream). The
     * run phase ends once every tab whose view lived on that server has remounted or given up, or {@code bound}
     * after the kill.
     *
     * @param pid the server's process id (the target must name it in the {@code Bench-Node} header of its pages)
     * @param at when in the run phase
     * @param bound the longest the client waits for the tabs to come back
     */
    record Kill(long pid, Duration at, Duration bound) {
    }

    /**
     * The slow-reader mix. Without slow or stalled tabs every tab reads its stream as fast as it comes and a
     * stream the server ends counts as dropped (a failure); with them, every tab behaves as strand.js does
     * when its stream ends: it asks for the view's status and reconnects with the last event id it saw (a
     * view that is gone: the tab is replaced by a new one, as a reload would).
     *
     * @param slow the fraction of tabs that read at most one event per {@code slowRead}
     * @param slowRead the least time between two events a slow tab reads
     * @param stalled the fraction of tabs that, again and again, read for a random time between
     *     {@code stallMin} and {@code stallMax}, then stop reading for another such time, without closing
     *     the connection
     * @param stallMin the shortest stall (and reading time between stalls)
     * @param stallMax the longest
     * @param resume the probability that a stalled tab reads on after its stall; otherwise it closes, and a
     *     new tab (same cookies, also one that stalls) replaces it
     * @param receiveBuffer {@code SO_RCVBUF} of slow and stalled tabs' stream sockets in bytes; 0: the
     *     system's (auto-tuned)
     */
    record Readers(double slow, Duration slowRead, double stalled, Duration stallMin, Duration stallMax, double resume,
            int receiveBuffer) {

        static final Readers NONE = new Readers(0, Duration.ofSeconds(1), 0, Duration.ofSeconds(30),
                Duration.ofSeconds(90), 0.5, 0);

        /** Whether any tab reads slowly or stalls: then tabs reconnect when the server ends their streams. */
        boolean mixed() {
            return slow > 0 || stalled > 0;
        }

        int slowTabs(int tabs) {
            return (int) Math.round(slow * tabs);
        }

        int stalledTabs(int tabs) {
            return Math.min(tabs - slowTabs(tabs), (int) Math.round(stalled * tabs));
        }
    }

    static final String USAGE = """
            usage: LoadClient [--name value]... [--then [--name value]...]...   (--help: this text)
              --then                 runs the options after it once the run before it is done, in
                                     the same process (short runs save JVM start-ups)
              --target NAME          label for the report (default: target)
              --scenario NAME        label for the report (default: run)
              --base URL             server base URL (default: http://127.0.0.1:8080)
              --page PATH            page that carries <meta name="strand-view"> (default: /bench)
              --stream PATH          SSE stream, gets ?view=ID&lastEventId=0 (default: /strand/stream)
              --start PATH           POST with Strand-View header and form rate/count/size (default: /bench/start)
              --cancel PATH          POST with Strand-View header (default: /bench/cancel)
              --stats PATH           server stats JSON, fetched before and after the run (default: none)
              --tabs N               tabs to open (default: 100)
              --connect-rate R       tabs opened per second (default: 1000)
              --rate R --count C --size S
                                     each task's chunks per second, chunks in all, payload size
                                     (default: 10, 100, 64; rate 0 and count 0: a task that sleeps)
              --start-rate R         starts per second round-robin after connecting, skipping a tab whose last
                                     start has no chunk yet; 0: each tab starts once when its stream
                                     connects (default: 0)
              --churn-rate R         tabs per second cancelled, closed and replaced, skipping a tab still
                                     opening or starting (default: 0)
              --warmup SECONDS       unmeasured time between the connect and the run phase, so that what
                                     queued up while connecting drains first (default: 0)
              --duration SECONDS     run phase after all tabs are connected (default: 5)
              --linger SECONDS       keep tabs open after the run phase (default: 0); with --sync, until
                                     the process that fetches the stats has fetched them, at most this
              --sync DIR             a directory the client processes of one run share (see --peers)
              --peers N              the other client processes sharing --sync: the one with --stats
                                     waits for them to be connected before its run phase (default: 0)
              --connect-timeout SECONDS  limit of the connect phase (default: 60)
              --addresses K          bind source addresses 127.0.0.(offset+1)..(offset+K) round-robin (default: 4)
              --address-offset O     (default: 0)
              --event TYPE           the events whose stamps are counted and timed: chunk, or patch for
                                     re-rendered elements (default: chunk)
              --settle SECONDS       after closing the tabs, wait up to this long for the server's gauges
                                     (open tabs, running tasks) to reach zero, then fetch its stats once
                                     more (needs --stats; default: 0, no settle phase)
              --stats-every SECONDS  during the run phase, fetch the server's stats (full GC) this often and
                                     print them to stderr (needs --stats; default: 0, never)
            cluster scenario (cluster.sh):
              --proc-cpu NAME=PID,...  read these processes' CPU time (/proc/PID/stat) at the start and the end
                                     of the run phase; a name given several times adds its processes up
              --kill-pid PID         kill this server (SIGKILL) --kill-at seconds into the run phase; every tab
                                     then does what strand.js does: a stream that fails asks PATH/status and
                                     reconnects after strand.js's back-off (0.125-0.375 s, doubling); a close
                                     event or a status of 404/410 remounts it (GET the page again, up to 5 times
                                     with the same back-off, then connect the new view's stream); the home of a
                                     tab's view is the Bench-Node header of its page (the server's pid). The run
                                     ends when every tab whose view was there has remounted or given up, or
                                     --remount-wait after the kill (--duration is then ignored)
              --kill-at SECONDS      (default: 5)
              --remount-wait SECONDS (default: 60)
            slow-reader mix (with either fraction above 0, every tab reconnects as strand.js does when the
            server ends its stream: it GETs PATH/status?view=ID, then after a jittered back-off the stream
            with ?view=ID&lastEventId=<last id seen>; a view gone (404/410) or a close event: a new tab, same
            cookies, replaces it; reset events and the chunks they cover are counted, not lost; churn then
            replaces only tabs that read normally; streams use TCP keepalive after 45 s idle, as Chrome's do;
            without these options nothing changes):
              --slow-readers F       fraction of the tabs that read their stream slowly: at most one event
                                     per --slow-read-ms, by backpressure (Reactor Netty stops reading, so
                                     TCP's window closes towards the server), 2 KiB per socket read (default: 0)
              --slow-read-ms MS      (default: 1000)
              --stalled-readers F    fraction of the tabs that read for a random --stall-min..--stall-max
                                     seconds, then stop reading for another such time with the connection
                                     open, then read on (probability --stall-resume) or close and are
                                     replaced, again and again (default: 0)
              --stall-min SECONDS    (default: 30)
              --stall-max SECONDS    (default: 90)
              --stall-resume P       (default: 0.5)
              --reader-rcvbuf BYTES  SO_RCVBUF of slow and stalled tabs' stream sockets, so that less waits in
                                     the client's kernel (default: 0, the system's auto-tuned buffer)
            """;

    private static final Map<String, String> TASK_DEFAULTS = Map.of("rate", "10", "count", "100");

    private static final Set<String> NAMES = Set.of("target", "scenario", "base", "page", "stream", "start", "cancel",
            "stats", "tabs", "connect-rate", "rate", "count", "size", "start-rate", "churn-rate", "warmup", "duration", "linger",
            "connect-timeout", "addresses", "address-offset", "event", "settle", "sync", "peers", "stats-every",
            "slow-readers", "slow-read-ms", "stalled-readers", "stall-min", "stall-max", "stall-resume", "reader-rcvbuf",
            "proc-cpu", "kill-pid", "kill-at", "remount-wait");

    /**
     * Whether the run reports the server's heap (per tab, or once its tabs closed), so that its server stats are
     * taken after a full collection. The other scenarios take theirs without one: a full collection shrinks the
     * heap, and the young collections that grow it back in the next step's first seconds fell inside its
     * measured window.
     */
    boolean reportsHeap() {
        return switch (scenario) {
            case "capacity", "churn", "slowreaders" -> true;
            default -> false;
        };
    }

    /** Splits the arguments at each {@code --then} and parses every set; {@code --help} throws the usage. */
    static List<ClientOptions> parseRuns(List<String> args) {
        if (args.contains("--help")) {
            throw new IllegalArgumentException(USAGE);
        }
        List<ClientOptions> runs = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= args.size(); i++) {
            if (i == args.size() || args.get(i).equals("--then")) {
                runs.add(parse(args.subList(from, i)));
                from = i + 1;
            }
        }
        return runs;
    }

    static ClientOptions parse(List<String> args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.size(); i += 2) {
            String arg = args.get(i);
            String name = arg.startsWith("--") ? arg.substring(2) : arg;
            if (!NAMES.contains(name) || i + 1 >= args.size()) {
                throw new IllegalArgumentException("expected --name value with a name from the usage, got '" + arg
                        + "'" + (i + 1 >= args.size() ? " without a value" : "") + "\n" + USAGE);
            }
            values.put(name, args.get(i + 1));
        }
        Options options = new Options(values);
        String stats = options.text("stats", "");
        Target target = new Target(options.text("target", "target"), URI.create(options.text("base",
                "http://127.0.0.1:8080")), options.text("page", "/bench"), options.text("stream", "/strand/stream"),
                options.text("start", "/bench/start"), options.text("cancel", "/bench/cancel"),
                stats.isEmpty() ? null : stats);
        int addresses = (int) options.number("addresses", 4);
        int addressOffset = (int) options.number("address-offset", 0);
        if (addresses < 1 || addressOffset < 0 || addressOffset + addresses > 254) {
            throw new IllegalArgumentException("source addresses 127.0.0." + (addressOffset + 1) + " to 127.0.0."
                    + (addressOffset + addresses) + " are not all within 127.0.0.1..254; lower --addresses or --address-offset");
        }
        Readers none = Readers.NONE;
        Readers readers = new Readers(options.fraction("slow-readers", none.slow()),
                Duration.ofNanos((long) (options.positive("slow-read-ms", none.slowRead().toMillis()) * 1e6)),
                options.fraction("stalled-readers", none.stalled()), options.seconds("stall-min", 30),
                options.seconds("stall-max", 90), options.fraction("stall-resume", none.resume()),
                (int) options.number("reader-rcvbuf", 0));
        if (readers.slow() + readers.stalled() > 1) {
            throw new IllegalArgumentException("--slow-readers and --stalled-readers add up to more than 1");
        }
        if (readers.stallMax().compareTo(readers.stallMin()) < 0 || readers.stallMin().isZero()) {
            throw new IllegalArgumentException("expected 0 < --stall-min <= --stall-max");
        }
        Kill kill = null;
        if (values.containsKey("kill-pid")) {
            if (readers.mixed()) {
                throw new IllegalArgumentException("--kill-pid does not go with --slow-readers or --stalled-readers");
            }
            long pid = (long) options.positive("kill-pid", 0);
            if (pid == ProcessHandle.current().pid()) {
                throw new IllegalArgumentException("--kill-pid names the client itself");
            }
            kill = new Kill(pid, options.seconds("kill-at", 5), options.seconds("remount-wait", 60));
        }
        return new ClientOptions(target, options.text("scenario", "run"), (int) options.positive("tabs", 100),
                options.positive("connect-rate", 1000),
                StartRequest.from(name -> values.getOrDefault(name, TASK_DEFAULTS.get(name))),
                options.number("start-rate", 0), options.number("churn-rate", 0), options.seconds("warmup", 0),
                options.seconds("duration", 5), options.seconds("linger", 0), options.seconds("connect-timeout", 60),
                addresses, addressOffset, options.text("event", "chunk"), options.seconds("settle", 0),
                values.containsKey("sync") ? Path.of(values.get("sync")) : null, (int) options.number("peers", 0),
                readers, options.seconds("stats-every", 0), ProcCpu.parse(options.text("proc-cpu", "")), kill);
    }

    private record Options(Map<String, String> values) {

        String text(String name, String fallback) {
            return values.getOrDefault(name, fallback);
        }

        double number(String name, double fallback) {
            String value = values.get(name);
            if (value == null) {
                return fallback;
            }
            try {
                double number = Double.parseDouble(value);
                if (number >= 0 && !Double.isInfinite(number)) {
                    return number;
                }
            } catch (NumberFormatException ex) {
                // reported below
            }
            throw new IllegalArgumentException("--" + name + " must be a number >= 0, got '" + value + "'");
        }

        double positive(String name, double fallback) {
            double number = number(name, fallback);
            if (number == 0) {
                throw new IllegalArgumentException("--" + name + " must be > 0");
            }
            return number;
        }

        double fraction(String name, double fallback) {
            double number = number(name, fallback);
            if (number > 1) {
                throw new IllegalArgumentException("--" + name + " must be a fraction between 0 and 1, got " + number);
            }
            return number;
        }

        Duration seconds(String name, double fallback) {
            return Duration.ofNanos((long) (number(name, fallback) * 1e9));
        }
    }
}
