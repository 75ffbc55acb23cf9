#!/usr/bin/env bash
# Fuzzing run (issue #7): mutates each decoder's seeds and committed corpus INPUTS times (default
# 2,000,000 per target; capture-file is slower, as every input is a file), keeps inputs with new
# outcomes under agent/src/test/resources/fuzz/TARGET/ and writes findings there as crash-SHA1
# (commit both: FuzzReplayTest replays them). Exit 1 when anything was found.
#
#   bench/fuzz/run.sh [INPUTS] [RANDOM_SEED] [TARGET...]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
mvn -B -q -o -pl agent -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="target/test-classes:target/classes:$(cat agent/target/bench.classpath)"
cd agent
# shellcheck disable=SC2086
exec java -Xmx1g -XX:+UseSerialGC ${JAVA_OPTS:-} -cp "$cp" io.vigil.agent.packet.fuzz.FuzzMain \
  "${1:-2000000}" "${2:-1}" "${@:3}"
