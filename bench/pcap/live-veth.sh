#!/usr/bin/env bash
# Live capture under load (issue #6): iperf3 over a veth pair for 10 s while the agent's packet
# sensor captures the host end; prints packets/s captured, kernel drops and CPU. As root.
#
#   bench/pcap/live-veth.sh [SECONDS]       default 10
#
#   IPERF_ARGS="..."   client options (default "-P 4 -M 536 -l 536 -N": four streams of small
#                      segments, many packets; "-P 1" measures the default, GSO-sized segments)
#   BUFFER_MIB=N       the capture's kernel buffer (default 8, the agent's default buffer_size)
#
# Creates the namespace vigil-bench-iperf with vigil-bench-n (10.204.0.2/30) and, in the root
# namespace, vigil-bench-h (10.204.0.1/30); runs `iperf3 -s -1` in the namespace and the client in
# the root namespace; removes all of it on exit (and leftovers of a killed run at start). The
# capture runs io.vigil.agent.packet.bench.LiveCaptureBench from agent's test classpath: the real
# PacketSensor with the agent's launcher flags (-Xmx64m -XX:+UseSerialGC).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces, capture)" >&2; exit 2; }
secs="${1:-10}"
ns=vigil-bench-iperf host=vigil-bench-h peer=vigil-bench-n

cleanup() {
  ip link del "$host" 2>/dev/null || true
  ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}
cleanup
trap cleanup EXIT

mvn -B -q -o -pl agent -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="agent/target/test-classes:agent/target/classes:$(cat agent/target/bench.classpath)"

ip netns add "$ns"
ip link add "$host" type veth peer name "$peer"
ip link set "$peer" netns "$ns"
ip addr add 10.204.0.1/30 dev "$host"
ip link set "$host" up
ip -n "$ns" addr add 10.204.0.2/30 dev "$peer"
ip -n "$ns" link set "$peer" up
ip -n "$ns" link set lo up
ip netns exec "$ns" iperf3 -s -1 -B 10.204.0.2 >/dev/null &
sleep 0.5

# shellcheck disable=SC2086
java -Xmx64m -XX:+UseSerialGC -Dchronicle.analytics.disable=true ${JAVA_OPTS:-} -cp "$cp" \
  io.vigil.agent.packet.bench.LiveCaptureBench "$host" "${BUFFER_MIB:-8}" \
  iperf3 -c 10.204.0.2 -t "$secs" ${IPERF_ARGS:--P 4 -M 536 -l 536 -N}
