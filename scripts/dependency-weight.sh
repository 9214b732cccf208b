#!/usr/bin/env bash
# What a user of Portcullis pays in jars and megabytes, for three typical applications (issue 30): (a) policy tests only,
# (b) the servlet filter with htpasswd and in-memory API keys, (c) the servlet filter with OIDC login and a PostgreSQL
# key store. Each is a throw-away Maven project depending on the installed artifacts (run `mvn -B -q install -DskipTests`
# first); its runtime class path, the project's own artifacts included, is counted.
# Usage: scripts/dependency-weight.sh [maven arguments, e.g. -o -Dmaven.repo.local=DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn_args=("$@")
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
dependency=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

consumer() { # NAME ARTIFACT... -> "NAME jars MB"
  local name="$1"; shift
  local deps=""
  for a in "$@"; do
    deps+="<dependency><groupId>dev.portcullis</groupId><artifactId>$a</artifactId><version>$version</version></dependency>"
  done
  mkdir -p "$work/$name"
  cat > "$work/$name/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>example</groupId><artifactId>$name</artifactId><version>1</version><packaging>jar</packaging>
<dependencies>$deps</dependencies></project>
POM
  (cd "$work/$name" && mvn -B -q "$dependency:list" -DincludeScope=runtime -DoutputAbsoluteArtifactFilename=true \
      -DoutputFile=deps.txt "${mvn_args[@]}" >/dev/null 2>&1) || { echo "$name: the artifacts do not resolve; install them first" >&2; exit 1; }
  local files; files=$(grep -oE '(/[^ :]+\.jar)' "$work/$name/deps.txt" || true)
  local count; count=$(printf '%s\n' "$files" | grep -c . || true)
  local bytes=0
  for f in $files; do bytes=$((bytes + $(stat -c %s "$f"))); done
  printf '%-40s %3d jars %6.1f MB\n' "$name" "$count" "$(echo "$bytes / 1048576" | bc -l)"
}

consumer "a-policy-only" portcullis-policy-dsl
consumer "b-servlet-htpasswd-in-memory-keys" portcullis-auth-servlet
if mvn -B -q "$dependency:get" -Dartifact="dev.portcullis:portcullis-oidc:$version" -Dtransitive=false "${mvn_args[@]}" >/dev/null 2>&1; then
  consumer "c-servlet-oidc-postgresql" portcullis-auth-servlet portcullis-oidc portcullis-postgres
else
  echo "c-servlet-oidc-postgresql: as b (before portcullis-oidc and portcullis-postgres, everything came with the filter)"
fi
