#!/usr/bin/env bash
# Per-thread CPU of the agent during an exec storm: where the process sensor's CPU goes.
#   sudo bench/exec-storm/per-thread.sh [RATE] [SECONDS]      defaults: 1000 10
# Builds nothing (run bench/exec-storm/run.sh once, or mvn -B -q -DskipTests package first).
# Starts collector + agent from the shaded jars (port 7643, audit key vigil-bench-threads), runs two
# unmeasured 10 s warm-up storms, then one measured storm, and prints each agent thread's
# utime+stime delta (ticks of 1/CLK_TCK s) and the total CPU per exec, then the census.
set -euo pipefail
rate="${1:-1000}"; d=$(mktemp -d /tmp/vigil-bench-threads.XXXXXX)
cd "$(dirname "$0")/../.."
cat > $d/c.yaml <<Y
collector:
  state_dir: $d/collector
listen:
  address: 127.0.0.1:7643
metrics:
  listen: ""
Y
cat > $d/a.yaml <<Y
agent:
  state_dir: $d/agent
collector:
  address: 127.0.0.1:7643
  ca_file: $d/collector/pki/ca.pem
metrics:
  listen: ""
sensors:
  process:
    audit_key: vigil-bench-threads
Y
installers/bin/vigil-collector run --config $d/c.yaml > $d/c.log 2>&1 & cpid=$!
sleep 4; installers/bin/vigil-agent run --config $d/a.yaml > $d/a.log 2>&1 & apid=$!
trap 'kill $apid 2>/dev/null; sleep 3; kill $cpid 2>/dev/null; wait 2>/dev/null; rm -rf $d' EXIT
sleep 8
for i in 1 2; do perl bench/exec-storm/storm.pl $rate 10 vigil-warm$i- >/dev/null; sleep 2; done
snap() { for t in /proc/$apid/task/*; do echo "$(basename $t) $(awk '{print $14+$15, $14, $15}' $t/stat) $(cat $t/comm | tr ' ' _)"; done | sort; }
snap > $d/t0; read started el < <(perl bench/exec-storm/storm.pl $rate ${2:-10} vigil-meas-); sleep 4; snap > $d/t1
echo "started $started in $el s"
join $d/t0 $d/t1 | awk '{d=$6-$2; if (d>0) print d, "user", $7-$3, "sys", $8-$4, $5}' | sort -rn | head -15
join $d/t0 $d/t1 | awk -v n=$started -v hz=$(getconf CLK_TCK) '{s+=$6-$2; u+=$7-$3; y+=$8-$4} END {printf "total %d ticks (user %d, sys %d) = %.0f us CPU per exec\n", s, u, y, s*1e6/hz/n}'
java -cp "testkit/target/classes:collector/target/vigil-collector.jar" io.vigil.testkit.ExecCensus $d/collector/vigil.db vigil-meas- $started || true
