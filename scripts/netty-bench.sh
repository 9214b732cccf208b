#!/usr/bin/env bash
# Netty hello server without and with Portcullis, under wrk (issue #7). Prints requests/s and ratios.
# Usage: scripts/netty-bench.sh [duration-seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
connections="${2:-32}"
command -v wrk >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }
[ -f benchmarks/target/benchmarks.jar ] || mvn -B -q install -DskipTests

start() { # mode -> sets PID, PORT, TOKEN
  local log; log=$(mktemp)
  java -cp benchmarks/target/benchmarks.jar dev.portcullis.bench.NettyHelloServer "$1" 0 1 > "$log" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
  PORT=$(awk '/listening on/ {print $3}' "$log"); TOKEN=$(awk '/^key / {print $2}' "$log")
}
run() { # label, extra wrk args...
  local label="$1"; shift
  wrk -t1 -c"$connections" -d"${duration}s" --latency "$@" "http://127.0.0.1:$PORT/v2/team/app/manifests/latest" > /tmp/wrk-$$.txt
  local rps; rps=$(awk '/Requests\/sec/ {print $2}' /tmp/wrk-$$.txt)
  local p50; p50=$(awk '$1=="50%" {print $2}' /tmp/wrk-$$.txt); local p99; p99=$(awk '$1=="99%" {print $2}' /tmp/wrk-$$.txt)
  echo "$label $rps $p50 $p99"
}

start plain
wrk -t1 -c"$connections" -d3s "http://127.0.0.1:$PORT/" > /dev/null   # warm-up
base=$(run "no-portcullis")
kill "$PID"; wait "$PID" 2>/dev/null || true

start portcullis
basic="Basic $(printf 'ci:%s' "$TOKEN" | base64 -w0)"
wrk -t1 -c"$connections" -d3s -H "Authorization: $basic" "http://127.0.0.1:$PORT/v2/team/app/manifests/latest" > /dev/null   # warm-up, caches the key
anon=$(run "anonymous-read")
key=$(run "cached-api-key" -H "Authorization: $basic")
kill "$PID"; wait "$PID" 2>/dev/null || true

base_rps=$(echo "$base" | awk '{print $2}')
printf '%-16s %12s %10s %10s %8s\n' mode requests/s p50 p99 ratio
for line in "$base" "$anon" "$key"; do
  set -- $line
  printf '%-16s %12s %10s %10s %8.3f\n' "$1" "$2" "$3" "$4" "$(echo "$2 / $base_rps" | bc -l)"
done
