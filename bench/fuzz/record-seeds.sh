#!/usr/bin/env bash
# Records the fuzzers' seed capture (issue #7): real TLS 1.3 and 1.2 handshakes (curl against
# openssl s_server, the server's certificate made here), plain HTTP (curl against python's
# http.server, two requests on one connection) and DNS queries (dig), all on loopback, into
# agent/src/test/resources/fuzz/seeds.pcap. Our own recording: nothing from ../shared is copied.
# As root (tcpdump). Needs openssl, curl, python3, dig, tcpdump.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
out="$repo/agent/src/test/resources/fuzz/seeds.pcap"
work="$(mktemp -d /tmp/vigil-seeds.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
  -subj "/CN=seed.vigil.test/O=Vigil fuzz seeds" -keyout "$work/key.pem" -out "$work/cert.pem" \
  2>/dev/null
mkdir -p "$(dirname "$out")"
tcpdump -i lo -U -s 0 -w "$out" 'tcp port 4433 or tcp port 4434 or tcp port 8000 or udp port 53' \
  2>/dev/null & pids+=($!)
sleep 1
openssl s_server -quiet -accept 127.0.0.1:4433 -www -tls1_3 -cert "$work/cert.pem" \
  -key "$work/key.pem" >/dev/null 2>&1 & pids+=($!)
openssl s_server -quiet -accept 127.0.0.1:4434 -www -tls1_2 -cert "$work/cert.pem" \
  -key "$work/key.pem" >/dev/null 2>&1 & pids+=($!)
(cd "$work" && echo "seed" > index.html && exec python3 -m http.server 8000 --bind 127.0.0.1) \
  >/dev/null 2>&1 & pids+=($!)
sleep 1
curl -sk --resolve seed.vigil.test:4433:127.0.0.1 -o /dev/null https://seed.vigil.test:4433/
curl -sk --tls-max 1.2 --resolve seed.vigil.test:4434:127.0.0.1 -o /dev/null \
  https://seed.vigil.test:4434/
curl -s -A "vigil-seed/1.0" -o /dev/null -o /dev/null \
  "http://127.0.0.1:8000/index.html?q=1" "http://127.0.0.1:8000/missing"
dig +tries=1 +time=1 @127.0.0.1 seed.vigil.test A >/dev/null || true
dig +tries=1 +time=1 @127.0.0.1 seed.vigil.test AAAA >/dev/null || true
sleep 1
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
echo "wrote $out ($(stat -c %s "$out") bytes)"
