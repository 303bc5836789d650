#!/usr/bin/env bash
# In-JVM A/B of basalt-tensor's one-input product (decode's matmul) between a git revision and the working tree:
#   tools/bench/kernel_ab.sh REV TYPE [ROWS] [THREADS] [PASSES]
# e.g. tools/bench/kernel_ab.sh HEAD~1 Q6_K 256 1 100     (256 rows: in cache, one thread)
#      tools/bench/kernel_ab.sh HEAD~1 Q6_K 65536 2 2     (65,536 rows: from memory, two threads)
# COUNT=8 before the command measures matmulEach with eight inputs (batched decode) instead of one. Run an A/A
# (REV = HEAD on a clean tree) first: on the Zen 5 VM of session 11, A/A runs read 0.80-1.17 (one input too; Q8_0 in cache 1.00)
# (DEVELOPERS.md); on the earlier Sapphire Rapids VM they read 1.00 +- 0.03. Always run an A/A first.
# A = REV's classes, B = the working tree's; prints medians and the median paired ratio B/A (an A/A run reads 1.00).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
java_home="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
rev="$1" type="$2" rows="${3:-256}" threads="${4:-1}" passes="${5:-100}"
source "$root/tools/bench/tensor-ab.sh"
"${javac[@]}" -cp "$work/b" -d "$work/case" "$root/tools/bench/kernel-ab/KernelCase.java" 2>/dev/null
"${javac[@]}" -d "$work" "$root/tools/bench/kernel-ab/KernelAb.java" 2>/dev/null
"$java_home/bin/java" -Dab.count="${COUNT:-1}" --add-modules jdk.incubator.vector -cp "$work" KernelAb "$type" "$rows" "$threads" "$passes" \
    "$work/a" "$work/b" "$work/case" 2>&1 | grep -v '^WARNING'
