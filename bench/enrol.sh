# Sourced by the benchmark scripts (run from the repository root): enrols a benchmark's agent with
# its collector the way an operator does, since the collector takes agent streams only with a
# client certificate it issued: a one-use token from vigilctl (which finds the collector's
# bootstrap admin token), the CA fingerprint it prints, then vigil-agent enroll.
#
# bench_enrol WORK PORT: WORK holds collector.yaml and agent.yaml; the collector listens for agents
# on 127.0.0.1:PORT. Skipped when the agent already holds a certificate.
bench_enrol() {
  local work="$1" port="$2" out fp i
  [ -f "$work/agent/pki/agent.pem" ] && return
  for i in $(seq 1 40); do # the operator API starts a moment after the agent port
    rm -f "$work/enrol.token"
    out="$(installers/bin/vigilctl --config "$work/collector.yaml" token create --uses 1 \
      --ttl 10m --note bench --output "$work/enrol.token" 2>&1)" && break
    [ "$i" -eq 40 ] && { echo "cannot create an enrolment token:"; echo "$out"; exit 1; }
    sleep 0.5
  done
  fp="$(printf '%s\n' "$out" | sed -n 's/^ca_fingerprint: *//p' | tail -1)"
  installers/bin/vigil-agent enroll --collector "127.0.0.1:$port" --token-file "$work/enrol.token" \
    --ca-fingerprint "$fp" --config "$work/agent.yaml" >>"$work/enrol.log" 2>&1 \
    || { echo "enrolment failed:"; tail -5 "$work/enrol.log"; exit 1; }
  rm -f "$work/enrol.token"
}
