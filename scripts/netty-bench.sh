#!/usr/bin/env bash
# Netty hello server without and with Portcullis, under wrk (issue #7). The servers run side by side;
# each mode is measured right beside its baseline, over several rounds, and reported with the median of
# those paired ratios (see pair below), so that drift of the shared machine cancels out. NETTY_BENCH_PAIRS picks
# comparisons (default "anonymous cached-key busy empty").
# A third server, without Portcullis but busy for NETTY_BENCH_WORK_NANOS (default 300) per request,
# calibrates the ratios: what that much added work on the event loop costs on this machine. A fourth has an
# empty handler in Portcullis's place (it passes every read and write on): what any handler there costs.
# Each pair is also compared by the event-loop thread's CPU time per request (from /proc): the loop is busy the whole
# run, so this is the inverse of the throughput it allows, without the time the host's other guests took (steal).
# Usage: scripts/netty-bench.sh [seconds-per-run] [connections] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
connections="${2:-32}"
rounds="${3:-5}"
# which comparisons to run (default all four); the servers all start either way
pairs="${NETTY_BENCH_PAIRS:-anonymous cached-key busy empty}"
for p in $pairs; do
  case "$p" in
    anonymous|cached-key|busy|empty) ;;
    *) echo "unknown comparison '$p' in NETTY_BENCH_PAIRS: use anonymous, cached-key, busy or empty" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }
[ -f benchmarks/target/benchmarks.jar ] || mvn -B -q install -DskipTests
work=$(mktemp -d)
# start runs in a command substitution (a subshell), so the servers' pids go to a file for the trap
trap 'kill $(cat "$work/pids" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

start() { # plain|passthrough|portcullis [work-nanos] -> prints "port pid token"
  local log="$work/$1-${2:-0}.log"
  java -cp benchmarks/target/benchmarks.jar dev.portcullis.bench.NettyHelloServer "$1" 0 1 "${2:-0}" > "$log" 2>&1 &
  echo $! >> "$work/pids"
  for _ in $(seq 1 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
  echo "$(awk '/listening on/ {print $3}' "$log") $! $(awk '/^key / {print $2}' "$log")"
}
loop_ticks() { # pid -> CPU time (user + system, clock ticks) of its event-loop thread (one per server here)
  local task
  for task in /proc/"$1"/task/*; do
    if grep -q '^multiThreadIoEv' "$task/comm" 2>/dev/null; then awk '{print $14 + $15}' "$task/stat"; return; fi
  done
  echo 0
}
work_nanos="${NETTY_BENCH_WORK_NANOS:-300}"
read -r plain_port plain_pid _ <<< "$(start plain)"
read -r guarded_port guarded_pid token <<< "$(start portcullis)"
read -r busy_port busy_pid _ <<< "$(start plain "$work_nanos")"
read -r empty_port empty_pid _ <<< "$(start passthrough)"
basic="Basic $(printf 'ci:%s' "$token" | base64 -w0)"
path="/v2/team/app/manifests/latest"

run() { # name port pid [wrk args...] -> appends "rps p50 p99 loop-CPU-ticks-per-million-requests" to $work/name
  local name="$1" port="$2" pid="$3"; shift 3
  local before; before=$(loop_ticks "$pid")
  wrk -t1 -c"$connections" -d"${duration}s" --latency "$@" "http://127.0.0.1:$port$path" > "$work/out.txt"
  local ticks=$(( $(loop_ticks "$pid") - before ))
  echo "$(awk '/Requests\/sec/ {print $2}' "$work/out.txt") $(awk '$1=="50%" {print $2}' "$work/out.txt") $(awk '$1=="99%" {print $2}' "$work/out.txt") $(awk -v t="$ticks" '/requests in/ {printf "%.1f", t * 1e6 / $1}' "$work/out.txt")" >> "$work/$name"
}
# warm-up: JIT, pools, and the key enters the verified cache; C2 was still compiling after 3 s
wrk -t1 -c"$connections" -d10s "http://127.0.0.1:$plain_port$path" > /dev/null
wrk -t1 -c"$connections" -d10s "http://127.0.0.1:$busy_port$path" > /dev/null
wrk -t1 -c"$connections" -d10s "http://127.0.0.1:$empty_port$path" > /dev/null
wrk -t1 -c"$connections" -d5s "http://127.0.0.1:$guarded_port$path" > /dev/null
wrk -t1 -c"$connections" -d10s -H "Authorization: $basic" "http://127.0.0.1:$guarded_port$path" > /dev/null
# each mode is compared with its baseline in quartets of runs back to back, A B B A (odd rounds starting with the
# baseline, even rounds with the mode), and its ratio is the median over rounds of each quartet's ratio: the host's
# drift, which changes throughput by tens of percent within minutes here, cancels within a quartet (a steady drift
# exactly) instead of between rounds
pair() { # round mode mode-port mode-pid baseline baseline-port baseline-pid [wrk args...]
  local round="$1" mode="$2" mode_port="$3" mode_pid="$4" base="$5" base_port="$6" base_pid="$7"; shift 7
  local order="base mode mode base" which
  (( round % 2 )) || order="mode base base mode"
  for which in $order; do
    if [ "$which" = base ]; then run "$base" "$base_port" "$base_pid" "$@"; else run "$mode" "$mode_port" "$mode_pid" "$@"; fi
  done
  # throughput: the mode's two runs over the baseline's; the loop's CPU per request: the baseline's over the mode's
  local ratio cpu
  read -r ratio cpu < <(paste -d' ' <(tail -2 "$work/$mode") <(tail -2 "$work/$base") \
    | awk '{m += $1; b += $5; mc += $4; bc += $8} END {printf "%.3f %.3f\n", m / b, (mc > 0 ? bc / mc : 0)}')
  echo "$ratio" >> "$work/ratio.$mode"
  echo "$cpu" >> "$work/cpu.$mode"
}
busy="no-portcullis+${work_nanos}ns-work"
for round in $(seq 1 "$rounds"); do
  for p in $pairs; do
    case "$p" in
      anonymous) pair "$round" anonymous-read "$guarded_port" "$guarded_pid" no-portcullis "$plain_port" "$plain_pid" ;;
      # the same request bytes as cached-api-key, to the server without Portcullis (which ignores the header)
      cached-key) pair "$round" cached-api-key "$guarded_port" "$guarded_pid" no-portcullis-key-header "$plain_port" "$plain_pid" \
        -H "Authorization: $basic" ;;
      busy) pair "$round" "$busy" "$busy_port" "$busy_pid" no-portcullis "$plain_port" "$plain_pid" ;;
      empty) pair "$round" empty-handler "$empty_port" "$empty_pid" no-portcullis "$plain_port" "$plain_pid" ;;
    esac
  done
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
printf '%-30s %14s %8s %15s %10s %15s   %s\n' mode "median req/s" ratio "ratios min-max" "loop-CPU" "ratios min-max" \
  "runs (req/s p50 p99 loop-CPU-ticks-per-million-requests)"
for mode in no-portcullis no-portcullis-key-header "$busy" empty-handler anonymous-read cached-api-key; do
  [ -f "$work/$mode" ] || continue
  m=$(awk '{print $1}' "$work/$mode" | median)
  if [ -f "$work/ratio.$mode" ]; then
    ratio=$(median < "$work/ratio.$mode"); range=$(sort -g "$work/ratio.$mode" | sed -n '1p;$p' | paste -sd-)
    cpu=$(median < "$work/cpu.$mode"); cpu_range=$(sort -g "$work/cpu.$mode" | sed -n '1p;$p' | paste -sd-)
  else
    ratio=1; range="-"; cpu=1; cpu_range="-"
  fi
  printf '%-30s %14.0f %8.3f %15s %10.3f %15s   %s\n' "$mode" "$m" "$ratio" "$range" "$cpu" "$cpu_range" "$(paste -sd'|' "$work/$mode")"
done
