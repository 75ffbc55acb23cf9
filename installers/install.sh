#!/bin/sh
# Vigil agent installer for hosts without the package repository. Shipped beside the .deb files.
#
#   install.sh --collector HOST:PORT --token-file FILE|- --ca-fingerprint FP|FILE [--package DEB]
#
# 1. installs the vigil-agent package (default: the newest vigil-agent_*.deb beside this script)
#    with apt-get when apt can resolve its dependencies, else with dpkg -i; skipped when that
#    version or a newer one is installed already (it never downgrades);
# 2. enrols the agent with the collector (vigil-agent enroll), unless it holds a certificate;
# 3. starts the service with systemctl where systemd runs and checks that it stays active (leaves
#    a running one alone), else says how to start it.
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
defaults=/etc/default/vigil-agent
unit=vigil-agent.service
workdir=

cleanup() {
  if [ -n "$workdir" ]; then
    rm -rf "$workdir"
  fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

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

# The value KEY has in FILE read as systemd reads an EnvironmentFile= (KEY=VALUE lines, # and ;
# comments, '...' verbatim, "..." and unquoted values with backslash escapes; the last assignment
# wins; values continued over several lines are not followed). Empty when not assigned.
env_file_value() {
  [ -r "$1" ] || return 0
  v=$(sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" "$1" | tail -n 1 \
    | sed 's/[[:space:]]*$//')
  case "$v" in
    \'*\') v=${v#\'}; v=${v%\'} ;;
    \"*\") v=${v#\"}; v=${v%\"}; v=$(printf '%s' "$v" | sed 's/\\\(.\)/\1/g') ;;
    *) v=$(printf '%s' "$v" | sed 's/\\\(.\)/\1/g') ;;
  esac
  printf '%s' "$v"
}

# agent.state_dir as the service sees it: VIGIL_AGENT__AGENT__STATE_DIR from the unit's
# EnvironmentFile (the service does not see this script's environment), else agent.state_dir of
# the YAML config in block style (agent: then an indented state_dir:, quotes and a trailing
# comment allowed), else the built-in default. Not covered: flow style (agent: {state_dir: X}) and
# YAML escapes; enroll itself still refuses to enrol twice, which the caller recognises.
service_state_dir() {
  d=$(env_file_value "$defaults" VIGIL_AGENT__AGENT__STATE_DIR)
  if [ -z "$d" ] && [ -r "$config" ]; then
    d=$(awk '
      /^[^[:space:]#]/ { in_agent = ($0 ~ /^agent:[[:space:]]*(#.*)?$/); next }
      in_agent && /^[[:space:]]+state_dir:/ {
        v = $0
        sub(/^[[:space:]]+state_dir:[[:space:]]*/, "", v)
        if (v ~ /^"/) { sub(/^"/, "", v); sub(/".*$/, "", v) }
        else if (v ~ /^'\''/) { sub(/^'\''/, "", v); sub(/'\''.*$/, "", v) }
        else { sub(/[[:space:]]+#.*$/, "", v); sub(/[[:space:]]*$/, "", v) }
        d = v
      }
      END { printf "%s", d }' "$config")
  fi
  printf '%s' "${d:-/var/lib/vigil/agent}"
}

# Whether an installed package is NAME or provides it (dpkg-query -W never reports a virtual
# package such as java17-runtime-headless as installed; dpkg's dependency check counts providers).
installed_or_provided() {
  dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Provides}\n' 2>/dev/null | awk -v n="$1" '
    $1 == "ii" { for (i = 2; i <= NF; i++) { f = $i; sub(/,$/, "", f); if (f == n) found = 1 } }
    END { exit !found }'
}

# Whether the installed vigil-agent ($1: dpkg-query's "${Version} ${db:Status-Abbrev}", empty when
# none) stays as it is for the bundle's version $2 (file $3): when it is fully installed (ii) and
# that version or newer (upgraded since through apt, say). This script never downgrades (apt would
# refuse to, dpkg -i would do it silently): a newer one that is only unpacked or half-configured
# fails here too; the messages say how to go on.
keep_installed() {
  installed_version=${1%% *}
  [ -n "$installed_version" ] || return 1
  case "${1#* }" in
    "ii ") ;;
    ?[UFHWt]" ")
      if dpkg --compare-versions "$installed_version" gt "$2"; then
        fail "vigil-agent $installed_version (newer than $2) is installed but not configured" \
          "(dpkg status '${1#* }'); not downgrading: finish it with dpkg --configure -a or" \
          "apt-get install -f, then run $me again"
      fi
      return 1
      ;;
    *) return 1 ;;
  esac
  dpkg --compare-versions "$installed_version" ge "$2" || return 1
  if [ "$installed_version" = "$2" ]; then
    echo "$me: vigil-agent $2 is installed already"
  else
    echo "$me: vigil-agent $installed_version (newer than $2) is installed; not downgrading" \
      "(to downgrade on purpose: apt-get install --allow-downgrades $3)"
  fi
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

# The token from stdin is read now, into a file only root can read (removed on exit): apt-get and
# dpkg below would otherwise inherit stdin and could consume it, and a rerun after a failed step
# must not depend on what they left unread.
workdir=$(mktemp -d "${TMPDIR:-/tmp}/vigil-install.XXXXXX")
token_path=$token_file
if [ "$token_file" = "-" ]; then
  token_path=$workdir/token
  (umask 077 && head -c 65536 >"$token_path") || fail "could not read the token from stdin"
fi

# 1. The package.
installed=$(dpkg-query -W -f='${Version} ${db:Status-Abbrev}' vigil-agent 2>/dev/null || true)
if keep_installed "$installed" "$version" "$package"; then
  :
else
  # Keep the admin's edited conffiles on upgrade, without asking.
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --simulate "$package" \
      </dev/null >/dev/null 2>&1; then
    echo "$me: installing vigil-agent $version with apt-get (it fetches missing dependencies)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$package" \
      </dev/null || fail "apt-get could not install $package (see above)"
  else
    echo "$me: apt cannot resolve the dependencies from its package lists (no repository or" \
      "no apt-get update?): installing vigil-agent $version with dpkg -i"
    if ! DEBIAN_FRONTEND=noninteractive dpkg --force-confdef --force-confold -i "$package" \
        </dev/null; then
      # What dpkg's dependency check missed, named as packages apt-get can install.
      missing=
      for group in $(dpkg-deb -f "$package" Depends | sed -e 's/([^)]*)//g' -e 's/ //g' -e 's/,/ /g'); do
        ok=
        for alternative in $(printf '%s' "$group" | tr '|' ' '); do
          if installed_or_provided "$alternative"; then
            ok=yes
          fi
        done
        if [ -z "$ok" ]; then
          case "$group" in
            *java*)
              # A Java on the PATH that no package provides (a tarball JDK) does not count for
              # dpkg; the service can still use it through JAVA_HOME in /etc/default/vigil-agent.
              missing="$missing openjdk-17-jre-headless (or default-jre-headless, or any package"
              missing="$missing providing java17-runtime-headless)"
              ;;
            *) missing="$missing $(printf '%s' "$group" | sed 's/|/ or /g')" ;;
          esac
        fi
      done
      if [ -n "$missing" ]; then
        fail "dpkg could not configure vigil-agent; missing packages:$missing. Install them" \
          "(apt-get install -f installs them once apt has a repository), then run $me again"
      fi
      fail "dpkg -i $package failed (see above)"
    fi
  fi
fi

# 2. Enrolment: once per host; an enrolled agent keeps its identity and certificate. It goes where
# the service will look for it (service_state_dir): enroll gets the EnvironmentFile's state
# directory if that sets one, and never this script's own VIGIL_AGENT__AGENT__STATE_DIR.
state_dir=$(service_state_dir)
if [ -f "$state_dir/pki/agent.pem" ]; then
  echo "$me: the agent is enrolled already ($state_dir/pki/agent.pem); not enrolling again" \
    "(vigil-agent enroll --force does)"
else
  echo "$me: enrolling with the collector at $collector"
  set -- --collector "$collector" --token-file "$token_path" --ca-fingerprint "$hex" \
    --config "$config"
  if [ -n "$(env_file_value "$defaults" VIGIL_AGENT__AGENT__STATE_DIR)" ]; then
    set -- "$@" --set "agent.state_dir=$state_dir"
  fi
  rc=0
  (unset VIGIL_AGENT__AGENT__STATE_DIR && exec /usr/bin/vigil-agent enroll "$@") \
    2>"$workdir/enroll.err" </dev/null || rc=$?
  cat "$workdir/enroll.err" >&2
  if [ "$rc" -eq 2 ] && grep -q "is already enrolled" "$workdir/enroll.err"; then
    # The state directory is one this script could not read from the config (see
    # service_state_dir); the agent itself found its certificate.
    echo "$me: the agent is enrolled already; not enrolling again (vigil-agent enroll --force does)"
  elif [ "$rc" -ne 0 ]; then
    fail "enrolment failed (exit status $rc, see above); the package stays installed: fix the" \
      "cause and run $me again (with a new token if the collector refused this one)"
  fi
fi

# 3. The service. systemctl, not deb-systemd-invoke: that one obeys policy-rc.d and can return 0
# without starting anything; this script was asked to start the agent, and says whether it runs.
if [ -d /run/systemd/system ]; then
  if ! systemctl --quiet is-enabled "$unit" 2>/dev/null; then
    systemctl enable "$unit" || fail "$unit is masked or cannot be enabled (see above); if it is" \
      "masked: systemctl unmask $unit, then run $me again"
  fi
  if systemctl --quiet is-active "$unit"; then
    echo "$me: $unit is running"
  else
    systemctl start "$unit" || fail "$unit did not start: journalctl -u $unit"
    # Type=exec: start returns once the JVM runs; a configuration error ends it a moment later.
    sleep 3
    if ! systemctl --quiet is-active "$unit"; then
      fail "$unit did not stay running ($(systemctl is-active "$unit" 2>/dev/null || true)):" \
        "journalctl -u $unit"
    fi
    echo "$me: started $unit"
  fi
else
  echo "$me: systemd is not running on this host, so the service was not started. Start the" \
    "agent with your init system, or in the foreground:" \
    "/usr/lib/vigil/agent/bin/vigil-agent run --config $config"
fi
echo "$me: done"
