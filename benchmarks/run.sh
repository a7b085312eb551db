#!/usr/bin/env bash
# Runs Strand's benchmark scenarios against Strand and the baseline servers.
#
# Usage: benchmarks/run.sh <capacity|throughput|throughput1k|render|latency|churn|slowreaders|all|quick|jmh> [--quick] [--target netty|mvc|webflux|strand]
#
#   capacity    many tabs, each with one task that just sleeps: memory and threads per tab
#   throughput  tabs streaming chunks, in steps of rising rate (RATES chunks/s per tab) on one
#               server after an unreported warm-up: chunks/s, delivery latency, CPU per chunk
#   throughput1k the same with 1,000 tabs at 20, 40, 60, 80 and 100 chunks/s each (RATES_1K): 20,000 to
#               100,000 chunks/s, where the cost per chunk rather than per tab decides
#   render      tabs whose every chunk re-renders a Thymeleaf fragment, in steps like throughput's
#               (RENDER_RATES): renders/s and latency.
#               strand: @HandleChunk(send = false) assigns the chunk and a strand:watch element is
#               re-rendered: one patch event per chunk, the one measured (STRAND_RENDER_PAGE=/bench/render-sent:
#               the chunk event as well); webflux: each chunk is a rendered fragment; netty
#               and mvc have no equivalent and are skipped
#   latency     starts at 250, 500 and 1,000 per second across the tabs (START_RATES; count=1), one
#               20 s step each on one server after a warm-up: start-to-first-chunk latency
#   churn       tabs cancelled, closed and replaced at a steady rate, then all closed: connect
#               latency, failures, and whether heap, threads and the servers' gauges come back
#   slowreaders churn's load (at CHURN_RATE, 50/s by default) with a mix of tabs that read their streams
#               slowly (SLOW_READERS of them, 0.1: one event per SLOW_READ_MS, 1000) or stall (STALLED_READERS,
#               0.05: STALL_MIN..STALL_MAX seconds, 30..90, then read on or close) for DURATION (600 s), tabs
#               reconnecting as strand.js does when the server ends their streams; then all closed, as churn:
#               streams ended, reconnects, resets, and whether heap, direct memory, threads and gauges come
#               back. Strand only (reconnects, lastEventId and resets are Strand's); not part of "all"
#   all         every scenario above but slowreaders (a soak test), one after another
#   quick       a very short run of every scenario (slowreaders too) for every target, one summary line per
#               scenario at the end (under a minute on an idle machine): a smoke test, not a
#               measurement. The four servers start at once (ports PORT..PORT+3) and one client
#               process runs every scenario against each in turn (C1 JIT only, to spare CPU), so
#               server CPU is the difference over each run.
#   jmh         the JMH microbenchmarks (task start to outcome, push to encoded SSE bytes with and
#               without a re-render per chunk, a fragment render, a 100-row list with one row changing,
#               the client's parsing), kept short:
#               one fork, 2 warm-up and 3 measured iterations of 1 s (JMH_ARGS overrides; e.g.
#               JMH_ARGS="-f 3 -wi 5 -i 10" for a steadier result, or a regex to pick benchmarks)
#   --quick     the short version of one scenario, run the same way
#   --target    only this target (default: all)
#
# A full run starts a fresh server JVM per scenario, runs the load client (several processes when
# the tabs exceed TABS_PER_CLIENT: one process holds at most ~19,900 sockets under the 20,000
# open-file hard limit), collects client and server stats, stops the server and writes
# benchmarks/results/<run>/. Everything runs under nice. Environment overrides: JAVA, PORT,
# SERVER_XMX, SERVER_OPTS (more server JVM flags, e.g. -Dbench.task-threads=400 for mvc, or
# -XX:StartFlightRecording=...), CLIENT_XMX, TABS, DURATION, RATES (throughput: per-tab rates of
# the steps, e.g. "4 8 16"), RATES_1K (the same for throughput1k), RENDER_RATES (the same for render), START_RATES (latency's steps), RATE (churn: per-tab rate), CHURN_RATE, SETTLE,
# SIZE (chunk payload bytes: churn 64, slowreaders 512), SLOW_READERS, SLOW_READ_MS, STALLED_READERS, STALL_MIN, STALL_MAX, STALL_RESUME,
# READER_RCVBUF, SEND_BUFFER (slowreaders: the server's SO_SNDBUF, 65536; 0: the kernel's), STATS_EVERY (slowreaders:
# seconds between server stats printed to client-0.err, 300), SERVER_HISTO (1: full runs save the server's class
# histogram, jcmd GC.class_histogram, when it has started and after the run and its settle phase, in
# server-histo-start.txt and server-histo-end.txt), SERVER_HEAPDUMP (1: capacity runs dump the server's heap before
# the tabs open and once all are open, and write what holds it per tab into heap-owners.txt; the dumps are deleted
# unless KEEP_HEAPDUMPS=1; the full GCs of the dumps perturb the run's other figures), SERVER_HISTO_LATER (seconds: then wait that long and save its
# stats and histogram once more, server-stats-later.json and server-histo-later.txt),
# CONNECT_RATE (capacity's connects per second, all client processes together), WARMUP (each of a ladder's unreported warm-up steps, seconds, 10), WARMUP_ROUNDS (how many
# such steps come first, each opening its tabs anew, 3), WARMUP_SECONDS (unmeasured time
# after the connect phase of every full run), TABS_PER_CLIENT, ADDRESSES_PER_CLIENT, NICENESS, and for the strand target STRAND_PAGE,
# STRAND_RENDER_PAGE, STRAND_STREAM, STRAND_START, STRAND_CANCEL, STRAND_STATS, and STRAND_JAR (a
# strand-spring-boot-autoconfigure jar to run instead of the one in ~/.m2, to compare two builds).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
PORT=${PORT:-18080}
SERVER_XMX=${SERVER_XMX:-2g}
CLIENT_XMX=${CLIENT_XMX:-1g}
TABS_PER_CLIENT=${TABS_PER_CLIENT:-9000}
ADDRESSES_PER_CLIENT=${ADDRESSES_PER_CLIENT:-4}
NICE=(nice -n "${NICENESS:-10}")
JVM_FLAGS=(--enable-native-access=ALL-UNNAMED)
CLIENT_MAIN=dev.strand.bench.client.LoadClient
ALL_TARGETS=(netty strand webflux mvc)
# Capacity goes last: its sleeping tasks hold the MVC baseline's task threads until a heartbeat
# finds their closed connections, which would starve the scenarios after it on a reused server.
ALL_SCENARIOS=(throughput throughput1k render latency churn capacity)
# quick runs slowreaders too, before capacity
QUICK_SCENARIOS=(throughput render latency churn slowreaders capacity)

usage() {
    sed -n '4,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

fail() {
    echo "run.sh: $*" >&2
    exit 1
}

main_class() {
    case $1 in
        netty) echo dev.strand.bench.baseline.netty.NettyBaselineApp ;;
        mvc) echo dev.strand.bench.baseline.mvc.MvcBaselineApp ;;
        webflux) echo dev.strand.bench.baseline.webflux.WebFluxBaselineApp ;;
        strand) echo dev.strand.bench.strand.StrandBenchApp ;;
        *) fail "unknown target '$1'; expected one of: ${ALL_TARGETS[*]}" ;;
    esac
}

# The client's target options for a scenario: a base URL, the paths of its endpoints, and for
# Strand's render scenario its render page, whose patch events are the ones measured.
target_args() {
    local target=$1 scenario=$2 port=$3
    echo --target "$target" --base "http://127.0.0.1:$port"
    if [[ $target == strand ]]; then
        if [[ $scenario == render ]]; then
            echo --page "${STRAND_RENDER_PAGE:-/bench/render}" --event patch
        else
            echo --page "${STRAND_PAGE:-/bench}"
        fi
        echo --stream "${STRAND_STREAM:-/strand/stream}" --start "${STRAND_START:-/bench/start}" \
            --cancel "${STRAND_CANCEL:-/bench/cancel}"
    else
        echo --page /bench --stream /strand/stream --start /bench/start --cancel /bench/cancel
    fi
}

# Whether a target takes part in a scenario: only Strand and WebFlux render fragments per chunk, and
# only Strand has what slowreaders' tabs come back to (reconnects from lastEventId, resets, a status).
runs_scenario() {
    [[ $2 != render || $1 == strand || $1 == webflux ]] && [[ $2 != slowreaders || $1 == strand ]]
}

stats_path() {
    if [[ $1 == strand ]]; then echo "${STRAND_STATS:-/bench/stats}"; else echo /bench/stats; fi
}

client() {
    # shellcheck disable=SC2046
    "${NICE[@]}" "$JAVA" "${JVM_FLAGS[@]}" "${JIT[@]}" $(cds client) -Xmx"$CLIENT_XMX" -cp "$CP" "$CLIENT_MAIN" "$@"
}

# Quick runs start their JVMs from a class-data archive per program (made by the first quick run,
# in target/, remade when the classpath changes), which shortens the servers' start; full runs do
# not, so that their memory figures are the plain JVM's.
cds() {
    ((QUICK)) || return 0
    echo "-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$HERE/target/quick-$1.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
}

# Keeps a report's two lines: result.json for tools, result.txt (printed) for people.
keep_result() {
    local dir=$1 json=$2 human=$3
    echo "$json" >"$dir/result.json"
    echo "$human" | tee "$dir/result.txt"
    RESULTS+=("$dir/result.json")
}

# Sets SCENARIO_TABS and SCENARIO_ARGS for a scenario, full or quick (throughput's rate comes
# from its steps, see run_target).
scenario_settings() {
    local scenario=$1 quick=$2 tabs duration
    case $scenario in
        capacity)
            # full runs open 150 tabs/s in all: what the Spring targets serve with the client
            # beside it (a faster offer only queues, and tabs then fail the connect phase's limit)
            local connect_rate
            if ((quick)); then tabs=200 duration=0.5 connect_rate=1000; else tabs=18000 duration=10 connect_rate=150; fi
            SCENARIO_ARGS=(--rate 0 --count 0 --connect-rate "${CONNECT_RATE:-$connect_rate}" --connect-timeout 180) ;;
        throughput)
            if ((quick)); then tabs=100 duration=1; else tabs=5000 duration=20; fi
            SCENARIO_ARGS=(--count 1000000 --size 64 --connect-rate 1000) ;;
        throughput1k)
            if ((quick)); then tabs=100 duration=1; else tabs=1000 duration=20; fi
            SCENARIO_ARGS=(--count 1000000 --size 64 --connect-rate 1000) ;;
        render)
            if ((quick)); then tabs=100 duration=1; else tabs=1000 duration=20; fi
            SCENARIO_ARGS=(--count 1000000 --size 64 --connect-rate 1000) ;;
        latency)
            if ((quick)); then tabs=200 duration=1; else tabs=1000 duration=20; fi
            SCENARIO_ARGS=(--rate 10 --count 1 --size 64 --connect-rate 1000)
            # quick: one step; a full run has steps of rising start rate (see scenario_rates)
            ((!quick)) || SCENARIO_ARGS+=(--start-rate "$(scenario_rates latency 1)") ;;
        churn)
            local churn settle
            # settle: a replacement tab closed between its page and its stream leaves a view that
            # Strand drops after strand.views.connect-timeout (1 minute in StrandBenchApp)
            if ((quick)); then tabs=100 duration=1 churn=200 settle=1.2; else tabs=2000 duration=150 churn=200 settle=120; fi
            SCENARIO_ARGS=(--rate "${RATE:-2}" --count 1000000 --size "${SIZE:-64}" --churn-rate "${CHURN_RATE:-$churn}"
                --connect-rate 1000 --settle "${SETTLE:-$settle}") ;;
        slowreaders)
            # churn's load at a quarter of its rate, for long, with slow and stalled tabs (see the client's
            # --help); quick: stalls of a second at most, so that the smoke test sees stalls end
            local churn settle slow_ms stall_min stall_max stats_every
            if ((quick)); then
                tabs=100 duration=2 churn=20 settle=1.5 slow_ms=250 stall_min=0.3 stall_max=0.6 stats_every=0
            else
                tabs=2000 duration=600 churn=50 settle=120 slow_ms=1000 stall_min=30 stall_max=90 stats_every=300
            fi
            # 512-byte chunks and a 16 KiB receive buffer for slow and stalled tabs (see the client's
            # --reader-rcvbuf; with the server's bench.send-buffer, see server_flags) so that a slow tab
            # backs up to Strand in minutes
            SCENARIO_ARGS=(--rate "${RATE:-2}" --count 1000000 --size "${SIZE:-512}" --churn-rate "${CHURN_RATE:-$churn}"
                --connect-rate 1000 --settle "${SETTLE:-$settle}"
                --slow-readers "${SLOW_READERS:-0.1}" --slow-read-ms "${SLOW_READ_MS:-$slow_ms}"
                --stalled-readers "${STALLED_READERS:-0.05}" --stall-min "${STALL_MIN:-$stall_min}"
                --stall-max "${STALL_MAX:-$stall_max}" --stall-resume "${STALL_RESUME:-0.5}"
                --reader-rcvbuf "${READER_RCVBUF:-16384}" --stats-every "${STATS_EVERY:-$stats_every}") ;;
        *) fail "unknown scenario '$scenario'; expected capacity, throughput, throughput1k, render, latency, churn, slowreaders, all or quick" ;;
    esac
    SCENARIO_TABS=${TABS:-$tabs}
    SCENARIO_ARGS+=(--duration "${DURATION:-$duration}")
    # Full runs start measuring after a warm-up: what queued up while the tabs connected drains
    # first (quick runs do not).
    # Churn has no warm-up step: its run starts with 10 s of churn that is not measured, so that
    # the JIT has compiled those paths.
    if ((!quick)) && [[ $scenario == churn || $scenario == slowreaders ]]; then
        SCENARIO_ARGS+=(--warmup "${WARMUP_SECONDS:-10}")
    elif ((!quick)) && [[ $scenario != capacity ]]; then
        SCENARIO_ARGS+=(--warmup "${WARMUP_SECONDS:-3}")
    fi
}

# The rates of a scenario's steps: per tab for throughput and render, starts per second in all
# for latency; one step in quick mode, a rising ladder otherwise.
scenario_rates() {
    local scenario=$1 quick=$2
    if [[ $scenario == latency ]]; then
        if ((quick)); then echo "${START_RATES:-1000}"; else echo "${START_RATES:-250 500 1000}"; fi
    elif [[ $scenario == render ]]; then
        if ((quick)); then echo "${RENDER_RATES:-10}"; else echo "${RENDER_RATES:-2 4 8 16}"; fi
    elif [[ $scenario == throughput1k ]]; then
        if ((quick)); then echo "${RATES_1K:-20}"; else echo "${RATES_1K:-20 40 60 80 100}"; fi
    elif ((quick)); then
        echo "${RATES:-20}"
    else
        echo "${RATES:-2 4 6 8}"
    fi
}

ensure_built() {
    local stamp=$HERE/target/classpath.txt
    if [[ ! -f $stamp || -n $(find "$HERE/src" "$HERE/pom.xml" -newer "$stamp" -print -quit) ]]; then
        echo "building the benchmarks module ..."
        (cd "$ROOT" && ./mvnw -q -B -f benchmarks/pom.xml package -DskipTests)
        touch "$stamp" # the dependency plugin leaves an unchanged classpath file as it was
    fi
    # the module's jar rather than target/classes: a class-data archive (see cds) takes only jars
    local jar
    jar=$(ls "$HERE"/target/strand-benchmarks-*.jar)
    CP="$jar:$(cat "$stamp")"
}

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

declare -A SERVER_PIDS=()
CLIENT_PIDS=()

cleanup() {
    local pid
    for pid in "${CLIENT_PIDS[@]}" "${SERVER_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

# The server's classpath: the module's, with STRAND_JAR in place of Strand's jar if it is set.
server_classpath() {
    if [[ $1 == strand && -n ${STRAND_JAR:-} ]]; then
        [[ -f $STRAND_JAR ]] || fail "STRAND_JAR=$STRAND_JAR is not a file"
        echo "$CP" | tr ':' '\n' | sed "s|.*/strand-spring-boot-autoconfigure-[^/]*\.jar$|$STRAND_JAR|" | paste -sd:
    else
        echo "$CP"
    fi
}

# Target-specific server flags: the MVC baseline's task pool gets a thread per tab (every scenario
# keeps a task running in each tab, and a fixed pool of 200 would leave the others queued), unless
# SERVER_OPTS sets bench.task-threads. In slowreaders, Strand keeps a view whose stream went for its
# default 15 s (the bench's 1 s is for clients that never reconnect, and these do), lets tasks run
# longer than the run (the bench's limit is 1 h), and every connection gets a send buffer of
# SEND_BUFFER bytes (64 KiB: on loopback Linux grows it to 4 MiB, which a slow tab would take an hour to
# fill before Strand saw any backpressure; see StrandBenchApp), unless SERVER_OPTS sets them.
server_flags() {
    local target=$1 tabs=$2 scenario=${3:-}
    if [[ $target == mvc && ${SERVER_OPTS:-} != *bench.task-threads* ]]; then
        echo "-Dbench.task-threads=$tabs"
    fi
    if [[ $target == strand && $scenario == slowreaders ]]; then
        [[ ${SERVER_OPTS:-} == *strand.views.disconnect-grace* ]] || echo "-Dstrand.views.disconnect-grace=15s"
        [[ ${SERVER_OPTS:-} == *strand.tasks.timeout* ]] || echo "-Dstrand.tasks.timeout=24h"
        [[ ${SERVER_OPTS:-} == *bench.send-buffer* || ${SEND_BUFFER:-65536} == 0 ]] || echo "-Dbench.send-buffer=${SEND_BUFFER:-65536}"
    fi
}

# Starts a target's server on a port without waiting for it (see await_server); $4 is the most
# tabs it will hold, $5 the scenario (full runs).
launch_server() {
    local target=$1 port=$2 log=$3 tabs=${4:-200} scenario=${5:-}
    port_open "$port" && fail "port $port is already in use; set PORT to a free one"
    # shellcheck disable=SC2086,SC2046
    "${NICE[@]}" "$JAVA" "${JVM_FLAGS[@]}" "${JIT[@]}" $(cds "$target") -Xmx"$SERVER_XMX" ${SERVER_OPTS:-} $(server_flags "$target" "$tabs" "$scenario") \
        -Dserver.port="$port" -cp "$(server_classpath "$target")" \
        "$(main_class "$target")" >"$log" 2>&1 &
    SERVER_PIDS[$target]=$!
}

await_server() {
    local target=$1 port=$2 log=$3 waited
    for ((waited = 0; waited < 600; waited++)); do
        port_open "$port" && return 0
        kill -0 "${SERVER_PIDS[$target]}" 2>/dev/null || fail "$target server exited while starting; see $log"
        sleep 0.1
    done
    fail "$target server did not listen on port $port within 60 s; see $log"
}

start_server() {
    launch_server "$@"
    await_server "$@"
}

stop_server() {
    local target=$1 pid waited
    pid=${SERVER_PIDS[$target]:-}
    [[ -n $pid ]] || return 0
    kill "$pid" 2>/dev/null || true
    for ((waited = 0; waited < 100; waited++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset "SERVER_PIDS[$target]"
}

# The machine's busy CPU time so far, in seconds (all processes: /proc/stat).
machine_busy_seconds() {
    awk '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / 100 }' /proc/stat
}

# Runs the client processes of one scenario against the running server.
run_clients() {
    local dir=$1 scenario=$2 target=$3 clients i share status=0
    local extra=()
    clients=$(((SCENARIO_TABS + TABS_PER_CLIENT - 1) / TABS_PER_CLIENT))
    local busy_before began=$SECONDS load_before
    busy_before=$(machine_busy_seconds)
    load_before=$(cut -d' ' -f1 /proc/loadavg)
    CLIENT_PIDS=()
    # --connect-rate is the scenario's in all: each client process opens its share of it
    local args=("${SCENARIO_ARGS[@]}") j
    for j in "${!args[@]}"; do
        if [[ ${args[j]} == --connect-rate ]]; then args[j + 1]=$(awk -v r="${args[j + 1]}" -v c="$clients" 'BEGIN { print r / c }'); fi
    done
    for ((i = 0; i < clients; i++)); do
        share=$((SCENARIO_TABS / clients + (i < SCENARIO_TABS % clients ? 1 : 0)))
        # The first client fetches the server's stats at the end of its run; the others keep their
        # tabs open until it has, so that the stats see them
        # (--sync: the first waits for the others to be connected, they wait for its stats)
        if ((i == 0)); then extra=(--stats "$(stats_path "$target")"); else extra=(--linger 600); fi
        ((clients == 1)) || extra+=(--sync "$dir/sync" --peers $((clients - 1)))
        # shellcheck disable=SC2046
        client $(target_args "$target" "$scenario" "$PORT") --scenario "$scenario" --tabs "$share" \
            --addresses "$ADDRESSES_PER_CLIENT" --address-offset $((i * ADDRESSES_PER_CLIENT)) \
            "${args[@]}" "${extra[@]}" >"$dir/client-$i.out" 2>"$dir/client-$i.err" &
        CLIENT_PIDS+=($!)
    done
    for i in "${!CLIENT_PIDS[@]}"; do
        wait "${CLIENT_PIDS[$i]}" || { status=$?; echo "client $i failed ($status); see $dir/client-$i.err" >&2; }
    done
    CLIENT_PIDS=()
    # The machine's CPU time over the run, so that what other processes took can be told apart
    # (busy minus the server's and the clients' own CPU, both in the report).
    echo "wall $((SECONDS - began)) s, machine busy $(awk -v a="$busy_before" -v b="$(machine_busy_seconds)" 'BEGIN { printf "%.1f", b - a }') CPU-s, load average $load_before -> $(cut -d' ' -f1 /proc/loadavg)" >"$dir/machine.txt"
    ((status == 0)) || return "$status"
    if ((clients == 1)); then
        cp "$dir/client-0.out" "$dir/report.out"
    else
        "$JAVA" -cp "$CP" dev.strand.bench.client.ReportTool merge "$dir"/client-*.out >"$dir/report.out"
    fi
    keep_result "$dir" "$(grep '^{' "$dir/report.out")" "$(grep -v '^{' "$dir/report.out")"
    rm "$dir/report.out"
}

# The warm-up steps' names: WARMUP_ROUNDS of them.
warmup_steps() {
    local i
    for ((i = 1; i <= WARMUP_ROUNDS; i++)); do printf 'warmup '; done
}

# A full run of one scenario on one target, on a fresh server; a ladder's steps share that
# server, the first ones warming it up.
run_full() {
    local target=$1 scenario=$2 dir rate steps saved
    runs_scenario "$target" "$scenario" || return 0
    scenario_settings "$scenario" 0
    # Throughput's, render's and latency's steps start with unreported warm-up steps at the first rate
    # (WARMUP_ROUNDS of them, 3 by default, WARMUP seconds each, 10 by default), so that the first step is
    # not the one that pays for the JIT. Each opens its tabs anew, as every step does: a server's request path
    # (page, stream, start, cancel) runs once per tab and step, and a framework's takes several rounds of
    # 1,000 tabs before the JIT has compiled it.
    local rate_flag=--rate
    [[ $scenario != latency ]] || rate_flag=--start-rate
    if [[ $scenario == throughput* || $scenario == render || $scenario == latency ]]; then steps="$(warmup_steps) $(scenario_rates "$scenario" 0)"; else steps=-; fi
    mkdir -p "$RUN_DIR/$scenario-$target"
    echo "== [$((SECONDS - BEGAN)) s] $target $scenario: starting $(main_class "$target") (-Xmx$SERVER_XMX), $SCENARIO_TABS tabs ${SCENARIO_ARGS[*]}"
    start_server "$target" "$PORT" "$RUN_DIR/$scenario-$target/server.log" "$SCENARIO_TABS" "$scenario"
    histogram "$target" "$RUN_DIR/$scenario-$target/server-histo-start.txt"
    local dumper=
    if [[ ${SERVER_HEAPDUMP:-0} == 1 && $scenario == capacity ]]; then
        heap_dump "$target" "$RUN_DIR/$scenario-$target/heap-start.hprof"
        heap_dump_when_open "$target" "$SCENARIO_TABS" "$RUN_DIR/$scenario-$target/heap-open.hprof" &
        dumper=$!
    fi
    for rate in $steps; do
        dir=$RUN_DIR/$scenario-$target
        saved=("${SCENARIO_ARGS[@]}")
        if [[ $rate == warmup ]]; then
            dir+=/warmup
            mkdir -p "$dir"
            SCENARIO_ARGS+=("$rate_flag" "$(scenario_rates "$scenario" 0 | cut -d' ' -f1)" --duration "${WARMUP:-10}")
            echo "== [$((SECONDS - BEGAN)) s] $target $scenario: warm-up (not reported), load average $(cut -d' ' -f1 /proc/loadavg)"
            local kept=${#RESULTS[@]}
            run_clients "$dir" "$scenario" "$target" >/dev/null || echo "== $target warm-up failed; see $dir"
            RESULTS=("${RESULTS[@]:0:kept}")
            SCENARIO_ARGS=("${saved[@]}")
            continue
        elif [[ $rate != - ]]; then
            dir+=/rate-$rate
            mkdir -p "$dir"
            SCENARIO_ARGS+=("$rate_flag" "$rate")
            if [[ $scenario == latency ]]; then
                echo "== [$((SECONDS - BEGAN)) s] $target $scenario: $rate starts/s, load average $(cut -d' ' -f1 /proc/loadavg)"
            else
                echo "== [$((SECONDS - BEGAN)) s] $target $scenario: $rate chunks/s per tab, $((SCENARIO_TABS * rate)) chunks/s offered, load average $(cut -d' ' -f1 /proc/loadavg)"
            fi
        fi
        run_clients "$dir" "$scenario" "$target" || echo "== $target $scenario failed; see $dir"
        SCENARIO_ARGS=("${saved[@]}")
    done
    histogram "$target" "$RUN_DIR/$scenario-$target/server-histo-end.txt"
    if [[ -n $dumper ]]; then
        kill "$dumper" 2>/dev/null || true
        wait "$dumper" 2>/dev/null || true
        heap_owners "$RUN_DIR/$scenario-$target" "$SCENARIO_TABS"
    fi
    if [[ ${SERVER_HISTO:-0} == 1 && ${SERVER_HISTO_LATER:-0} != 0 ]]; then
        echo "== [$((SECONDS - BEGAN)) s] $target $scenario: waiting ${SERVER_HISTO_LATER} s for a later histogram"
        sleep "$SERVER_HISTO_LATER"
        curl -s "http://127.0.0.1:$PORT$(stats_path "$target")" >"$RUN_DIR/$scenario-$target/server-stats-later.json" || true
        histogram "$target" "$RUN_DIR/$scenario-$target/server-histo-later.txt"
    fi
    stop_server "$target"
    log_levels "$RUN_DIR/$scenario-$target/server.log"
}

# With SERVER_HISTO=1: the server's class histogram (live objects, after a full GC) into a file.
histogram() {
    [[ ${SERVER_HISTO:-0} == 1 ]] || return 0
    local pid=${SERVER_PIDS[$1]:-}
    [[ -n $pid ]] || return 0
    "$(dirname "$JAVA")/jcmd" "$pid" GC.class_histogram >"$2" 2>&1 || echo "== jcmd $pid GC.class_histogram failed; see $2"
}

# With SERVER_HEAPDUMP=1: a heap dump of the server (live objects, after a full GC) into a file.
heap_dump() {
    local pid=${SERVER_PIDS[$1]:-}
    [[ -n $pid ]] || return 0
    rm -f "$2"
    "$(dirname "$JAVA")/jcmd" "$pid" GC.heap_dump "$2" >/dev/null 2>&1 || echo "== jcmd $pid GC.heap_dump failed"
}

# Waits until the server's gauges say every tab is open with its task, then dumps its heap; gives up
# after 15 minutes, or when killed (the run ended first).
heap_dump_when_open() {
    local target=$1 tabs=$2 file=$3 url stats open tasks waited
    url="http://127.0.0.1:$PORT$(stats_path "$target")"
    [[ $url == *\?* ]] && url+="&gc=false" || url+="?gc=false"
    for ((waited = 0; waited < 1800; waited++)); do
        stats=$(curl -s "$url" || true)
        open=$(grep -oE '"(strand\.views\.active|bench\.tabs)":[0-9]+' <<<"$stats" | cut -d: -f2 || true)
        tasks=$(grep -oE '"(strand\.tasks\.active|bench\.tasks)":[0-9]+' <<<"$stats" | cut -d: -f2 || true)
        if ((${open:-0} >= tabs && ${tasks:-0} >= tabs)); then
            sleep 2
            heap_dump "$target" "$file"
            return 0
        fi
        sleep 0.5
    done
}

# What holds the heap per tab, from the two dumps (dev.strand.bench.heap.HeapOwners), into
# heap-owners.txt; the dumps are deleted unless KEEP_HEAPDUMPS=1.
heap_owners() {
    local dir=$1 tabs=$2
    if [[ -f $dir/heap-start.hprof && -f $dir/heap-open.hprof ]]; then
        "$JAVA" -Xmx8g -cp "$CP" dev.strand.bench.heap.HeapOwners "$dir/heap-start.hprof" "$dir/heap-open.hprof" "$tabs" \
            >"$dir/heap-owners.txt" || echo "== HeapOwners failed; see $dir"
        echo "== heap per tab by owner: ${dir#"$ROOT"/}/heap-owners.txt"
    else
        echo "== no heap dump with every tab open; see $dir"
    fi
    [[ ${KEEP_HEAPDUMPS:-0} == 1 ]] || rm -f "$dir"/heap-*.hprof
}

# Says how many warnings and errors a server logged (Spring Boot's console format), if any.
log_levels() {
    local warn error
    warn=$(grep -c ' WARN ' "$1" || true)
    error=$(grep -c ' ERROR ' "$1" || true)
    ((warn + error == 0)) || echo "== server log: $warn WARN and $error ERROR lines in ${1#"$ROOT"/}"
}

# Quick runs: every server at once, and one client process for every scenario and target.
run_quick() {
    local targets=("$@") target scenario args=() runs=() json human i port
    local -A ports=()
    for i in "${!targets[@]}"; do
        ports[${targets[$i]}]=$((PORT + i))
    done
    echo "== [$((SECONDS - BEGAN)) s] starting ${targets[*]} on ports $PORT..$((PORT + ${#targets[@]} - 1)) (-Xmx$SERVER_XMX)"
    for target in "${targets[@]}"; do
        launch_server "$target" "${ports[$target]}" "$RUN_DIR/server-$target.log" 500
    done
    for target in "${targets[@]}"; do
        await_server "$target" "${ports[$target]}" "$RUN_DIR/server-$target.log"
    done
    echo "== [$((SECONDS - BEGAN)) s] servers up; running ${SCENARIOS[*]}"
    for scenario in "${SCENARIOS[@]}"; do
        scenario_settings "$scenario" 1
        [[ $scenario != throughput* && $scenario != render ]] || SCENARIO_ARGS+=(--rate "$(scenario_rates "$scenario" 1)")
        for target in "${targets[@]}"; do
            runs_scenario "$target" "$scenario" || continue
            ((${#args[@]} == 0)) || args+=(--then)
            # shellcheck disable=SC2207
            args+=($(target_args "$target" "$scenario" "${ports[$target]}") --scenario "$scenario"
                --tabs "$SCENARIO_TABS" "${SCENARIO_ARGS[@]}" --stats "$(stats_path "$target")")
            runs+=("$scenario-$target")
            mkdir -p "$RUN_DIR/$scenario-$target"
        done
    done
    i=0
    if client "${args[@]}" 2>"$RUN_DIR/client.err" | tee "$RUN_DIR/client.out" | { grep --line-buffered -v '^{' || true; }; then
        while IFS= read -r json && IFS= read -r human; do
            echo "$json" >"$RUN_DIR/${runs[i]}/result.json"
            echo "$human" >"$RUN_DIR/${runs[i]}/result.txt"
            RESULTS+=("$RUN_DIR/${runs[i]}/result.json")
            i=$((i + 1))
        done <"$RUN_DIR/client.out"
    else
        echo "== quick run failed; see $RUN_DIR/client.err"
    fi
    for target in "${targets[@]}"; do
        stop_server "$target"
    done
}

[[ $# -ge 1 && $1 != -h && $1 != --help ]] || usage
SCENARIO=$1
shift
if [[ $SCENARIO == jmh ]]; then
    [[ -x $JAVA ]] || fail "no java at $JAVA; set JAVA to a JDK 21+ binary"
    ensure_built
    RUN_DIR=$HERE/results/$(date +%Y%m%d-%H%M%S)-jmh
    mkdir -p "$RUN_DIR"
    echo "== $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$JAVA" -version 2>&1 | head -1)" | tee "$RUN_DIR/machine.txt"
    # shellcheck disable=SC2086
    "${NICE[@]}" "$JAVA" -cp "$CP" org.openjdk.jmh.Main ${JMH_ARGS:-'dev.strand.bench' -f 1 -wi 2 -i 3 -w 1s -r 1s} \
        -rf json -rff "$RUN_DIR/jmh.json" 2>&1 | tee "$RUN_DIR/jmh.txt" | grep -E '^(Benchmark |[a-z.]*[A-Z][A-Za-z]+Benchmark\.|# Run progress)'
    echo "== load average now $(cut -d' ' -f1-3 /proc/loadavg), results in ${RUN_DIR#"$ROOT"/}"
    exit 0
fi
QUICK=0
TARGETS=("${ALL_TARGETS[@]}")
while [[ $# -gt 0 ]]; do
    case $1 in
        --quick) QUICK=1 ;;
        --target)
            [[ $# -ge 2 ]] || usage
            main_class "$2" >/dev/null
            TARGETS=("$2")
            shift ;;
        -h | --help) usage ;;
        *) echo "run.sh: unknown option '$1'" >&2; usage ;;
    esac
    shift
done
if [[ $SCENARIO == quick ]]; then
    QUICK=1
    SCENARIOS=("${QUICK_SCENARIOS[@]}")
elif [[ $SCENARIO == all ]]; then
    SCENARIOS=("${ALL_SCENARIOS[@]}")
else
    scenario_settings "$SCENARIO" 0
    SCENARIOS=("$SCENARIO")
fi

[[ -x $JAVA ]] || fail "no java at $JAVA; set JAVA to a JDK 21+ binary"
WARMUP_ROUNDS=${WARMUP_ROUNDS:-3}
[[ $WARMUP_ROUNDS =~ ^[1-9][0-9]*$ ]] || fail "WARMUP_ROUNDS must be a whole number of at least 1, not '$WARMUP_ROUNDS'"
ensure_built
if ((QUICK)); then JIT=(-XX:TieredStopAtLevel=1); else JIT=(); fi
RUN_DIR=$HERE/results/$(date +%Y%m%d-%H%M%S)-$SCENARIO
((QUICK)) && [[ $SCENARIO != quick ]] && RUN_DIR+=-quick
mkdir -p "$RUN_DIR"
RESULTS=()
BEGAN=$SECONDS
echo "== $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$JAVA" -version 2>&1 | head -1)" | tee "$RUN_DIR/machine.txt"

if ((QUICK)); then
    run_quick "${TARGETS[@]}"
else
    # Scenario by scenario, every target in turn, so that the targets of a scenario see the same machine.
    for scenario in "${SCENARIOS[@]}"; do
        for target in "${TARGETS[@]}"; do
            run_full "$target" "$scenario"
        done
    done
fi

if ((${#RESULTS[@]} > 0)); then
    echo "== summary ($((SECONDS - BEGAN)) s, load average now $(cut -d' ' -f1-3 /proc/loadavg), results in ${RUN_DIR#"$ROOT"/})"
    "$JAVA" -cp "$CP" dev.strand.bench.client.ReportTool summary "${RESULTS[@]}" | tee "$RUN_DIR/summary.txt"
else
    rm -r "$RUN_DIR"
fi
