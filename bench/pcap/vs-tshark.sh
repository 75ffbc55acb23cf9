#!/usr/bin/env bash
# Vigil's offline mode against tshark on the same capture file (issues #6 and #7, bench/pcap).
#
#   bench/pcap/vs-tshark.sh [FILE]     default: the shared corpus merged and repeated to ~1M packets
#
# Times `vigil-agent pcap FILE --out /dev/null` (RUNS=3 runs, the median: read, decode, flows, DNS,
# TCP reassembly, HTTP, TLS and QUIC, JSON lines out) and
# `tshark -r FILE -T fields` extracting the same fields (addresses, ports, DNS query names, SNI,
# JA3, JA3S, HTTP method, host, user agent and URI: tshark reassembles TCP for them as Vigil does) to
# /dev/null, prints packets/s for each and the ratio, with the machine. Needs tshark and mergecap
# (Debian: tshark, wireshark-common).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
[ -f agent/target/vigil-agent.jar ] || mvn -B -q -o -DskipTests package -pl agent -am
work="$(mktemp -d /tmp/vigil-bench-pcap.XXXXXX)"
trap 'rm -rf "$work"' EXIT
file="${1:-}"
if [ -z "$file" ]; then
  pcaps="${PCAPS:-$repo/../shared/testdata/pcaps}"
  # Merge the corpus once (the two damaged files are left out: mergecap refuses them too), then
  # repeat it to about a million packets. Paths relative to the corpus: mergecap 4.0 lists every
  # input path in the merged file's section header comment, a pcapng option of at most 65,535
  # bytes; 624 longer paths (e.g. /work/wt-offline/../shared/testdata/pcaps/...) pass that and
  # the file it writes is damaged.
  (cd "$pcaps" && find . -name '*.pcap' -o -name '*.pcapng' | sort | grep -v 'bug-1450-0[45]') \
    > "$work/list"
  (cd "$pcaps" && xargs -a "$work/list" mergecap -a -w "$work/corpus.pcapng")
  n=$(capinfos -M -c "$work/corpus.pcapng" | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
  copies=$(( (1000000 + n / 2) / n ))
  for _ in $(seq 1 "$copies"); do echo "$work/corpus.pcapng"; done > "$work/copies"
  xargs -a "$work/copies" mergecap -a -w "$work/big.pcapng"
  file="$work/big.pcapng"
fi
packets=$(capinfos -M -c "$file" | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
echo "== machine"
echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1), $(tshark -v | head -1)"
echo "== input: $file, $packets packets, $(du -h "$file" | cut -f1)"
# Vigil RUNS times (default 3, the median counts: the run is short and the machine may be shared),
# tshark once (it takes twenty times as long).
: > "$work/times"
for _ in $(seq 1 "${RUNS:-3}"); do
  t0=$(date +%s.%N)
  installers/bin/vigil-agent pcap "$file" --out /dev/null > "$work/vigil.out"
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }' >> "$work/times"
done
t1=$(date +%s.%N)
tshark -r "$file" -T fields -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.srcport \
  -e tcp.dstport -e udp.srcport -e udp.dstport -e dns.qry.name \
  -e tls.handshake.extensions_server_name -e tls.handshake.ja3 -e tls.handshake.ja3s \
  -e http.request.method -e http.host -e http.user_agent -e http.request.uri > /dev/null 2>&1
t2=$(date +%s.%N)
cat "$work/vigil.out"
sort -n "$work/times" > "$work/sorted"
runs=$(wc -l < "$work/sorted")
median=$(sed -n "$(( (runs + 1) / 2 ))p" "$work/sorted")
awk -v p="$packets" -v m="$median" -v all="$(tr '\n' ' ' < "$work/times")" -v b="$t1" -v c="$t2" 'BEGIN {
  v = p / m; t = p / (c - b);
  printf "vigil-agent pcap: %.2f s (median; runs: %s), %d packets/s (JVM start included)\n", m, all, v;
  printf "tshark -T fields: %.1f s, %d packets/s\n", c - b, t;
  printf "ratio: %.1fx\n", v / t }'
