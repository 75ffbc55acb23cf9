#!/usr/bin/env bash
# Detection-engine benchmark (issue #4): events/s through DetectionEngine on ONE core, with every
# SigmaHQ Linux rule the collector would activate (RuleCatalog.load of the SigmaHQ checkout's
# rules/linux) plus Vigil's starter rules (detect/rules), on the committed event mix
# bench/detect/event-mix.txtpb (60 % process execs, 30 % connections, 10 % file events).
#
#   bench/detect/run.sh [WARMUP_S] [ITERATIONS] [ITERATION_S]   defaults: 20 10 3
#   bench/detect/run.sh generate                                 rewrites event-mix.txtpb
#
#   SIGMA_RULES=DIR   the SigmaHQ Linux rules (default ../shared/testdata/sigma/rules/linux)
#   CPU=N             the core to pin the JVM to with taskset (default 0)
#   JAVA_OPTS=...     extra JVM flags (e.g. -XX:StartFlightRecording=filename=/tmp/d.jfr)
#   ENGINE_CLASSES=DIR  detect's main classes from elsewhere (an older commit compiled with javac),
#                     to measure before and after a change with the same harness and mix
#   JAVA_OPTS=-Dvigil.bench.findings=FILE  also writes every finding ("seq rule-id") to FILE
#
# Builds detect's classes and test classes offline, then runs io.vigil.detect.bench.EngineBench
# from the test classpath, the whole JVM pinned to one core (so JIT and GC share it, as they would
# on a one-core worker). Prints the machine, rules active by log source, heap held by the loaded
# rules, the findings of a reference pass, then per iteration events/s (by wall time and by the
# thread's CPU time), ns/event, bytes allocated per event and findings (every pass must find what
# the reference pass found), the medians with min/max, and CPU ns/event per event kind.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
mvn -B -q -o -pl detect -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="detect/target/test-classes:${ENGINE_CLASSES:-detect/target/classes}:$(cat detect/target/bench.classpath)"

if [ "${1:-}" = generate ]; then
  exec java -cp "$cp" io.vigil.detect.bench.EventMixGenerator bench/detect/event-mix.txtpb
fi

rules="${SIGMA_RULES:-$repo/../shared/testdata/sigma/rules/linux}"
[ -d "$rules" ] || { echo "no SigmaHQ Linux rules at $rules (set SIGMA_RULES)" >&2; exit 2; }
# shellcheck disable=SC2086
exec taskset -c "${CPU:-0}" java -Xms1g -Xmx1g -XX:+UseSerialGC ${JAVA_OPTS:-} -cp "$cp" \
  io.vigil.detect.bench.EngineBench bench/detect/event-mix.txtpb "$rules" \
  "${1:-20}" "${2:-10}" "${3:-3}"
