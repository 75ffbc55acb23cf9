#!/usr/bin/env bash
# Exec-storm benchmark for the process sensor (issue #3): short-lived processes at target rates,
# with the real process sensor (audit + proc connector + /proc; no synthetic events), agent and
# collector as separate processes from the shaded jars, with temporary state.
#
#   sudo bench/exec-storm/run.sh [SECONDS] [RATES...]      defaults: 10  500 1000 0
#   WARMUP_SECONDS=20 (default): an unmeasured storm at 1000/s first, so the JIT is past its
#   first compilations (set 0 to measure a cold agent)
#
# RATE 0 means unpaced: as fast as one generator process can fork. For each rate, storm.pl starts
# `/bin/true vigil-storm-<run>-<rate>-<i>` for SECONDS in 10 ms batches and reports how many it
# started; the achieved rate is started / elapsed, which on a loaded machine is below the target.
# Then the script waits until the store stops growing (at most 60 s) and counts, with the testkit's
# ExecCensus, the exec events whose argv is exactly [/bin/true, <that argument>] and not truncated.
# Columns: achieved rate, processes started, events with full argv (completeness), agent CPU in %
# of one core during the storm (utime+stime deltas of /proc/<agent>/stat over CLK_TCK), agent CPU
# per exec over storm and settling (less sensitive to other load), peak VmRSS and RssAnon sampled
# every 0.5 s. Run as root: otherwise the agent is degraded to /proc polling and the numbers are
# for that mode. The agent's audit rules use the key vigil-bench; leftovers are removed at exit.
set -euo pipefail
seconds="${1:-10}"
shift || true
rates=("${@:-500 1000 0}")
# shellcheck disable=SC2206
rates=(${rates[*]})
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
. bench/enrol.sh
[ -f agent/target/vigil-agent.jar ] && [ -f collector/target/vigil-collector.jar ] \
  && [ -f testkit/target/classes/io/vigil/testkit/ExecCensus.class ] \
  || mvn -B -q -DskipTests package -pl agent,collector,testkit -am
[ "$(id -u)" = 0 ] || echo "warning: not root: the process sensor runs degraded (/proc polling)" >&2

work="$(mktemp -d /tmp/vigil-bench-storm.XXXXXX)"
collector_pid=""
agent=""
cleanup() {
  [ -n "$agent" ] && kill "$agent" 2>/dev/null && wait "$agent" 2>/dev/null || true
  [ -n "$collector_pid" ] && kill "$collector_pid" 2>/dev/null && wait "$collector_pid" 2>/dev/null || true
  if command -v auditctl >/dev/null && [ "$(id -u)" = 0 ] && auditctl -l | grep -q 'key=vigil-bench'; then
    echo "removing audit rules the agent left: $(auditctl -l | grep -c 'key=vigil-bench')" >&2
    auditctl -D -k vigil-bench >/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
port=$((20000 + RANDOM % 20000))
run="$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')"

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
sensors:
  synthetic:
    enabled: false
  process:
    enabled: true
    audit: auto
    audit_key: vigil-bench
    audit_backlog_limit: 8192
    max_argv_bytes: 32KiB
  network:
    enabled: true
YAML

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
census() { # PREFIX N -> "complete=.. duplicates=.. incomplete=.. stored_execs=.."
  java -cp "testkit/target/classes:collector/target/vigil-collector.jar" \
    io.vigil.testkit.ExecCensus "$work/collector/vigil.db" "$1" "$2"
}
field() { sed -n "s/^\(.* \)\{0,1\}$1=\([0-9]*\).*/\2/p" <<<"$2"; }

echo "== machine"
echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "memory: $(free -h | awk '/Mem:/ { print $2 }'), kernel $(uname -r), $(java -version 2>&1 | head -1)"
echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== exec storm: ${seconds} s per rate, rates ${rates[*]} (0 = unpaced), run $run"

installers/bin/vigil-collector run --config "$work/collector.yaml" >"$work/collector.log" 2>&1 &
collector_pid=$!
for _ in $(seq 1 120); do grep -q listening "$work/collector.log" && break; sleep 0.5; done
bench_enrol "$work" "$port"
installers/bin/vigil-agent run --config "$work/agent.yaml" >"$work/agent.log" 2>&1 &
agent=$!
sleep 8 # JVM start, audit registration, /proc seeding
kill -0 "$agent" 2>/dev/null || { echo "agent died:"; tail -20 "$work/agent.log"; exit 1; }
hz=$(getconf CLK_TCK)
# Warm-up, not measured: the JIT compiles the sensor's paths during the first storms (C2 alone
# costs ~100 us per exec then), and a long-running agent on a busy server is past that.
warmup="${WARMUP_SECONDS:-20}"
if [ "$warmup" -gt 0 ]; then
  echo "warm-up: ${warmup} s at 1000/s (not measured): $(perl "$here/storm.pl" 1000 "$warmup" "vigil-warmup-$run-")"
  sleep 3
fi

rows=()
for rate in "${rates[@]}"; do
  prefix="vigil-storm-$run-$rate-"
  peak_rss=0; peak_anon=0
  t0=$(ticks "$agent")
  perl "$here/storm.pl" "$rate" "$seconds" "$prefix" >"$work/storm.out" &
  gen=$!
  while kill -0 "$gen" 2>/dev/null; do
    rss=$(status_kb "$agent" VmRSS); anon=$(status_kb "$agent" RssAnon)
    [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
    [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
    sleep 0.5
  done
  wait "$gen"
  t1=$(ticks "$agent")
  read -r started elapsed <"$work/storm.out"
  # Settle: until every process is stored or the count stops growing for 3 polls (max 60 s).
  last=-1; still=0; complete=0; c=""
  for _ in $(seq 1 30); do
    sleep 2
    kill -0 "$agent" 2>/dev/null || { echo "agent died:"; tail -20 "$work/agent.log"; exit 1; }
    rss=$(status_kb "$agent" VmRSS); anon=$(status_kb "$agent" RssAnon)
    [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
    [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
    c=$(census "$prefix" "$started")
    complete=$(field complete "$c")
    [ "$complete" -ge "$started" ] && break
    if [ "$complete" -eq "$last" ]; then still=$((still + 1)); [ "$still" -ge 3 ] && break; else still=0; fi
    last=$complete
  done
  t2=$(ticks "$agent")
  echo "rate ${rate}: started $started in ${elapsed} s; census: $c"
  rows+=("$(awk -v r="$rate" -v s="$started" -v e="$elapsed" -v c="$complete" -v t0="$t0" \
    -v t1="$t1" -v t2="$t2" -v hz="$hz" -v rss="$peak_rss" -v anon="$peak_anon" 'BEGIN {
      printf "| %s | %.0f | %d | %d | %.1f %% | %.0f %% | %.0f | %d | %d |",
        (r == 0 ? "unpaced" : r), s / e, s, c, (s ? 100 * c / s : 0),
        100 * (t1 - t0) / hz / e, (s ? (t2 - t0) / hz * 1e6 / s : 0), rss / 1024, anon / 1024 }')")
done

echo
echo "| target exec/s | achieved exec/s | started | stored with full argv | completeness | agent CPU (one core, during storm) | agent CPU per exec (us) | peak RSS (MiB) | peak RssAnon (MiB) |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Gap events stored (events the agent knows it lost): $(field gaps "$(census x 0)")"
