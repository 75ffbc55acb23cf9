# Sourced by the Vigil launchers: finds Java and sets the JVM flags Vigil needs.
# Chronicle Queue (the agent's spool) needs these module openings on Java 17+, and must never
# phone home: chronicle.analytics.disable is set here and again in code before Chronicle loads.

VIGIL_JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if ! command -v "$VIGIL_JAVA" >/dev/null 2>&1; then
  echo "vigil: no java found (set JAVA_HOME or install a Java 17+ runtime)" >&2
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
