#!/usr/bin/env bash
# The performance suite (issue #9): the example registry on Jetty and on Netty, without Portcullis
# (baseline, the same server code) and with it in every authentication mode, plus worst cases, and
# Debian's docker-registry (the CNCF distribution registry) without and with htpasswd — all in one
# run on one machine. Each mode is measured right beside its baseline (the same front end without
# Portcullis, sent the same header), over several rounds, in turns first and second; its ratio is the
# median of those paired ratios, so that the host's drift cancels within a pair.
#
# Usage: [BENCH_MODES=…] [BENCH_PATHS=…] [BENCH_STORE=oci|maven] scripts/bench.sh [seconds-per-run] [connections] [rounds]
#        (defaults: 5 32 3; with BENCH_STORE=maven the Portcullis rows are the example's Maven repositories, BLOB a 1 KiB
#        jar and MANIFEST its maven-metadata.xml)
# Output: a Markdown table on stdout (also in target/bench-results.md).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-5}"
connections="${2:-32}"
rounds="${3:-3}"

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
if ((${#missing[@]})); then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
[ -f benchmarks/target/benchmarks.jar ] || mvn -B -q install -DskipTests
jar=benchmarks/target/benchmarks.jar
mkdir -p target

work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# start NAME SERVER MODE [PATTERNS] [tls]: the registry with its credentials in $work/NAME.env
start() {
  local name="$1"
  mkfifo "$work/$name.in"
  java -Xmx1g -cp "$jar" dev.portcullis.bench.RegistryBench "$2" "$3" "$work/$name.data" "${4:-0}" "${BENCH_STORE:-oci}" ${5:-} \
      < "$work/$name.in" > "$work/$name.env" 2> "$work/$name.err" &
  pids+=($!)
  exec {fd}> "$work/$name.in" # keeps the server's standard input open until the script ends
  for _ in $(seq 1 300); do grep -q '^READY' "$work/$name.env" && return 0; sleep 0.1; done
  echo "$name did not start:" >&2; cat "$work/$name.err" >&2; exit 1
}
val() { grep "^$2=" "$work/$1.env" | cut -d= -f2-; }

# run LABEL PORT PATH [HEADER]: one wrk run; appends "req/s p50 p99" to $work/r.LABEL. A PORT of tls:NAME is the
# registry NAME over TLS, loaded by TlsLoad presenting NAME's client certificate (wrk cannot present one)
run() {
  local label="$1" port="$2" path="$3" header="${4:-}"
  if [[ "$port" == tls:* ]]; then
    tls_load "${port#tls:}" "$path" "$duration" > "$work/out.txt"
  else
    local args=(-t1 -c"$connections" -d"${duration}s" --latency)
    [ -n "$header" ] && args+=(-H "$header")
    wrk "${args[@]}" "http://127.0.0.1:$port$path" > "$work/out.txt"
  fi
  if grep -q 'Non-2xx' "$work/out.txt"; then echo "$label: non-2xx responses:" >&2; cat "$work/out.txt" >&2; exit 1; fi
  echo "$(awk '/Requests\/sec/ {print $2}' "$work/out.txt") $(awk '$1=="50%" {print $2}' "$work/out.txt") $(awk '$1=="99%" {print $2}' "$work/out.txt")" >> "$work/r.$label"
}

# BENCH_MODES and BENCH_PATHS narrow a run, e.g. BENCH_MODES="anonymous api-key-basic" BENCH_PATHS=MANIFEST
read -r -a modes <<< "${BENCH_MODES:-anonymous api-key-basic api-key-bearer registry-token ldap-basic session session-300 jwt-rs256 jwt-es256}"
read -r -a paths <<< "${BENCH_PATHS:-BLOB MANIFEST}"
declare -A var=([api-key-basic]=BASIC [api-key-bearer]=BEARER_KEY [registry-token]=REGISTRY_TOKEN [ldap-basic]=LDAP_BASIC [session]=SESSION [session-300]=SESSION_300 [jwt-rs256]=JWT_RS256 [jwt-es256]=JWT_ES256)
hdr() { # NAME MODE
  case "$2" in
    anonymous) echo "" ;;
    session|session-300) val "$1" "${var[$2]}" ;;
    *) echo "Authorization: $(val "$1" "${var[$2]}")" ;;
  esac
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
for server in jetty netty; do
  start "$server-base" "$server" baseline
  start "$server-auth" "$server" protected
  start "$server-10k" "$server" protected 10000
done

# client-cert: the registry over TLS asking for client certificates, with and without Portcullis; both loaded by
# TlsLoad (Netty, one event loop as wrk -t1) presenting the registry's client certificate, so both pay the same TLS
tls_load() { # NAME PATH SECONDS
  java -cp "$jar" dev.portcullis.bench.TlsLoad 127.0.0.1 "$(val "$1" PORT)" "$2" "$(val "$1" TLS_CERT)" "$(val "$1" TLS_KEY)" \
      "$(val "$1" TLS_CA)" "$connections" "$3"
}
tls_servers=()
if [[ " ${modes[*]} " == *" client-cert "* ]]; then
  for server in jetty netty; do
    start "$server-tlsbase" "$server" baseline 0 tls
    start "$server-tlsauth" "$server" protected 0 tls
    tls_servers+=("$server-tlsbase" "$server-tlsauth")
  done
fi

# docker-registry without and with htpasswd (bcrypt, htpasswd's default cost)
htpasswd -Bbn bench bench-password > "$work/htpasswd"
dr_start() { # NAME PORT [auth]
  mkdir -p "$work/$1.store"
  {
    echo "version: 0.1"
    echo "log: {level: error, accesslog: {disabled: true}}"
    echo "storage: {filesystem: {rootdirectory: $work/$1.store}}"
    echo "http: {addr: 127.0.0.1:$2}"
    [ -n "${3:-}" ] && echo "auth: {htpasswd: {realm: bench, path: $work/htpasswd}}"
  } > "$work/$1.yml"
  docker-registry serve "$work/$1.yml" > "$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$2/v2/" && return 0; sleep 0.1; done
  echo "docker-registry $1 did not start" >&2; cat "$work/$1.log" >&2; exit 1
}
dr_open=$(free_port); dr_start dr-open "$dr_open"
dr_auth=$(free_port); dr_start dr-auth "$dr_auth" auth
dr_basic="Authorization: Basic $(printf 'bench:bench-password' | base64 -w0)"
dr_seed() { # PORT [curl auth args]: the same 1 KiB blob and manifest as the Portcullis runs; prints the blob path
  local port="$1"; shift
  head -c 1024 /dev/urandom > "$work/blob"
  printf '{"architecture":"amd64","os":"linux"}' > "$work/config"
  local b c
  for f in blob config; do
    local d="sha256:$(sha256sum "$work/$f" | cut -d' ' -f1)"
    local loc; loc=$(curl -s -D - -o /dev/null -X POST "$@" "http://127.0.0.1:$port/v2/bench/app/blobs/uploads/" | awk -F': ' 'tolower($1)=="location" {print $2}' | tr -d '\r')
    case "$loc" in http*) ;; *) loc="http://127.0.0.1:$port$loc" ;; esac
    curl -sf -o /dev/null -X PUT "$@" -H 'Content-Type: application/octet-stream' --data-binary "@$work/$f" "$loc&digest=$d"
    [ "$f" = blob ] && b="$d" || c="$d"
  done
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":1024}]}' \
    "$c" "$(stat -c %s "$work/config")" "$b" > "$work/manifest"
  curl -sf -o /dev/null -X PUT "$@" -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "@$work/manifest" "http://127.0.0.1:$port/v2/bench/app/manifests/v1"
  echo "/v2/bench/app/blobs/$b"
}
dr_open_blob=$(dr_seed "$dr_open")
dr_auth_blob=$(dr_seed "$dr_auth" -u bench:bench-password)
oci_accept="Accept: application/vnd.oci.image.manifest.v1+json"

# warm-up: JIT, pools; keys, sessions and tokens enter their caches (the JIT was still busy after 3 s)
for server in jetty netty; do
  for name in "$server-base" "$server-auth" "$server-10k"; do
    port=$(val "$name" PORT)
    wrk -t1 -c"$connections" -d5s "http://127.0.0.1:$port$(val "$name" MANIFEST)" > /dev/null
    for mode in "${modes[@]}"; do
      [ "$mode" = client-cert ] && continue
      h=$(hdr "$name" "$mode"); [ -n "$h" ] && wrk -t1 -c"$connections" -d3s -H "$h" "http://127.0.0.1:$port$(val "$name" MANIFEST)" > /dev/null
    done
  done
done
for name in "${tls_servers[@]}"; do
  tls_load "$name" "$(val "$name" MANIFEST)" 10 > /dev/null
done
wrk -t1 -c"$connections" -d2s "http://127.0.0.1:$dr_open$dr_open_blob" > /dev/null
wrk -t1 -c"$connections" -d2s -H "$dr_basic" "http://127.0.0.1:$dr_auth$dr_auth_blob" > /dev/null

# pair ROUND LABEL PORT PATH BASE-LABEL BASE-PORT BASE-PATH [HEADER]: LABEL and its baseline back to back (the
# baseline first in odd rounds, second in even ones, so that a steady drift cancels), the ratio to $work/ratio.LABEL
pair() {
  local round="$1" label="$2" port="$3" path="$4" base="$5" base_port="$6" base_path="$7" header="${8:-}"
  if (( round % 2 )); then
    run "$base" "$base_port" "$base_path" "$header"; run "$label" "$port" "$path" "$header"
  else
    run "$label" "$port" "$path" "$header"; run "$base" "$base_port" "$base_path" "$header"
  fi
  paired "$label" "$base"
}
paired() { # LABEL BASE-LABEL: the ratio of their latest runs
  echo "$(tail -1 "$work/r.$1" | cut -d' ' -f1) $(tail -1 "$work/r.$2" | cut -d' ' -f1)" | awk '{printf "%.3f\n", $1 / $2}' >> "$work/ratio.$1"
}
quiet_key() { # SERVER: the valid key alone, the flood's baseline
  run "$1|api-key-basic without the flood|MANIFEST" "$(val "$1-auth" PORT)" "$(val "$1-auth" MANIFEST)" "$(hdr "$1-auth" api-key-basic)"
}
flooded() { # SERVER: the valid key pulls while 4 threads send wrong keys
  local port; port=$(val "$1-auth" PORT)
  wrk -t4 -c4 -d"$((duration + 2))s" -H "Authorization: $(val "$1-auth" WRONG_BASIC)" "http://127.0.0.1:$port$(val "$1-auth" MANIFEST)" > /dev/null &
  local flood=$!
  sleep 1
  run "$1|api-key-basic under a wrong-key flood|MANIFEST" "$port" "$(val "$1-auth" MANIFEST)" "$(hdr "$1-auth" api-key-basic)"
  wait "$flood" || true
}

for round in $(seq 1 "$rounds"); do
  for server in jetty netty; do
    base_port=$(val "$server-base" PORT)
    for what in "${paths[@]}"; do
      for mode in "${modes[@]}"; do
        if [ "$mode" = client-cert ]; then
          pair "$round" "$server|client-cert|$what" "tls:$server-tlsauth" "$(val "$server-tlsauth" "$what")" \
              "$server|baseline over TLS with the client certificate|$what" "tls:$server-tlsbase" "$(val "$server-tlsbase" "$what")"
          continue
        fi
        h=$(hdr "$server-auth" "$mode")
        # the baseline gets the same header bytes (it ignores them), so that only Portcullis's work differs
        base="$server|baseline with the $mode header|$what"; [ -z "$h" ] && base="$server|baseline (no Portcullis)|$what"
        pair "$round" "$server|$mode|$what" "$(val "$server-auth" PORT)" "$(val "$server-auth" "$what")" "$base" "$base_port" "$(val "$server-base" "$what")" "$h"
      done
    done
    pair "$round" "$server|anonymous, 10,000-pattern policy|MANIFEST" "$(val "$server-10k" PORT)" "$(val "$server-10k" MANIFEST)" \
        "$server|baseline (no Portcullis)|MANIFEST" "$base_port" "$(val "$server-base" MANIFEST)"
    pair "$round" "$server|api-key-basic, 10,000-pattern policy|MANIFEST" "$(val "$server-10k" PORT)" "$(val "$server-10k" MANIFEST)" \
        "$server|baseline with the api-key-basic header|MANIFEST" "$base_port" "$(val "$server-base" MANIFEST)" "$(hdr "$server-10k" api-key-basic)"
    # the flood's ratio is to the same key without the flood, run beside it
    if (( round % 2 )); then quiet_key "$server"; flooded "$server"; else flooded "$server"; quiet_key "$server"; fi
    paired "$server|api-key-basic under a wrong-key flood|MANIFEST" "$server|api-key-basic without the flood|MANIFEST"
  done
  if (( round % 2 )); then
    run "docker-registry|no auth|BLOB" "$dr_open" "$dr_open_blob"; run "docker-registry|htpasswd (bcrypt)|BLOB" "$dr_auth" "$dr_auth_blob" "$dr_basic"
  else
    run "docker-registry|htpasswd (bcrypt)|BLOB" "$dr_auth" "$dr_auth_blob" "$dr_basic"; run "docker-registry|no auth|BLOB" "$dr_open" "$dr_open_blob"
  fi
  paired "docker-registry|htpasswd (bcrypt)|BLOB" "docker-registry|no auth|BLOB"
  run "docker-registry|no auth|MANIFEST" "$dr_open" /v2/bench/app/manifests/v1 "$oci_accept"
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
stat_of() { awk -v c="$2" '{print $c}' "$work/r.$1" | sed 's/ms$//; s/us$/e-3/; s/s$/e3/' | median; }
{
  echo "| server | mode | GET | req/s (median) | p50 ms | p99 ms | ratio (median of $rounds paired runs) | paired ratios |"
  echo "|---|---|---|---:|---:|---:|---:|---|"
  for f in "$work"/r.*; do
    label="${f#"$work"/r.}"
    IFS='|' read -r server mode what <<< "$label"
    rps=$(stat_of "$label" 1); p50=$(stat_of "$label" 2); p99=$(stat_of "$label" 3)
    ratio="—"; ratios=""
    if [ -f "$work/ratio.$label" ]; then
      ratio=$(median < "$work/ratio.$label"); ratios=$(paste -sd' ' "$work/ratio.$label")
    fi
    printf '| %s | %s | %s | %.0f | %.2f | %.2f | %s | %s |\n' "$server" "$mode" "$(echo "$what" | tr 'A-Z' 'a-z')" "$rps" "$p50" "$p99" "$ratio" "$ratios"
  done | sort -t'|' -k2,2 -k4,4 -k3,3
} | tee target/bench-results.md
