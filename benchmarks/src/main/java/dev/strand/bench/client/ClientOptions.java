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
 */
record ClientOptions(Target target, String scenario, int tabs, double connectRate, StartRequest task,
        double startRate, double churnRate, Duration warmup, Duration duration, Duration linger, Duration connectTimeout,
        int addresses, int addressOffset, String event, Duration settle, @Nullable Path sync, int peers) {

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
            """;

    private static final Map<String, String> TASK_DEFAULTS = Map.of("rate", "10", "count", "100");

    private static final Set<String> NAMES = Set.of("target", "scenario", "base", "page", "stream", "start", "cancel",
            "stats", "tabs", "connect-rate", "rate", "count", "size", "start-rate", "churn-rate", "warmup", "duration", "linger",
            "connect-timeout", "addresses", "address-offset", "event", "settle", "sync", "peers");

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
        return new ClientOptions(target, options.text("scenario", "run"), (int) options.positive("tabs", 100),
                options.positive("connect-rate", 1000),
                StartRequest.from(name -> values.getOrDefault(name, TASK_DEFAULTS.get(name))),
                options.number("start-rate", 0), options.number("churn-rate", 0), options.seconds("warmup", 0),
                options.seconds("duration", 5), options.seconds("linger", 0), options.seconds("connect-timeout", 60),
                addresses, addressOffset, options.text("event", "chunk"), options.seconds("settle", 0),
                values.containsKey("sync") ? Path.of(values.get("sync")) : null, (int) options.number("peers", 0));
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

        Duration seconds(String name, double fallback) {
            return Duration.ofNanos((long) (number(name, fallback) * 1e9));
        }
    }
}
