#!/usr/bin/env bash
# Prefill time of one prompt with a git revision's basalt-tensor classes (A) and the working tree's (B), alternating
# JVMs for ROUNDS rounds (the machine's speed swings over seconds; compare the rounds pairwise):
#   tools/bench/prefill_ab.sh REV MODEL.gguf [TOKENS=25] [THREADS=2] [ROUNDS=2]
# Needs basalt-bench/target/benchmarks.jar (mvn -pl basalt-bench package) for the rest of Basalt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
java_home="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
rev="$1" model="$2" tokens="${3:-25}" threads="${4:-2}" rounds="${5:-2}"
jar="$root/basalt-bench/target/benchmarks.jar"
[ -f "$jar" ] || { echo "prefill_ab: $jar is missing (mvn -pl basalt-bench package)" >&2; exit 1; }
source "$root/tools/bench/tensor-ab.sh"
"${javac[@]}" -cp "$jar" -d "$work/case" "$root/tools/bench/prefill-ab/PrefillTime.java" 2>/dev/null
for r in $(seq "$rounds"); do
    for side in a b; do
        printf '%s ' "$([ "$side" = a ] && echo "A ($rev)" || echo "B (tree)")"
        "$java_home/bin/java" --add-modules jdk.incubator.vector -XX:+UseParallelGC -cp "$work/$side:$jar:$work/case" \
            PrefillTime "$model" "$tokens" "$threads" 2>&1 | grep -v '^WARNING'
    done
done
