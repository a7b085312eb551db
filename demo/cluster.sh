#!/usr/bin/env bash
# The demo on two servers sharing one Redis, behind nginx as a round-robin balancer that is not sticky:
# http://localhost:8080 (the servers themselves answer on 8081 and 8082). Ctrl-C stops everything.
# Needs redis-server and nginx (apt-get install -y redis-server nginx) and a JDK 21+ under /usr/lib/jvm.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in redis-server nginx; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
    echo "demo/cluster.sh needs $tool: apt-get install -y redis-server nginx" >&2; exit 1; }
done
java=""
for jdk in /usr/lib/jvm/*; do
  if [ -x "$jdk/bin/java" ] && "$jdk/bin/java" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then java="$jdk/bin/java"; fi
done
[ -n "$java" ] || { echo "demo/cluster.sh needs a JDK 21 or newer under /usr/lib/jvm" >&2; exit 1; }

./mvnw -q -pl demo -am package -DskipTests
jar=$(ls demo/target/strand-demo-*.jar | grep -v original | head -1)
run=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$run"; }
trap cleanup EXIT INT TERM

redis-server --port 6390 --bind 127.0.0.1 --save "" --appendonly yes --dir "$run" --daemonize no >"$run/redis.log" &
pids+=($!)
for port in 8081 8082; do
  "$java" -jar "$jar" --server.port=$port --spring.profiles.active=cluster --spring.data.redis.port=6390 \
    >"$run/server-$port.log" 2>&1 &
  pids+=($!)
done

cat >"$run/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 1;
daemon off;
pid $run/nginx.pid;
error_log $run/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $run/body;
  proxy_temp_path $run/proxy;
  upstream strand { server 127.0.0.1:8081 max_fails=1 fail_timeout=2s; server 127.0.0.1:8082 max_fails=1 fail_timeout=2s; }
  server {
    listen 8080;
    location / {
      proxy_pass http://strand;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_buffering off;        # Server-Sent Events go through as they come
      proxy_read_timeout 1h;
    }
  }
}
CONF
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
"$nginx_bin" -p "$run" -c "$run/nginx.conf" &
pids+=($!)

echo "Starting two servers (logs in $run)..."
for port in 8081 8082; do
  until curl -fs "http://127.0.0.1:$port/actuator/health" >/dev/null 2>&1; do sleep 1; done
done
echo "The demo runs on two servers at http://localhost:8080 (8081 and 8082 behind it). Try: kill -9 one of"
echo "  $(pgrep -f "server.port=8081" | head -1) (8081) or $(pgrep -f "server.port=8082" | head -1) (8082) while a task runs."
wait
