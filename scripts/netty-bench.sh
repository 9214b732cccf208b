#!/usr/bin/env bash
# Netty hello server without and with Portcullis, under wrk (issue #7). Both servers run side by
# side; the modes are measured interleaved, several rounds, and the median of each is reported with
# its ratio to the no-Portcullis median, so that drift of the shared machine hits every mode alike.
# A third server, without Portcullis but busy for NETTY_BENCH_WORK_NANOS (default 300) per request,
# calibrates the ratios: what that much added work on the event loop costs on this machine.
# Usage: scripts/netty-bench.sh [seconds-per-run] [connections] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
connections="${2:-32}"
rounds="${3:-5}"
command -v wrk >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }
command -v bc >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q bc; }
[ -f benchmarks/target/benchmarks.jar ] || mvn -B -q install -DskipTests
work=$(mktemp -d)
# start runs in a command substitution (a subshell), so the servers' pids go to a file for the trap
trap 'kill $(cat "$work/pids" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

start() { # mode [work-nanos] -> prints "port token"
  local log="$work/$1-${2:-0}.log"
  java -cp benchmarks/target/benchmarks.jar dev.portcullis.bench.NettyHelloServer "$1" 0 1 "${2:-0}" > "$log" 2>&1 &
  echo $! >> "$work/pids"
  for _ in $(seq 1 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
  echo "$(awk '/listening on/ {print $3}' "$log") $(awk '/^key / {print $2}' "$log")"
}
work_nanos="${NETTY_BENCH_WORK_NANOS:-300}"
read -r plain_port _ <<< "$(start plain)"
read -r guarded_port token <<< "$(start portcullis)"
read -r busy_port _ <<< "$(start plain "$work_nanos")"
basic="Basic $(printf 'ci:%s' "$token" | base64 -w0)"
path="/v2/team/app/manifests/latest"

run() { # name port [wrk args...] -> appends "rps p50 p99" to $work/name
  local name="$1" port="$2"; shift 2
  wrk -t1 -c"$connections" -d"${duration}s" --latency "$@" "http://127.0.0.1:$port$path" > "$work/out.txt"
  echo "$(awk '/Requests\/sec/ {print $2}' "$work/out.txt") $(awk '$1=="50%" {print $2}' "$work/out.txt") $(awk '$1=="99%" {print $2}' "$work/out.txt")" >> "$work/$name"
}
# warm-up: JIT, pools, and the key enters the verified cache; C2 was still compiling after 3 s
wrk -t1 -c"$connections" -d10s "http://127.0.0.1:$plain_port$path" > /dev/null
wrk -t1 -c"$connections" -d10s "http://127.0.0.1:$busy_port$path" > /dev/null
wrk -t1 -c"$connections" -d5s "http://127.0.0.1:$guarded_port$path" > /dev/null
wrk -t1 -c"$connections" -d10s -H "Authorization: $basic" "http://127.0.0.1:$guarded_port$path" > /dev/null
for _ in $(seq 1 "$rounds"); do
  run no-portcullis "$plain_port"
  run anonymous-read "$guarded_port"
  run cached-api-key "$guarded_port" -H "Authorization: $basic"
  # the same request bytes as cached-api-key, to the server without Portcullis (which ignores the header)
  run no-portcullis-key-header "$plain_port" -H "Authorization: $basic"
  run "no-portcullis+${work_nanos}ns-work" "$busy_port"
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
base=$(awk '{print $1}' "$work/no-portcullis" | median)
header_base=$(awk '{print $1}' "$work/no-portcullis-key-header" | median)
printf '%-30s %14s %8s %14s   %s\n' mode "median req/s" ratio "ratio (same request)" "runs (req/s p50 p99)"
for mode in no-portcullis no-portcullis-key-header "no-portcullis+${work_nanos}ns-work" anonymous-read cached-api-key; do
  m=$(awk '{print $1}' "$work/$mode" | median)
  case "$mode" in cached-api-key|no-portcullis-key-header) same=$header_base ;; *) same=$base ;; esac
  printf '%-30s %14.0f %8.3f %14.3f   %s\n' "$mode" "$m" "$(echo "$m / $base" | bc -l)" "$(echo "$m / $same" | bc -l)" "$(paste -sd'|' "$work/$mode")"
done
