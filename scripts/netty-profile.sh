#!/usr/bin/env bash
# Where the event loop of the Netty hello server with Portcullis in front spends its time (issue #7).
# async-profiler (fetched from Maven Central, version pinned in pom.xml) samples the event-loop thread, inlined
# frames included, while wrk loads the server; the script prints the share of the loop's samples spent in
# Portcullis's own code and its largest parts. A sample is Portcullis's when the innermost of the frames that tell
# owners apart is one of its own: the application's handler called from Portcullis is the application's, and so is
# the encoding and sending of a response the application writes through Portcullis, but Portcullis's handling of
# that write is Portcullis's. Unlike throughput ratios on this shared machine, which moved by tens of percent between
# runs, the share is measured within one run of one process, so the host's drift cancels: 1 - share is the throughput
# ratio the event loop alone would allow.
# Usage: scripts/netty-profile.sh [seconds] [connections]      MODES="cached-api-key anonymous-read" (default both)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
connections="${2:-32}"
command -v wrk >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }
[ -f benchmarks/target/benchmarks.jar ] || mvn -B -q install -DskipTests
version=$(sed -n 's:.*<async-profiler.version>\(.*\)</async-profiler.version>.*:\1:p' pom.xml)
arch=$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
dir="benchmarks/target/async-profiler-$version"
lib="$PWD/$dir/linux-$arch/libasyncProfiler.so"
if [ ! -f "$lib" ]; then
  mvn -B -q -Dstyle.color=never dependency:copy -Dartifact="tools.profiler:async-profiler:$version" -DoutputDirectory="$dir"
  (cd "$dir" && jar xf "async-profiler-$version.jar" "linux-$arch/libasyncProfiler.so")
fi
work=$(mktemp -d)
java -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -cp benchmarks/target/benchmarks.jar \
  dev.portcullis.bench.NettyHelloServer portcullis 0 1 > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$work/server.log" && break; sleep 0.1; done
port=$(awk '/listening on/ {print $3}' "$work/server.log")
basic="Basic $(printf 'ci:%s' "$(awk '/^key / {print $2}' "$work/server.log")" | base64 -w0)"
url="http://127.0.0.1:$port/v2/team/app/manifests/latest"
profiler() { jcmd "$server" JVMTI.agent_load "$lib" "\"$1\"" > /dev/null; } # quoted: jcmd would split the options at '='

for mode in ${MODES:-cached-api-key anonymous-read}; do
  header=(); [ "$mode" = cached-api-key ] && header=(-H "Authorization: $basic")
  wrk -t1 -c"$connections" -d10s "${header[@]}" "$url" > /dev/null # JIT warm-up; the key enters the verified cache
  profiler "start,event=cpu-clock,interval=300000,threads"
  rps=$(wrk -t1 -c"$connections" -d"${seconds}s" "${header[@]}" "$url" | awk '/Requests\/sec/ {print $2}')
  profiler "stop,file=$work/$mode.collapsed,collapsed,threads"
  echo "== $mode: $rps requests/s while profiled"
  # one line per stack: "[thread];frame;frame;... count"; the application is the hello handler and Netty's dispatch to it
  awk '
    !/^\[multiThreadIoEventLoop/ { next }
    {
      n = $NF; total += n; $NF = ""; k = split($0, f, ";"); owner = ""
      for (i = 2; i <= k; i++) {
        g = f[i]; sub(/ +$/, "", g)
        if (g ~ /NettyHelloServer|SimpleChannelInboundHandler/) owner = "app"
        else if (g ~ /^dev\/portcullis/) owner = "ours"
        else if (owner == "ours" && prev ~ /PortcullisHttpHandler\.write$/ && g ~ /AbstractChannelHandlerContext\.write$/) owner = "app"
        prev = g
      }
      if (owner != "ours") next
      ours += n; delete seen
      for (i = 2; i <= k; i++) { g = f[i]; sub(/ +$/, "", g); if (g ~ /^dev\/portcullis/ && g !~ /NettyHelloServer/ && !(g in seen)) { seen[g] = 1; part[g] += n } }
    }
    END {
      if (total == 0) { print "no samples of the event-loop thread (multiThreadIoEventLoop...): was it renamed?"; exit 1 }
      printf "event-loop samples %d, in Portcullis %.1f %%\n", total, 100 * ours / total
      for (g in part) printf "  %5.1f %%  %s\n", 100 * part[g] / total, g | "sort -rn | head -15"
    }' "$work/$mode.collapsed"
done
