#!/usr/bin/env bash
# Response-command benchmark (issue #10): command issued -> result received, as an operator sees
# it, per action, on loopback. Agent and collector run from the shaded jars with temporary state,
# both inside one network namespace created for the run (vigil-bench-resp-<pid>), talking over
# that namespace's loopback; the namespace is deleted at exit, so the isolation, block and unblock
# commands change nftables only there, never in the machine's own network namespace. Files
# (quarantine, collect) and processes (kill) are the host's: a network namespace shares them.
#
#   sudo bench/response/run.sh [COUNT]      default: 100 commands per action
#
# The measuring client is io.vigil.testkit.bench.ResponseBench (testkit), run in the namespace: it
# calls the operator API's SendCommand with wait_ms, one command at a time, and times each from
# the call to the reply that carries the agent's result. Actions: ping; isolate and release
# alternating; block and unblock alternating on distinct RFC 5737 addresses; kill of a fresh
# `sleep 600` (pid + entity id, computed as the agent's process sensor does); kill --tree of a
# fresh shell with two sleeping children; quarantine and restore alternating, each on a fresh
# file; collect of a fresh 64 KiB file; snapshot. Prints p50/p90/p99/max per action and the
# agent's own execution time (result finished - started), and the machine and its load.
# Agent: every sensor off (the kill's entity id is computed by the client), response.* defaults
# (isolation.verify_timeout 10 s), the quarantine vault under the temporary state directory.
set -euo pipefail
count="${1:-100}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"

if [ -z "${VIGIL_BENCH_NETNS:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "run as root: the benchmark creates a network namespace" >&2; exit 2; }
  [ -f agent/target/vigil-agent.jar ] && [ -f collector/target/vigil-collector.jar ] \
    && [ -f testkit/target/classes/io/vigil/testkit/bench/ResponseBench.class ] \
    || mvn -B -o -q -DskipTests package -pl agent,collector,testkit -am
  ns="vigil-bench-resp-$$"
  ip netns add "$ns"
  trap 'ip netns delete "$ns" 2>/dev/null || true' EXIT
  ip -n "$ns" link set lo up
  # Everything below runs in the namespace (this script again, with VIGIL_BENCH_NETNS set).
  status=0
  VIGIL_BENCH_NETNS="$ns" ip netns exec "$ns" "$0" "$count" || status=$?
  exit "$status"
fi

. bench/enrol.sh
work="$(mktemp -d /tmp/vigil-bench-resp.XXXXXX)"
collector_pid=""
agent=""
cleanup() {
  [ -n "$agent" ] && kill "$agent" 2>/dev/null && wait "$agent" 2>/dev/null || true
  [ -n "$collector_pid" ] && kill "$collector_pid" 2>/dev/null && wait "$collector_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
port=$((20000 + RANDOM % 20000))

cat >"$work/collector.yaml" <<YAML
collector:
  state_dir: $work/collector
listen:
  address: 127.0.0.1:$port
metrics:
  listen: ""
operator:
  address: 127.0.0.1:$((port + 3))
YAML
cat >"$work/agent.yaml" <<YAML
agent:
  state_dir: $work/agent
collector:
  address: 127.0.0.1:$port
  ca_file: $work/collector/pki/ca.pem
metrics:
  listen: ""
# Only the response path is measured: no sensor produces events.
sensors:
  synthetic:
    enabled: false
  process:
    enabled: false
  network:
    enabled: false
  packet:
    enabled: false
  file:
    enabled: false
  fim:
    enabled: false
# response: the defaults (enabled, nft /usr/sbin/nft, isolation.verify_timeout 10s, vault
# <state_dir>/quarantine, collect.max_bytes 64MiB).
YAML

echo "== machine"
echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "memory: $(free -h | awk '/Mem:/ { print $2 }'), kernel $(uname -r), $(java -version 2>&1 | head -1)"
echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg) ($(uptime | sed 's/^ *//'))"
echo "== response commands: $count per action, network namespace $VIGIL_BENCH_NETNS (loopback)"

installers/bin/vigil-collector run --config "$work/collector.yaml" >"$work/collector.log" 2>&1 &
collector_pid=$!
for _ in $(seq 1 120); do grep -qs listening "$work/collector.log" && break; sleep 0.5; done
bench_enrol "$work" "$port"
installers/bin/vigil-agent run --config "$work/agent.yaml" >"$work/agent.log" 2>&1 &
agent=$!

status=0
java -cp "testkit/target/classes:collector/target/vigil-collector.jar:agent/target/vigil-agent.jar" \
  io.vigil.testkit.bench.ResponseBench --operator "127.0.0.1:$((port + 3))" \
  --ca "$work/collector/pki/ca.pem" --token-file "$work/collector/operator/admin.token" \
  --dir "$work/files" --count "$count" || status=$?
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$status" -ne 0 ]; then
  echo "== agent log (last 20 lines)"; tail -20 "$work/agent.log"
fi
exit "$status"
