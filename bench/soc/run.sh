#!/usr/bin/env bash
# SOC operations benchmark (issue #11): ingest with and without an events_by_entity index, the
# example hunts of docs/hunting.md, process-tree reads and a retention pass under ingest, all on a
# real SQLite store filled through the collector's ingest path, in one JVM.
#
#   bench/soc/run.sh [EVENTS] [AGENTS]      defaults: 2000000 10
#
# The harness is io.vigil.testkit.bench.SocBench (testkit); its class comment says what each
# number includes. The store lives in a temporary directory under /tmp (removed at exit): two
# stores of EVENTS events are written, one after the other (about 1 KiB per event on disk).
set -euo pipefail
events="${1:-2000000}"
agents="${2:-10}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
[ -f collector/target/vigil-collector.jar ] && [ -f agent/target/vigil-agent.jar ] \
  && [ -f testkit/target/classes/io/vigil/testkit/bench/SocBench.class ] \
  || mvn -B -o -q -DskipTests package -pl agent,collector,testkit -am

work="$(mktemp -d /tmp/vigil-bench-soc.XXXXXX)"
trap 'rm -rf "$work"' EXIT

echo "== machine"
echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "memory: $(free -h | awk '/Mem:/ { print $2 }'), kernel $(uname -r), $(java -version 2>&1 | head -1)"
echo "disk: $(df -h "$work" | awk 'NR==2 { print $1, $2 }')"
echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"

start=$(date +%s)
# -Xmx1g: the collector's default heap (installers/bin/vigil-collector).
java -Xmx1g -cp "testkit/target/classes:collector/target/vigil-collector.jar:agent/target/vigil-agent.jar" \
  io.vigil.testkit.bench.SocBench --dir "$work" --events "$events" --agents "$agents"
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg), $(( $(date +%s) - start )) s in all"
