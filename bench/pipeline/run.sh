#!/usr/bin/env bash
# End-to-end pipeline benchmark: synthetic sensor -> pipeline -> Chronicle spool -> gRPC (TLS)
# -> collector ingest -> SQLite, agent and collector as separate processes on this machine.
#
#   bench/pipeline/run.sh [EVENTS] [COMPRESSION]     defaults: 2000000 gzip
#
# Prints the machine, events/s from agent start to the last event stored, the agent's and the
# collector's CPU (% of one core, averaged over the run, and CPU time per event, which is less
# sensitive to other load on a shared machine) and the agent's peak RSS and RssAnon, sampled from
# /proc every 0.5 s.
# The synthetic events are realistic: process execs with 100-300 byte command lines, exits,
# connections, file events and DNS queries.
set -euo pipefail
events="${1:-2000000}"
compression="${2:-gzip}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
. bench/enrol.sh
[ -f agent/target/vigil-agent.jar ] && [ -f collector/target/vigil-collector.jar ] \
  || mvn -B -q -DskipTests package -pl agent,collector -am

work="$(mktemp -d /tmp/vigil-bench.XXXXXX)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000)); cmetrics=$((port + 1)); ametrics=$((port + 2))

cat >"$work/collector.yaml" <<YAML
collector:
  state_dir: $work/collector
listen:
  address: 127.0.0.1:$port
metrics:
  listen: 127.0.0.1:$cmetrics
operator:
  address: 127.0.0.1:$((port + 3))
# One synthetic agent sends ~100 000 events/s here: measure the pipeline, not the per-agent limit
# (default 50 000/s).
ingest:
  max_events_per_second_per_agent: 0
YAML
cat >"$work/agent.yaml" <<YAML
agent:
  state_dir: $work/agent
collector:
  address: 127.0.0.1:$port
  ca_file: $work/collector/pki/ca.pem
  compression: $compression
metrics:
  listen: 127.0.0.1:$ametrics
sensors:
  synthetic:
    enabled: true
    count: $events
  # The pipeline alone: no host sensors (bench/exec-storm measures those).
  process:
    enabled: false
  network:
    enabled: false
YAML

metric() { # URL NAME -> value (0 if absent or not listening yet)
  { curl -s "$1" || true; } | awk -v n="$2" '$1 == n { printf "%d", $2; found=1 } END { if (!found) print 0 }'
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

echo "== machine"
echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "memory: $(free -h | awk '/Mem:/ { print $2 }'), kernel $(uname -r), $(java -version 2>&1 | head -1)"
echo "disk: $(df -h "$work" | awk 'NR==2 { print $1, $2 }')"
echo "== run: $events events, compression $compression"

installers/bin/vigil-collector run --config "$work/collector.yaml" >"$work/collector.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do grep -q listening "$work/collector.log" && break; sleep 0.5; done
bench_enrol "$work" "$port"

start=$(date +%s.%N)
installers/bin/vigil-agent run --config "$work/agent.yaml" >"$work/agent.log" 2>&1 &
agent=$!
pids+=($agent)
hz=$(getconf CLK_TCK)
sleep 1
collector=${pids[0]}
t0=$(ticks "$agent"); c0=$(ticks "$collector"); peak_rss=0; peak_anon=0; stored=0
while :; do
  kill -0 "$agent" 2>/dev/null || { echo "agent died:"; tail -20 "$work/agent.log"; exit 1; }
  rss=$(status_kb "$agent" VmRSS); anon=$(status_kb "$agent" RssAnon)
  [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
  [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
  stored=$(metric "http://127.0.0.1:$cmetrics/metrics" vigil_collector_events_stored_total)
  spooled=$(metric "http://127.0.0.1:$ametrics/metrics" vigil_agent_events_spooled_total)
  [ "$stored" -ge "$events" ] && [ "$stored" -ge "$spooled" ] && break
  sleep 0.5
done
end=$(date +%s.%N)
t1=$(ticks "$agent"); c1=$(ticks "$collector")
elapsed=$(echo "$end - $start" | bc -l)
echo "stored: $stored events (includes agent status events) in ${elapsed%???????} s"
printf 'throughput: %.0f events/s end to end\n' "$(echo "$events / $elapsed" | bc -l)"
printf 'agent cpu: %.0f%% of one core (average over the run)\n' \
  "$(echo "($t1 - $t0) / $hz / ($elapsed - 1) * 100" | bc -l)"
printf 'collector cpu: %.0f%% of one core\n' \
  "$(echo "($c1 - $c0) / $hz / ($elapsed - 1) * 100" | bc -l)"
printf 'cpu per event: agent %.1f us, collector %.1f us\n' \
  "$(echo "($t1 - $t0) / $hz * 1000000 / $events" | bc -l)" \
  "$(echo "($c1 - $c0) / $hz * 1000000 / $events" | bc -l)"
echo "agent peak rss: $((peak_rss / 1024)) MiB, peak RssAnon: $((peak_anon / 1024)) MiB"
echo "dropped by agent: $(curl -s "http://127.0.0.1:$ametrics/metrics" | awk '/^vigil_agent_events_dropped_total/ { s += $2 } END { print s + 0 }')"
