#!/usr/bin/env bash
# Packet decoder benchmark (issue #6): packets/s through the agent's PacketDecoder on ONE core.
# Reads every capture under the shared corpus (suricata-verify and ja4: pcap and pcapng, every
# link type they hold) into memory, repeats it to about TARGET packets laid out back to back, and
# decodes the whole set: WARMUP passes, then RUNS timed passes, and the median.
#
#   bench/pcap/run.sh [TARGET] [WARMUP] [RUNS]     defaults: 1000000 5 3
#
#   PCAPS=DIR        the captures (default ../shared/testdata/pcaps)
#   CPU=N            the core to pin the JVM to with taskset (default 0)
#   JAVA_OPTS=...    extra JVM flags
#
# Builds agent's classes and test classes offline, then runs io.vigil.agent.packet.bench.DecodeBench
# from the test classpath, the whole JVM pinned to one core (so JIT and GC share it). Prints the
# machine (as bench/detect does), the corpus, the rate of reading the files, then per run
# packets/s by wall time and by the thread's CPU time, ns/packet, bytes allocated per packet and
# whether the run decoded what the warm-up did, and the median with min/max.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
mvn -B -q -o -pl agent -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="agent/target/test-classes:agent/target/classes:$(cat agent/target/bench.classpath)"

pcaps="${PCAPS:-$repo/../shared/testdata/pcaps}"
[ -d "$pcaps" ] || { echo "no captures at $pcaps (set PCAPS)" >&2; exit 2; }
# shellcheck disable=SC2086
exec taskset -c "${CPU:-0}" java -Xms2g -Xmx2g -XX:+UseSerialGC ${JAVA_OPTS:-} -cp "$cp" \
  io.vigil.agent.packet.bench.DecodeBench "$pcaps" "${1:-1000000}" "${2:-5}" "${3:-3}"
