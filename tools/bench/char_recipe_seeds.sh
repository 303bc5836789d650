#!/usr/bin/env bash
# nanoGPT's CPU Shakespeare-char recipe over several seeds, Basalt beside PyTorch, to compare where the final
# validation loss lands as a distribution rather than one draw. One seed's figure moves by a few hundredths
# with the seed (the batches drawn) and with the evaluation's own sample of windows: the recipe estimates the
# loss from 20 random batches (EVAL_BATCHES=20), whose standard error alone is about 0.01.
#
# For every seed: one Basalt run (the README's recipe, or nanoGPT's exact model with BASALT_FLAGS="--bias false
# --decay-embeddings true") and one PyTorch run of tools/pytorch/nanogpt_char.py (nanoGPT's model and step).
# Prints each pair, then mean, standard deviation and standard error of the mean per side, and the difference.
#
# Usage: [SEEDS="1337 1 2 3 4 5"] [EVAL_BATCHES=20] [THREADS=2] [BASALT_FLAGS=...] [BASALT_JAR=path]
#        tools/bench/char_recipe_seeds.sh [CORPUS]
#   BASALT_JAR runs a fixed copy of the CLI jar instead of ./basalt (so that edits during a long sweep do not
#   trigger rebuilds). Needs Debian's python3-torch (see tools/pytorch/README.md) and a JDK 25.
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=${1:-../shared/data/corpus/tinyshakespeare.txt}
SEEDS=${SEEDS:-1337 1 2 3 4 5}
EVAL_BATCHES=${EVAL_BATCHES:-20}
THREADS=${THREADS:-2}
BASALT_FLAGS=${BASALT_FLAGS:-}
[[ -f $CORPUS ]] || { echo "char_recipe_seeds.sh: no corpus at $CORPUS" >&2; exit 1; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "char_recipe_seeds.sh: /usr/bin/python3 has no torch" >&2; exit 1; }
if [[ -n ${BASALT_JAR:-} ]]; then
  # shellcheck source=scripts/env.sh
  . scripts/env.sh
  basalt_find_jdk || exit 1
fi
basalt() {
  if [[ -n ${BASALT_JAR:-} ]]; then
    "$BASALT_JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xss8m -jar "$BASALT_JAR" "$@"
  else
    ./basalt "$@"
  fi
}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
basalt tokenizer train --type char --out "$WORK/char.json" "$CORPUS" >/dev/null 2>&1
basalt data prepare --tokenizer "$WORK/char.json" --split contiguous --val-fraction 0.1 --out "$WORK/data" "$CORPUS" >/dev/null 2>&1
: > "$WORK/rows"
for seed in $SEEDS; do
  rm -rf "$WORK/out"
  # shellcheck disable=SC2086
  basalt train --data "$WORK/data" --tokenizer "$WORK/char.json" --arch gpt2 --layers 4 --heads 4 --dim 128 \
    --context 64 --batch 12 --steps 2000 --lr 1e-3 --min-lr 1e-4 --warmup 100 --beta2 0.99 $BASALT_FLAGS \
    --eval-interval 2000 --eval-batches "$EVAL_BATCHES" --seed "$seed" --threads "$THREADS" --out "$WORK/out" >/dev/null 2>&1
  b=$(/usr/bin/python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1])][-1]["val_loss"])' "$WORK/out/metrics.jsonl")
  t=$(/usr/bin/python3 tools/pytorch/nanogpt_char.py "$CORPUS" --seed "$seed" --threads "$THREADS" \
    --eval-interval 2000 --eval-iters "$EVAL_BATCHES" | tail -1 |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["final_val_loss"])')
  echo "seed $seed: basalt $b, pytorch $t" >&2
  echo "$seed $b $t" >> "$WORK/rows"
done
/usr/bin/python3 - "$WORK/rows" "$EVAL_BATCHES" "$BASALT_FLAGS" <<'PY'
import math, statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
b = [float(r[1]) for r in rows]
t = [float(r[2]) for r in rows]
def stats(x):
    sd = statistics.stdev(x) if len(x) > 1 else float("nan")
    return statistics.mean(x), sd, sd / math.sqrt(len(x))
print(f"final validation loss over {len(rows)} seeds, {sys.argv[2]} evaluation batches, Basalt flags: '{sys.argv[3]}'")
print("| seed | Basalt | PyTorch |")
print("|---|---|---|")
for r in rows:
    print(f"| {r[0]} | {float(r[1]):.4f} | {float(r[2]):.4f} |")
for name, x in (("Basalt", b), ("PyTorch", t)):
    m, sd, se = stats(x)
    print(f"{name}: mean {m:.4f}, sd {sd:.4f}, standard error {se:.4f}")
d = [x - y for x, y in zip(b, t)]
m, sd, se = stats(d)
print(f"Basalt - PyTorch: mean {m:+.4f}, standard error {se:.4f} (paired by seed)")
PY
