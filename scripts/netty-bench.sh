#!/usr/bin/env bash
# Netty hello server without and with Portcullis, under wrk (issue #7). The servers run side by side;
# each mode is measured right beside its baseline, over several rounds, and reported with the median of
# those paired ratios (see pair below), so that drift of the shared machine cancels out.
# A third server, without Portcullis but busy for NETTY_BENCH_WORK_NANOS (default 300) per request,
# calibrates the ratios: what that much added work on the event loop costs on this machine. A fourth has an
# empty handler in Portcullis's place (it passes every read and write on): what any handler there costs.
# Usage: scripts/netty-bench.sh [seconds-per-run] [connections] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
connections="${2:-32}"
rounds="${3:-5}"
command -v wrk >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }
[ -f benchmarks/target/benchmarks.jar ] || mvn -B -q install -DskipTests
work=$(mktemp -d)
# start runs in a command substitution (a subshell), so the servers' pids go to a file for the trap
trap 'kill $(cat "$work/pids" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

start() { # plain|passthrough|portcullis [work-nanos] -> prints "port token"
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
read -r empty_port _ <<< "$(start passthrough)"
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
wrk -t1 -c"$connections" -d10s "http://127.0.0.1:$empty_port$path" > /dev/null
wrk -t1 -c"$connections" -d5s "http://127.0.0.1:$guarded_port$path" > /dev/null
wrk -t1 -c"$connections" -d10s -H "Authorization: $basic" "http://127.0.0.1:$guarded_port$path" > /dev/null
# pairs (mode, its baseline) run back to back, in turns first and second (A B, then B A), and each mode's
# ratio is the median of its ratios to the baseline run beside it: the host's drift, which changes
# throughput by tens of percent within minutes here, cancels within a pair instead of between rounds
pair() { # round mode mode-port baseline baseline-port [wrk args...]
  local round="$1" mode="$2" mode_port="$3" base="$4" base_port="$5"; shift 5
  if (( round % 2 )); then run "$base" "$base_port" "$@"; run "$mode" "$mode_port" "$@"
  else run "$mode" "$mode_port" "$@"; run "$base" "$base_port" "$@"; fi
  echo "$(tail -1 "$work/$mode" | cut -d' ' -f1) $(tail -1 "$work/$base" | cut -d' ' -f1)" | awk '{printf "%.3f\n", $1 / $2}' >> "$work/ratio.$mode"
}
busy="no-portcullis+${work_nanos}ns-work"
for round in $(seq 1 "$rounds"); do
  pair "$round" anonymous-read "$guarded_port" no-portcullis "$plain_port"
  # the same request bytes as cached-api-key, to the server without Portcullis (which ignores the header)
  pair "$round" cached-api-key "$guarded_port" no-portcullis-key-header "$plain_port" -H "Authorization: $basic"
  pair "$round" "$busy" "$busy_port" no-portcullis "$plain_port"
  pair "$round" empty-handler "$empty_port" no-portcullis "$plain_port"
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
printf '%-30s %14s %8s %15s   %s\n' mode "median req/s" ratio "ratios min-max" "runs (req/s p50 p99)"
for mode in no-portcullis no-portcullis-key-header "$busy" empty-handler anonymous-read cached-api-key; do
  m=$(awk '{print $1}' "$work/$mode" | median)
  if [ -f "$work/ratio.$mode" ]; then
    ratio=$(median < "$work/ratio.$mode"); range=$(sort -g "$work/ratio.$mode" | sed -n '1p;$p' | paste -sd-)
  else
    ratio=1; range="-"
  fi
  printf '%-30s %14.0f %8.3f %15s   %s\n' "$mode" "$m" "$ratio" "$range" "$(paste -sd'|' "$work/$mode")"
done
