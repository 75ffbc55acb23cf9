#!/bin/sh
# Vigil agent installer for hosts without the package repository. Shipped beside the .deb files.
#
#   install.sh --collector HOST:PORT --token-file FILE|- --ca-fingerprint FP|FILE [--package DEB]
#
# 1. installs the vigil-agent package (default: the newest vigil-agent_*.deb beside this script)
#    with apt-get when apt can resolve its dependencies, else with dpkg -i; skipped when that
#    exact version is installed already;
# 2. enrols the agent with the collector (vigil-agent enroll), unless it holds a certificate;
# 3. starts the service where systemd runs (leaves a running one alone), else says how to start.
# Running it again changes nothing and exits 0. Exit status: 0 done, 1 a step failed (the message
# says which), 2 bad arguments.
#
# --ca-fingerprint takes the collector CA's SHA-256 fingerprint (vigilctl token create prints it;
# colons and a "sha256:" prefix allowed) or a file holding it. --token-file - reads the token from
# stdin; never put a token on a command line.
set -eu

me=$(basename "$0")
here=$(cd "$(dirname "$0")" && pwd)
config=/etc/vigil/agent.yaml
state_dir=/var/lib/vigil/agent
unit=vigil-agent.service

usage() {
  cat >&2 <<EOF
usage: $me --collector HOST:PORT --token-file FILE|- --ca-fingerprint FINGERPRINT|FILE
          [--package vigil-agent_VERSION_ARCH.deb]
EOF
}

bad() {
  echo "$me: $*" >&2
  usage
  exit 2
}

fail() {
  echo "$me: $*" >&2
  exit 1
}

collector=
token_file=
fingerprint_arg=
package=
while [ $# -gt 0 ]; do
  case "$1" in
    --collector|--token-file|--ca-fingerprint|--package)
      [ $# -ge 2 ] || bad "$1 needs a value"
      case "$1" in
        --collector) collector=$2 ;;
        --token-file) token_file=$2 ;;
        --ca-fingerprint) fingerprint_arg=$2 ;;
        --package) package=$2 ;;
      esac
      shift 2
      ;;
    -h|--help)
      usage
      exit 0
      ;;
    *)
      bad "unknown argument: $1"
      ;;
  esac
done

[ -n "$collector" ] || bad "--collector HOST:PORT is required"
[ -n "$token_file" ] || bad "--token-file FILE is required (- reads the token from stdin)"
[ -n "$fingerprint_arg" ] || bad "--ca-fingerprint is required (vigilctl token create prints it)"
port=${collector##*:}
host=${collector%:*}
case "$port" in
  "" | *[!0-9]*) bad "--collector must be HOST:PORT (IPv6 as [ADDRESS]:PORT), got '$collector'" ;;
esac
[ -n "$host" ] && [ "$host" != "$collector" ] \
  || bad "--collector must be HOST:PORT (IPv6 as [ADDRESS]:PORT), got '$collector'"
if [ "$token_file" != "-" ] && [ ! -r "$token_file" ]; then
  bad "--token-file: cannot read '$token_file'"
fi

# The fingerprint itself, or the first non-empty line of a file holding it.
if [ -f "$fingerprint_arg" ]; then
  fingerprint=$(sed -n '/[^[:space:]]/{p;q;}' "$fingerprint_arg" | tr -d '[:space:]')
else
  fingerprint=$fingerprint_arg
fi
hex=$(printf '%s' "$fingerprint" | tr 'A-F' 'a-f' | sed -e 's/^sha256://' -e 's/://g')
case "$hex" in
  *[!0-9a-f]*) hex= ;;
esac
[ "${#hex}" -eq 64 ] \
  || bad "--ca-fingerprint: not a SHA-256 fingerprint (64 hex digits, colons allowed) nor a file holding one: '$fingerprint_arg'"

if [ -z "$package" ]; then
  # The newest by dpkg's version order among those beside this script.
  for candidate in "$here"/vigil-agent_*.deb; do
    [ -f "$candidate" ] || continue
    if [ -z "$package" ]; then
      package=$candidate
    else
      v_new=$(dpkg-deb -f "$candidate" Version)
      v_old=$(dpkg-deb -f "$package" Version)
      if dpkg --compare-versions "$v_new" gt "$v_old"; then
        package=$candidate
      fi
    fi
  done
  [ -n "$package" ] || bad "no vigil-agent_*.deb beside $me in $here; give --package FILE"
fi
[ -f "$package" ] || bad "--package: no such file: '$package'"
case "$package" in
  /*) ;;
  *) package=$(pwd)/$package ;;
esac

[ "$(id -u)" -eq 0 ] || fail "must run as root (it installs a package and a system service)"
command -v dpkg >/dev/null 2>&1 || fail "dpkg not found: this installer is for Debian and Ubuntu"

name=$(dpkg-deb -f "$package" Package) || fail "$package is not a Debian package"
[ "$name" = "vigil-agent" ] || fail "$package is package '$name', not vigil-agent"
version=$(dpkg-deb -f "$package" Version)

# 1. The package.
installed=$(dpkg-query -W -f='${Version} ${db:Status-Abbrev}' vigil-agent 2>/dev/null || true)
if [ "$installed" = "$version ii " ]; then
  echo "$me: vigil-agent $version is installed already"
else
  # Keep the admin's edited conffiles on upgrade, without asking.
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --simulate "$package" >/dev/null 2>&1; then
    echo "$me: installing vigil-agent $version with apt-get (it fetches missing dependencies)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$package" \
      || fail "apt-get could not install $package (see above)"
  else
    echo "$me: apt cannot resolve the dependencies from its package lists (no repository or" \
      "no apt-get update?): installing vigil-agent $version with dpkg -i"
    if ! DEBIAN_FRONTEND=noninteractive dpkg --force-confdef --force-confold -i "$package"; then
      missing=
      for group in $(dpkg-deb -f "$package" Depends | sed -e 's/([^)]*)//g' -e 's/ //g' -e 's/,/ /g'); do
        ok=
        for alternative in $(printf '%s' "$group" | tr '|' ' '); do
          status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$alternative" 2>/dev/null || true)
          if [ "$status" = "ii " ]; then
            ok=yes
          fi
        done
        [ -n "$ok" ] || missing="$missing $group"
      done
      if [ -n "$missing" ]; then
        fail "dpkg could not configure vigil-agent; missing dependencies:$missing (install them" \
          "from your distribution, e.g. apt-get install -f, then run $me again)"
      fi
      fail "dpkg -i $package failed (see above)"
    fi
  fi
fi

# 2. Enrolment: once per host; an enrolled agent keeps its identity and certificate.
if [ -f "$state_dir/pki/agent.pem" ]; then
  echo "$me: the agent is enrolled already ($state_dir/pki/agent.pem); not enrolling again" \
    "(vigil-agent enroll --force does)"
else
  echo "$me: enrolling with the collector at $collector"
  rc=0
  /usr/bin/vigil-agent enroll --collector "$collector" --token-file "$token_file" \
    --ca-fingerprint "$hex" --config "$config" || rc=$?
  [ "$rc" -eq 0 ] || fail "enrolment failed (exit status $rc, see above); the package stays" \
    "installed: fix the cause and run $me again (with a new token if the collector refused this one)"
fi

# 3. The service.
if [ -d /run/systemd/system ]; then
  if ! systemctl --quiet is-enabled "$unit" 2>/dev/null; then
    systemctl enable "$unit"
  fi
  if systemctl --quiet is-active "$unit"; then
    echo "$me: $unit is running"
  else
    deb-systemd-invoke start "$unit" || fail "$unit did not start: journalctl -u $unit"
    echo "$me: started $unit"
  fi
else
  echo "$me: systemd is not running on this host, so the service was not started. Start the" \
    "agent with your init system, or in the foreground:" \
    "/usr/lib/vigil/agent/bin/vigil-agent run --config $config"
fi
echo "$me: done"
