# Shared set-up for ./basalt and ./test: finds a JDK 25+ and Maven. Sourced, not run.

# Prints the feature version of the JDK at $1 (e.g. 25), or nothing if it is not a JDK.
basalt_jdk_version() {
  local home=$1 v
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$home/release" | head -n 1)
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9][0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "$v"
}

# Sets BASALT_JAVA_HOME to a JDK 25 or newer: $JAVA_HOME first, then the usual install folders.
basalt_find_jdk() {
  local c v java_on_path
  java_on_path=$(command -v java 2>/dev/null || true)
  [ -n "$java_on_path" ] && java_on_path=$(dirname "$(dirname "$(readlink -f "$java_on_path")")")
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/*-2[5-9]* /usr/lib/jvm/jdk-2[5-9]* \
      /usr/lib/jvm/* /opt/java/* /opt/jdk* /opt/*jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home "$java_on_path"; do
    [ -n "$c" ] && [ -d "$c" ] || continue
    v=$(basalt_jdk_version "$c")
    if [ -n "$v" ] && [ "$v" -ge 25 ] 2>/dev/null; then
      BASALT_JAVA_HOME=$c
      return 0
    fi
  done
  echo "basalt: no JDK 25 or newer found (looked at \$JAVA_HOME and /usr/lib/jvm, /opt, ~/.sdkman); install one, e.g. Temurin 25, and set JAVA_HOME" >&2
  return 1
}

# Sets BASALT_MVN to a Maven 3.8+ launcher.
basalt_find_maven() {
  BASALT_MVN=$(command -v mvn 2>/dev/null || true)
  if [ -z "$BASALT_MVN" ]; then
    echo "basalt: Maven not found on PATH; install it (Debian: apt-get install maven) and try again" >&2
    return 1
  fi
}
