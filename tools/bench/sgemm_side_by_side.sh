#!/bin/sh
# Basalt's GemmBenchmark and OpenBLAS (through NumPy) side by side on one machine: for every shape and
# thread count, one JMH trial then one NumPy trial, the whole list repeated ROUNDS times, so that both
# sides meet the same load. Prints a Markdown table: shape, threads, Basalt and OpenBLAS GFLOP/s (each the
# median over rounds of the median of a trial's timed iterations), and their ratio.
# Build first: mvn -q install -pl basalt-tensor,basalt-bench -am -DskipTests
#
#   [ROUNDS=3] [PEER_CORETYPE=SkylakeX] [PEER_WAIT_POLICY=PASSIVE] tools/bench/sgemm_side_by_side.sh [shape ...]
#
# Default shapes: every shape of GemmBenchmark. OpenBLAS picks its kernel from the CPU; PEER_CORETYPE forces
# one, for CPUs newer than the installed OpenBLAS knows (it then falls back to Prescott, SSE3). The
# environment's OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for the peer. PEER_WAIT_POLICY sets
# OMP_WAIT_POLICY: OpenMP's default spinning collapses when another process holds a core.
set -eu
cd "$(dirname "$0")/../.."
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
PY=/usr/bin/python3
SHAPES=${*:-$($PY -c 'import sys; sys.path.insert(0, "tools/bench"); import sgemm_openblas as s; print(" ".join(s.SHAPES))')}
OUT=$(mktemp -d)
peer() {  # peer THREADS ARGS...: the NumPy/OpenBLAS timer on THREADS threads
  t=$1
  shift
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ${PEER_CORETYPE:+OPENBLAS_CORETYPE=$PEER_CORETYPE} \
      ${PEER_WAIT_POLICY:+OMP_WAIT_POLICY=$PEER_WAIT_POLICY} \
      OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$t" $PY tools/bench/sgemm_openblas.py "$@"
}
peer 1 --batches 1 --seconds 0.01 NN:8x8x8 | grep '^blas:'
for round in $(seq "${ROUNDS:-3}"); do
  for shape in $SHAPES; do
    for t in 1 2; do
      json="$OUT/trial.json"
      "$JAVA" -Djmh.ignoreLock=true -jar basalt-bench/target/benchmarks.jar GemmBenchmark \
          -p shape="$shape" -p threads="$t" -i 3 -rf json -rff "$json" > "$OUT/jmh.log" 2>&1
      peer "$t" --batches 3 --seconds 1 --jmh "$json" "$shape" | grep '^|' >> "$OUT/rows"
    done
  done
done
$PY - "$OUT/rows" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    shape, threads, basalt, peer, _ = (x.strip() for x in line.strip().strip("|").split("|"))
    rows.setdefault((shape, threads), []).append((float(basalt), float(peer)))
print("| shape | threads | Basalt GFLOP/s | OpenBLAS GFLOP/s | ratio | rounds |")
print("|---|---|---|---|---|---|")
for (shape, threads), trials in rows.items():
    b = statistics.median(t[0] for t in trials)
    p = statistics.median(t[1] for t in trials)
    print(f"| {shape} | {threads} | {b:.1f} | {p:.1f} | {b / p:.2f} | {len(trials)} |")
PY
rm -rf "$OUT"
