#!/usr/bin/env bash
# Basalt's training throughput beside PyTorch's on the same models, same threads, in one run. For every round and
# workload, one Basalt run (./basalt train) then one PyTorch run (tools/pytorch/bench_training.py), so both meet the
# same machine load; prints per-round figures and a Markdown table of medians over rounds with the ratio.
#
#   char    nanoGPT's Shakespeare-char GPT: 4 layers, 4 heads, width 128, context 64, batch 12, vocab 65 (0.80M)
#   gpt10m  6 layers, 6 heads, width 384, context 256, batch 8, vocab 65 (10.7M parameters)
#
# Both sides train nanoGPT's GPT (no biases, tied output, AdamW betas 0.9/0.99, weight decay 0.1, clipping 1.0) on
# random windows of tinyshakespeare.txt, character-level. Basalt's tokens/s is the median of its logged windows
# (--log-interval steps each) after the warm-up steps; PyTorch's the median of its timed windows (see its docstring).
# GELU: Basalt's GPT-2 uses the tanh form (as GPT-2 and llama.cpp do), so PyTorch runs with --gelu tanh too.
#
# PyTorch's BLAS: Debian's OpenBLAS 0.3.21 does not recognise recent Xeons (Sapphire Rapids) and falls back to its
# SSE3 "Prescott" kernels, 2-3x slower; on a CPU with AVX-512 the script therefore sets OPENBLAS_CORETYPE=SkylakeX
# for PyTorch (PEER_CORETYPE overrides it; PEER_CORETYPE=auto leaves OpenBLAS to choose). The kernel used is printed.
#
# Usage: [ROUNDS=3] [THREADS=2] [PEER_CORETYPE=SkylakeX|Haswell|auto] tools/bench/training_side_by_side.sh [CORPUS]
#   CORPUS defaults to ../shared/data/corpus/tinyshakespeare.txt. Needs Debian's python3-torch and
#   libopenblas0-openmp (see tools/pytorch/README.md) and a JDK 25 (./basalt builds itself).
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=${1:-../shared/data/corpus/tinyshakespeare.txt}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
[[ -f $CORPUS ]] || { echo "training_side_by_side.sh: no corpus at $CORPUS" >&2; exit 1; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "training_side_by_side.sh: /usr/bin/python3 has no torch (apt-get install python3-torch libopenblas0-openmp)" >&2; exit 1; }
if [[ -z ${PEER_CORETYPE:-} ]]; then
  if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then PEER_CORETYPE=SkylakeX; else PEER_CORETYPE=auto; fi
fi
[[ $PEER_CORETYPE == auto ]] && PEER_CORETYPE=
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
./basalt tokenizer train --type char --out "$WORK/char.json" "$CORPUS" >/dev/null 2>&1
./basalt data prepare --tokenizer "$WORK/char.json" --split contiguous --val-fraction 0.1 --out "$WORK/data" "$CORPUS" >/dev/null 2>&1

# workload -> "basalt flags|warm-up steps|timed steps|log interval"
declare -A W=(
  [char]="--layers 4 --heads 4 --dim 128 --context 64 --batch 12|100|300|10"
  [gpt10m]="--layers 6 --heads 6 --dim 384 --context 256 --batch 8|10|30|5"
)
basalt_rate() {  # basalt_rate WORKLOAD: median tokens/s of the logged windows after warm-up
  IFS='|' read -r flags warm timed every <<<"${W[$1]}"
  rm -rf "$WORK/out"
  # shellcheck disable=SC2086
  ./basalt train --data "$WORK/data" --tokenizer "$WORK/char.json" --arch gpt2 --bias false --decay-embeddings true \
    $flags --steps $((warm + timed)) --lr 1e-3 --beta2 0.99 --warmup 10 --eval-interval 100000 --eval-batches 1 \
    --log-interval "$every" --threads "$THREADS" --out "$WORK/out" >/dev/null 2>&1
  /usr/bin/python3 - "$WORK/out/metrics.jsonl" "$warm" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(round(statistics.median(r["tokens_per_second"] for r in rows if r["step"] > int(sys.argv[2])), 1))
PY
}
torch_rate() {  # torch_rate WORKLOAD: PyTorch's median tokens/s
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ${PEER_CORETYPE:+OPENBLAS_CORETYPE=$PEER_CORETYPE} \
    /usr/bin/python3 tools/pytorch/bench_training.py --data "$CORPUS" \
    --only "$1" --threads "$THREADS" --gelu tanh --windows 3 > "$WORK/torch.txt"
  grep -m1 'openblas kernel' "$WORK/torch.txt" > "$WORK/kernel.txt" || true
  tail -1 "$WORK/torch.txt" |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["median_tokens_per_s"])'
}
: > "$WORK/rows"
for round in $(seq "$ROUNDS"); do
  for w in char gpt10m; do
    b=$(basalt_rate "$w")
    t=$(torch_rate "$w")
    echo "round $round $w: basalt $b tokens/s, pytorch $t tokens/s" >&2
    echo "$w $b $t" >> "$WORK/rows"
  done
done
echo "PyTorch: $(cat "$WORK/kernel.txt")"
/usr/bin/python3 - "$WORK/rows" "$THREADS" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    w, b, t = line.split()
    rows.setdefault(w, []).append((float(b), float(t)))
print(f"| workload | threads | Basalt tokens/s | PyTorch tokens/s | Basalt / PyTorch | rounds |")
print("|---|---|---|---|---|---|")
for w, r in rows.items():
    b = statistics.median(x for x, _ in r)
    t = statistics.median(y for _, y in r)
    ratios = sorted(round(x / y, 2) for x, y in r)
    print(f"| {w} | {sys.argv[2]} | {b:,.0f} | {t:,.0f} | {b / t:.2f}x (per round {ratios}) | {len(r)} |")
PY
