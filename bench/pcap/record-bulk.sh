#!/usr/bin/env bash
# A bulk-transfer capture for the offline-mode comparison (issue #6, bench/pcap): iperf3 over
# loopback recorded with tcpdump, then bench/pcap/vs-tshark.sh on it.
#
#   bench/pcap/record-bulk.sh [OUT.pcap]     default: a temporary file, removed at the end
#
#   DURATION=S        seconds of iperf3 (default 25)
#   IPERF_OPTS=...    client options (default "-P 4 -M 536 -l 536 -N": four TCP streams of small
#                     segments written without Nagle; loopback hands bigger writes over as one
#                     GSO packet of up to 64 KiB, so the default options would record a few
#                     thousand packets a second of up to 64 KiB each, tens of GB for millions)
#   SNAPLEN=N         tcpdump -s (default: tcpdump's, whole packets)
#   COMPARE=0         record only, skip the comparison
#
# Needs root (tcpdump on lo), tcpdump and iperf3; the comparison needs tshark, mergecap, capinfos.
# Traffic stays on loopback, port 5201. tcpdump's own counts (captured, received by the filter,
# dropped by the kernel) are printed: the packets the kernel dropped are missing from the file
# (the flows then have gaps, the comparison is still the same file for both tools). On loopback
# every packet passes the filter twice (sent and received), which libpcap then counts once.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d /tmp/vigil-bench-bulk.XXXXXX)"
trap 'kill "${tcpdump_pid:-}" "${server_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
out="${1:-$work/bulk.pcap}"
case "$out" in "$repo"/*) echo "write captures outside the repository" >&2; exit 2 ;; esac

iperf3 -s -1 -p 5201 > "$work/server.log" 2>&1 &
server_pid=$!
# shellcheck disable=SC2086
tcpdump -i lo -U --immediate-mode -Z root -B 131072 ${SNAPLEN:+-s "$SNAPLEN"} -w "$out" \
  'port 5201' 2> "$work/tcpdump.log" &
tcpdump_pid=$!
# tcpdump says "listening" once the capture is open.
for _ in $(seq 1 50); do grep -q listening "$work/tcpdump.log" && break; sleep 0.1; done
# shellcheck disable=SC2086
iperf3 -c 127.0.0.1 -p 5201 -t "${DURATION:-25}" ${IPERF_OPTS:--P 4 -M 536 -l 536 -N} \
  > "$work/client.log"
sleep 0.5
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" || true
wait "$server_pid" || true
echo "== iperf3 -c 127.0.0.1 -t ${DURATION:-25} ${IPERF_OPTS:--P 4 -M 536 -l 536 -N}"
grep -E 'sender|receiver' "$work/client.log" | tail -2
echo "== tcpdump -i lo -U --immediate-mode -B 131072 ${SNAPLEN:+-s $SNAPLEN} 'port 5201'"
grep -E 'captured|received|dropped' "$work/tcpdump.log"
echo "== $out: $(capinfos -M -c "$out" | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}') packets, $(du -h "$out" | cut -f1)"
if [ "${COMPARE:-1}" != 0 ]; then
  "$repo/bench/pcap/vs-tshark.sh" "$out"
fi
