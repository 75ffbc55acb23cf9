#!/usr/bin/env bash
# File-storm benchmark for the file sensor and integrity monitoring (issue #8). As root.
#
#   sudo bench/file-storm/run.sh [TREE] [FIM_TREE]      defaults: /usr/share  /usr
#
# 1. Untar: TREE is packed once into a tar file (not measured), then unpacked into a directory the
#    agent's file sensor watches (fanotify, with the process sensor for attribution, integrity
#    monitoring off). Reports the kernel notifications and file events the agent handled per
#    second of the untar, what it dropped (rate limits, queues), its CPU in % of one core and per
#    event (utime+stime of /proc/<agent>/stat), and peak VmRSS / RssAnon sampled every 0.2 s.
#    The agent runs from installers/bin/vigil-agent, with the production memory flags.
# 2. FIM baseline: a second agent with only integrity monitoring on FIM_TREE (hash_rate 0 =
#    unthrottled, max_file_bytes 64 MiB) builds its first baseline; reports files/s and MB/s
#    hashed from its FimScan event, and the agent's CPU and peak RSS. The page cache is NOT
#    dropped first (set DROP_CACHES=1 to measure from disk).
#
# Agent and collector state live in a temporary directory that is removed at exit.
set -euo pipefail
tree="${1:-/usr/share}"
fim_tree="${2:-/usr}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
. bench/enrol.sh
[ "$(id -u)" = 0 ] || { echo "needs root (fanotify, audit)" >&2; exit 2; }
# Always rebuilt: a stale shaded jar would reject the config keys this script uses.
mvn -B -q -DskipTests package -pl agent,collector -am

work="$(mktemp -d /tmp/vigil-bench-files.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  if command -v auditctl >/dev/null && auditctl -l | grep -q 'key=vigil-bench'; then
    auditctl -D -k vigil-bench >/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
port=$((20000 + RANDOM % 20000))
metrics_port=$((port + 1))
hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
metric() { # NAME [LABEL-FILTER] -> sum of the agent's gauge
  curl -s "http://127.0.0.1:$metrics_port/metrics" | awk -v n="$1" -v f="${2:-}" \
    '$1 ~ "^"n"({|$)" && index($1, f) { s += $2 } END { printf "%.0f", s }'
}

echo "== machine"
echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "memory: $(free -h | awk '/Mem:/ { print $2 }'), kernel $(uname -r), $(java -version 2>&1 | head -1)"
echo "disk: $(df -h /tmp | awk 'NR == 2 { print $1 " " $2 " (" $4 " free)" }'), load before: $(cut -d' ' -f1-3 /proc/loadavg)"

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
installers/bin/vigil-collector run --config "$work/collector.yaml" >"$work/collector.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do grep -q listening "$work/collector.log" && break; sleep 0.5; done

start_agent() { # CONFIG-TAIL -> sets $agent
  cat >"$work/agent.yaml" <<YAML
agent:
  state_dir: $work/agent
collector:
  address: 127.0.0.1:$port
  ca_file: $work/collector/pki/ca.pem
metrics:
  listen: 127.0.0.1:$metrics_port
status:
  interval: 2s
sensors:
  synthetic:
    enabled: false
  process:
    enabled: true
    audit: auto
    audit_key: vigil-bench
  network:
    enabled: false
$1
YAML
  bench_enrol "$work" "$port"
  installers/bin/vigil-agent run --config "$work/agent.yaml" >>"$work/agent.log" 2>&1 &
  agent=$!
  pids+=("$agent")
  for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$metrics_port/metrics" >/dev/null && break; sleep 0.5; done
  kill -0 "$agent" 2>/dev/null || { echo "agent died:"; tail -20 "$work/agent.log"; exit 1; }
}
stop_agent() { kill "$agent"; wait "$agent" 2>/dev/null || true; }

# --- 1. untar into a watched directory
echo "== untar of $tree into a watched directory"
tar -C "$(dirname "$tree")" -cf "$work/tree.tar" "$(basename "$tree")"
files=$(tar -tf "$work/tree.tar" | wc -l)
mb=$(( $(stat -c %s "$work/tree.tar") >> 20 ))
mkdir -p "$work/target"
start_agent "  file:
    enabled: true
    watch: [$work/target]
  fim:
    enabled: false"
sleep 3
n0=$(metric vigil_file_notifications); e0=$(metric vigil_file_emitted)
t0=$(ticks "$agent"); peak_rss=0; peak_anon=0
start=$(date +%s.%N)
tar -C "$work/target" -xf "$work/tree.tar" &
untar=$!
while kill -0 "$untar" 2>/dev/null; do
  rss=$(status_kb "$agent" VmRSS); anon=$(status_kb "$agent" RssAnon)
  [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss; [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
  sleep 0.2
done
wait "$untar"
end=$(date +%s.%N)
# Let the sensor drain its queue and flush its coalescing window.
prev=-1
for _ in $(seq 1 60); do
  cur=$(metric vigil_file_emitted); [ "$cur" = "$prev" ] && break; prev=$cur; sleep 1
  rss=$(status_kb "$agent" VmRSS); anon=$(status_kb "$agent" RssAnon)
  [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss; [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
done
t1=$(ticks "$agent")
n=$(( $(metric vigil_file_notifications) - n0 )); e=$(( $(metric vigil_file_emitted) - e0 ))
dropped=$(metric vigil_file_dropped)
secs=$(echo "$end - $start" | bc -l)
cpu=$(echo "($t1 - $t0) / $hz" | bc -l)
printf "entries %d (%d MiB), untar %.2f s\n" "$files" "$mb" "$secs"
printf "notifications %d (%.0f/s of untar), events %d (%.0f/s), dropped %d\n" \
  "$n" "$(echo "$n / $secs" | bc -l)" "$e" "$(echo "$e / $secs" | bc -l)" "$dropped"
printf "agent cpu %.2f s = %.0f%% of one core over the untar, %.1f us per notification\n" \
  "$cpu" "$(echo "100 * $cpu / $secs" | bc -l)" "$(echo "1000000 * $cpu / ($n + 1)" | bc -l)"
printf "agent peak VmRSS %d MiB, RssAnon %d MiB\n" $((peak_rss / 1024)) $((peak_anon / 1024))
curl -s "http://127.0.0.1:$metrics_port/metrics" | grep '^vigil_file_' | sed 's/^/  /'
stop_agent
rm -rf "$work/target" "$work/agent"

# --- 2. FIM baseline on FIM_TREE
echo "== FIM baseline of $fim_tree (hash_rate unlimited, max_file_bytes 64 MiB)"
[ "${DROP_CACHES:-0}" = 1 ] && { sync; echo 3 >/proc/sys/vm/drop_caches; echo "(page cache dropped)"; }
start_agent "  file:
    enabled: false
  fim:
    enabled: true
    paths: [$fim_tree]
    exclude: []
    hash_rate: 0
    max_files: 1000000"
t0=$(ticks "$agent"); peak_rss=0; peak_anon=0
for _ in $(seq 1 1200); do
  [ "$(metric vigil_fim_scans)" -ge 1 ] && break
  rss=$(status_kb "$agent" VmRSS); anon=$(status_kb "$agent" RssAnon)
  [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss; [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
  sleep 0.5
done
t1=$(ticks "$agent")
files=$(metric vigil_fim_files_scanned); bytes=$(metric vigil_fim_bytes_hashed)
ns=$(metric vigil_fim_last_scan_duration_ns)
secs=$(echo "$ns / 1000000000" | bc -l)
printf "files %d, hashed %d MiB in %.2f s: %.0f files/s, %.0f MB/s\n" "$files" $((bytes >> 20)) \
  "$secs" "$(echo "$files / $secs" | bc -l)" "$(echo "$bytes / 1000000 / $secs" | bc -l)"
printf "agent cpu %.2f s, peak VmRSS %d MiB, RssAnon %d MiB\n" "$(echo "($t1 - $t0) / $hz" | bc -l)" \
  $((peak_rss / 1024)) $((peak_anon / 1024))
stop_agent
