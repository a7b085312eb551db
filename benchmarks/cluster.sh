#!/usr/bin/env bash
# Strand's shared mode (strand.cluster.mode=redis) under load: two servers and Redis against one server, with
# the same load client, in one run.
#
# Usage: benchmarks/cluster.sh [throughput] [remount]    (default: both)
#
#   throughput  the same tabs and chunk rates against three setups, one after the other, each behind nginx
#               (round robin, not sticky; SSE buffering off): (a) one server in memory (Strand's default),
#               (b) one server with Redis (strand.cluster.mode=redis), (c) two servers with Redis. TABS tabs
#               (1000) stream RATES chunks/s each ("1 2 4 8"), one STEP-second step per rate (15) after an
#               unreported WARMUP-second warm-up (20) at the first rate, on the same processes; each step opens
#               its tabs anew and measures after STEP_WARMUP s more (5). Per step:
#               chunks/s received, delivery p50/p99, whether it held (>= 95% of the offered rate, p99 <= 50 ms,
#               nothing lost), and the CPU time of the servers (both added up), Redis and nginx during the
#               run phase per chunk received (/proc/PID/stat, read by the client at the run phase's ends)
#   remount     KILL_TABS tabs (400) through nginx to two servers with Redis, each tab streaming KILL_RATE
#               chunks/s (2) from a long task; KILL_AT s (5) into the run the client kills the first server with
#               SIGKILL. Every tab does what strand.js does (stream status, back-off, remount: GET the page
#               again); per tab whose view lived there, the time from the kill to its new view's stream
#               connected on the other server (p50, p99, max), how many gave up or had not remounted
#               REMOUNT_WAIT s (60) after the kill; the other tabs' reconnects
#
# Writes benchmarks/results/<time>-cluster/ (git-ignored): machine.txt, per setup and step result.json and
# result.txt (the client's lines), the client's stderr, the servers', Redis's and nginx's logs, and summary.txt
# (Markdown tables). Everything listens on 127.0.0.1 only: nginx on PORT (18380), the servers on PORT+1 and
# PORT+2, Redis on PORT+9; every process runs under nice and is stopped on exit. Needs redis-server (6.2+) and
# nginx. Environment: JAVA, PORT, TABS, RATES, STEP, WARMUP, STEP_WARMUP, KILL_TABS, KILL_RATE, KILL_AT, REMOUNT_WAIT,
# SERVER_XMX (1g), CLIENT_XMX (1g), NICENESS (10), NGINX_WORKERS (1), SERVER_OPTS (more server JVM flags).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
PORT=${PORT:-18380}
TABS=${TABS:-1000}
RATES=${RATES:-1 2 4 8}
STEP=${STEP:-15}
WARMUP=${WARMUP:-20}
STEP_WARMUP=${STEP_WARMUP:-5}
KILL_TABS=${KILL_TABS:-400}
KILL_RATE=${KILL_RATE:-2}
KILL_AT=${KILL_AT:-5}
REMOUNT_WAIT=${REMOUNT_WAIT:-60}
SERVER_XMX=${SERVER_XMX:-1g}
CLIENT_XMX=${CLIENT_XMX:-1g}
NICE=(nice -n "${NICENESS:-10}")
JVM_FLAGS=(--enable-native-access=ALL-UNNAMED)
NGINX_PORT=$PORT
NODE_PORTS=($((PORT + 1)) $((PORT + 2)))
REDIS_PORT=$((PORT + 9))

usage() {
    sed -n '4,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

fail() {
    echo "cluster.sh: $*" >&2
    exit 1
}

SCENARIOS=()
for arg in "$@"; do
    case $arg in
        throughput | remount) SCENARIOS+=("$arg") ;;
        *) usage ;;
    esac
done
((${#SCENARIOS[@]} > 0)) || SCENARIOS=(throughput remount)

[[ -x $JAVA ]] || fail "no java at $JAVA; set JAVA to a JDK 21+ binary"
REDIS_SERVER=$(command -v redis-server || true)
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -n $REDIS_SERVER ]] || fail "needs redis-server (apt-get install -y redis-server)"
[[ -x $NGINX ]] || fail "needs nginx (apt-get install -y nginx)"

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

for port in "$NGINX_PORT" "${NODE_PORTS[@]}" "$REDIS_PORT"; do
    port_open "$port" && fail "port $port is already in use; set PORT to another base (it uses PORT..PORT+9)"
done

# Builds the module when its sources are newer than the classpath file (as run.sh does).
stamp=$HERE/target/classpath.txt
if [[ ! -f $stamp || -n $(find "$HERE/src" "$HERE/pom.xml" -newer "$stamp" -print -quit) ]]; then
    echo "building the benchmarks module ..."
    (cd "$ROOT" && ./mvnw -q -B -f benchmarks/pom.xml package -DskipTests)
    touch "$stamp"
fi
CP="$(ls "$HERE"/target/strand-benchmarks-*.jar):$(cat "$stamp")"

RUN_DIR=$HERE/results/$(date +%Y%m%d-%H%M%S)-cluster
mkdir -p "$RUN_DIR"
BEGAN=$SECONDS

# Every process this script starts, by pid; stopped on exit, whatever happens.
PIDS=()
NODE_PIDS=()
REDIS_PID=
NGINX_PID=

# Stops these processes: TERM, then KILL those still there after 5 s.
stop_pids() {
    local pid waited alive
    for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
    for ((waited = 0; waited < 50; waited++)); do
        alive=0
        for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        ((alive)) || break
        sleep 0.1
    done
    for pid in "$@"; do kill -9 "$pid" 2>/dev/null || true; done
}

# nginx and the servers first, then Redis (so that the servers do not log its loss), then anything else.
cleanup() {
    stop_pids ${NGINX_PID:+"$NGINX_PID"} "${NODE_PIDS[@]}"
    stop_pids ${REDIS_PID:+"$REDIS_PID"}
    stop_pids "${PIDS[@]}"
    PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

log() {
    echo "== [$((SECONDS - BEGAN)) s] $*"
}

# Starts Redis for one setup (a fresh one each time: no keys left from the last).
start_redis() {
    local dir=$1
    mkdir -p "$dir/redis"
    "${NICE[@]}" "$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$dir/redis" --daemonize no >"$dir/redis.log" 2>&1 &
    REDIS_PID=$!
    PIDS+=("$REDIS_PID")
}

# Starts a server; $3: memory or redis. Views keep Strand's default 15 s grace when their stream goes (the
# bench's 1 s is for clients that never reconnect; these do after a kill). Disowned, so that bash does not
# report the one the client kills.
start_node() {
    local dir=$1 port=$2 mode=$3 args=()
    [[ $mode == memory ]] || args=(--strand.cluster.mode=redis "--spring.data.redis.port=$REDIS_PORT")
    # shellcheck disable=SC2086
    "${NICE[@]}" "$JAVA" "${JVM_FLAGS[@]}" -Xmx"$SERVER_XMX" -Dbench.node-header=true \
        -Dstrand.views.disconnect-grace=15s ${SERVER_OPTS:-} -Dserver.port="$port" -cp "$CP" \
        dev.strand.bench.strand.StrandBenchApp "${args[@]}" >"$dir/server-$port.log" 2>&1 &
    NODE_PIDS+=($!)
    PIDS+=($!)
    disown $!
}

# nginx in front of the servers on the given ports: round robin, not sticky, SSE not buffered (demo/cluster.sh's
# configuration, with keep-alive connections to the servers for the pages and POSTs).
start_nginx() {
    local dir=$1 port upstream=""
    shift
    for port in "$@"; do upstream+="server 127.0.0.1:$port max_fails=1 fail_timeout=2s; "; done
    mkdir -p "$dir/nginx"
    cat >"$dir/nginx/nginx.conf" <<CONF
$([[ $(id -u) == 0 ]] && echo "user root;")
worker_processes ${NGINX_WORKERS:-1};
worker_rlimit_nofile 20000;
daemon off;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $dir/nginx/body;
  proxy_temp_path $dir/nginx/proxy;
  fastcgi_temp_path $dir/nginx/fastcgi;
  uwsgi_temp_path $dir/nginx/uwsgi;
  scgi_temp_path $dir/nginx/scgi;
  upstream strand { $upstream keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://strand;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
CONF
    "${NICE[@]}" "$NGINX" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" >"$dir/nginx/stdout.log" 2>&1 &
    NGINX_PID=$!
    PIDS+=("$NGINX_PID")
}

# Waits (60 s at most) for every server to answer its page and for Redis and nginx to listen.
await_setup() {
    local dir=$1 waited port ready pid
    shift
    for ((waited = 0; waited < 600; waited++)); do
        ready=1
        for port in "$@"; do
            curl -fs -o /dev/null "http://127.0.0.1:$port/bench/stats?gc=false" || ready=0
        done
        port_open "$NGINX_PORT" || ready=0
        [[ -z $REDIS_PID ]] || port_open "$REDIS_PORT" || ready=0
        ((ready)) && return 0
        for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a process of the setup exited while starting; see $dir"; done
        sleep 0.1
    done
    fail "the setup did not start within 60 s; see $dir"
}

# The --proc-cpu list: the servers as "node", Redis, nginx's master and workers.
proc_cpu() {
    local list="" pid
    for pid in "${NODE_PIDS[@]}"; do list+="node=$pid,"; done
    [[ -z $REDIS_PID ]] || list+="redis=$REDIS_PID,"
    for pid in "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true); do list+="nginx=$pid,"; done
    echo "${list%,}"
}

stop_setup() {
    cleanup
    NODE_PIDS=()
    REDIS_PID=
    NGINX_PID=
}

# The client's options for the target, repeated in every run of a client process (runs are split at --then).
TARGET=(--base "http://127.0.0.1:$NGINX_PORT" --page /bench --stream /strand/stream --start /bench/start
    --cancel /bench/cancel)

client() {
    "${NICE[@]}" "$JAVA" "${JVM_FLAGS[@]}" -Xmx"$CLIENT_XMX" -cp "$CP" dev.strand.bench.client.LoadClient "$@"
}

RESULTS=()

# Keeps the client's lines of each run: $1 the client's output, then one directory per run (its JSON line and
# its human line, in order); "-" skips a run (the warm-up).
keep_results() {
    local out=$1 json human dir
    shift
    while IFS= read -r json && IFS= read -r human; do
        dir=${1:--}
        shift || true
        if [[ $dir != - ]]; then
            mkdir -p "$dir"
            echo "$json" >"$dir/result.json"
            echo "$human" >"$dir/result.txt"
            RESULTS+=("$dir/result.json")
            echo "$human" | cut -c1-400
        fi
    done < <(grep -A1 '^{' "$out" | grep -v '^--$')
}

throughput() {
    local setup=$1 mode=$2 nodes=$3 dir rate args=() dirs=() i ports=()
    dir=$RUN_DIR/throughput-$setup
    mkdir -p "$dir"
    ports=("${NODE_PORTS[@]:0:nodes}")
    log "throughput, $setup: starting ${nodes} server(s) ($mode)$([[ $mode == redis ]] && echo ", Redis"), nginx"
    [[ $mode == memory ]] || start_redis "$dir"
    for port in "${ports[@]}"; do start_node "$dir" "$port" "$mode"; done
    start_nginx "$dir" "${ports[@]}"
    await_setup "$dir" "${ports[@]}"
    local common=("${TARGET[@]}" --target "$setup" --scenario throughput --tabs "$TABS" --count 1000000 --size 64
        --connect-rate 500 --proc-cpu "$(proc_cpu)" --warmup "$STEP_WARMUP")
    # the warm-up (not reported), then a step per rate, in one client process; each run opens its tabs anew,
    # and measures only after STEP_WARMUP s more (the tail of the tabs' opening and starts)
    args=("${common[@]}" --rate "${RATES%% *}" --duration "$WARMUP")
    dirs=(-)
    for rate in $RATES; do
        args+=(--then "${common[@]}" --rate "$rate" --duration "$STEP")
        dirs+=("$dir/rate-$rate")
    done
    log "throughput, $setup: $TABS tabs, warm-up ${WARMUP} s, then $STEP s at each of $RATES chunks/s per tab; load average $(cut -d' ' -f1 /proc/loadavg)"
    if client "${args[@]}" >"$dir/client.out" 2>"$dir/client.err"; then
        keep_results "$dir/client.out" "${dirs[@]}"
    else
        echo "== the client failed; see $dir/client.err"
    fi
    stop_setup
}

remount() {
    local dir=$RUN_DIR/remount
    mkdir -p "$dir"
    log "remount: starting 2 servers (redis), Redis, nginx"
    start_redis "$dir"
    for port in "${NODE_PORTS[@]}"; do start_node "$dir" "$port" redis; done
    start_nginx "$dir" "${NODE_PORTS[@]}"
    await_setup "$dir" "${NODE_PORTS[@]}"
    local victim=${NODE_PIDS[0]}
    log "remount: $KILL_TABS tabs at $KILL_RATE chunks/s each; the client kills server pid $victim (port ${NODE_PORTS[0]}) $KILL_AT s into the run; load average $(cut -d' ' -f1 /proc/loadavg)"
    if client "${TARGET[@]}" --target 2-nodes+redis --scenario remount --tabs "$KILL_TABS" --rate "$KILL_RATE" --count 1000000 \
        --size 64 --connect-rate 200 --kill-pid "$victim" --kill-at "$KILL_AT" --remount-wait "$REMOUNT_WAIT" \
        >"$dir/client.out" 2>"$dir/client.err"; then
        keep_results "$dir/client.out" "$dir"
    else
        echo "== the client failed; see $dir/client.err"
    fi
    stop_setup
}

echo "== $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$JAVA" -version 2>&1 | head -1), $("$REDIS_SERVER" --version | cut -d' ' -f1-3), $("$NGINX" -v 2>&1)" | tee "$RUN_DIR/machine.txt"
for scenario in "${SCENARIOS[@]}"; do
    if [[ $scenario == throughput ]]; then
        throughput 1-node memory 1
        throughput 1-node+redis redis 1
        throughput 2-nodes+redis redis 2
    else
        remount
    fi
done
echo "== load average at the end $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RUN_DIR/machine.txt"

if ((${#RESULTS[@]} > 0)); then
    log "summary (results in ${RUN_DIR#"$ROOT"/})"
    "$JAVA" -cp "$CP" dev.strand.bench.client.ClusterSummary "${RESULTS[@]}" | tee "$RUN_DIR/summary.txt"
fi
