# Sourced by the Vigil launchers: finds Java and sets the JVM flags Vigil needs.
# Chronicle Queue (the agent's spool) needs these module openings on Java 17+, and must never
# phone home: chronicle.analytics.disable is set here and again in code before Chronicle loads.

# Prints the value KEY has in FILE, read the way systemd reads an EnvironmentFile= (not as shell:
# nothing is run or expanded): KEY=VALUE lines, blank lines and lines starting with # or ; skipped,
# whitespace around the key and the value dropped, a value in '...' taken verbatim, one in "..."
# or unquoted with each backslash escape replaced by the character it escapes; the last assignment
# wins. Not followed: values continued over several lines (trailing backslash, open quote) and the
# C escapes (\n, \t...) of "..." values, none of which a JAVA_HOME needs. Status 1 when KEY is not
# assigned or FILE cannot be read.
vigil_env_file_value() {
  local file="$1" key="$2" line k v found=1 value=
  [ -r "$file" ] || return 1
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    case "$line" in
      "" | "#"* | ";"*) continue ;;
      *=*) ;;
      *) continue ;;
    esac
    k="${line%%=*}"
    k="${k%"${k##*[![:space:]]}"}"
    [ "$k" = "$key" ] || continue
    v="${line#*=}"
    v="${v#"${v%%[![:space:]]*}"}"
    v="${v%"${v##*[![:space:]]}"}"
    if [ "${#v}" -ge 2 ] && [ "${v:0:1}" = "'" ] && [ "${v: -1}" = "'" ]; then
      v="${v:1:${#v}-2}"
    else
      if [ "${#v}" -ge 2 ] && [ "${v:0:1}" = '"' ] && [ "${v: -1}" = '"' ]; then
        v="${v:1:${#v}-2}"
      fi
      v="$(printf '%s' "$v" | sed 's/\\\(.\)/\1/g')"
    fi
    value="$v"
    found=0
  done <"$file"
  [ "$found" -eq 0 ] && printf '%s\n' "$value"
}

# Commands run outside the service (vigilctl, vigil-agent enroll and release-host) use the Java
# the service uses: without JAVA_HOME of its own, a launcher of an installed package takes the
# JAVA_HOME of /etc/default/vigil-<package>, the unit's EnvironmentFile. Only JAVA_HOME is read
# from there. The launchers themselves apply their *_JAVA_OPTS from the environment to every
# subcommand, so whoever runs a short command with the service's environment leaves those out (the
# agent's prerm unsets VIGIL_AGENT_JAVA_OPTS before release-host). A source checkout never reads
# /etc/default (the packaged service's settings are no business of a build there).
if [ -z "${JAVA_HOME:-}" ]; then
  case "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)" in
    /usr/lib/vigil/agent/bin) vigil_package=vigil-agent ;;
    /usr/lib/vigil/collector/bin) vigil_package=vigil-collector ;;
    *) vigil_package= ;;
  esac
  if [ -n "$vigil_package" ] \
      && vigil_default_java_home="$(vigil_env_file_value "/etc/default/$vigil_package" JAVA_HOME)" \
      && [ -n "$vigil_default_java_home" ]; then
    export JAVA_HOME="$vigil_default_java_home"
    vigil_java_home_from=" (JAVA_HOME=$JAVA_HOME from /etc/default/$vigil_package)"
  fi
fi

VIGIL_JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if ! command -v "$VIGIL_JAVA" >/dev/null 2>&1; then
  echo "vigil: no java found${vigil_java_home_from:-} (set JAVA_HOME or install a Java 17+ runtime)" >&2
  exit 2
fi

VIGIL_JVM_FLAGS=(
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  -Dchronicle.analytics.disable=true
  -Dchronicle.announcer.disable=true
)
# Java 22+ warns about native access (JNA, Netty) and sun.misc.Unsafe unless allowed. The version
# comes from the runtime's `release` file when it has one: starting a JVM only to ask costs 0.13 s
# on every command (offline mode, vigilctl).
vigil_java_release="$(dirname "$(dirname "$(readlink -f "$(command -v "$VIGIL_JAVA")")")")/release"
vigil_java_major=$(sed -n 's/^JAVA_VERSION="\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' \
  "$vigil_java_release" 2>/dev/null)
if [ -z "$vigil_java_major" ]; then
  vigil_java_major=$("$VIGIL_JAVA" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
fi
if [ "${vigil_java_major:-17}" -ge 22 ]; then
  VIGIL_JVM_FLAGS+=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
fi

# The jar: beside the launcher in a package (/usr/lib/vigil/<package>/bin/../lib/NAME.jar), under
# VIGIL_HOME/lib, or built in a source checkout.
vigil_find_jar() {
  local name="$1" here
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  for candidate in "$here/../lib/$name.jar" ${VIGIL_HOME:+"$VIGIL_HOME/lib/$name.jar"} \
                   "$here/../../${name#vigil-}/target/$name.jar"; do
    if [ -f "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  echo "vigil: $name.jar not found (build it with: mvn -B -q -DskipTests package)" >&2
  return 1
}
