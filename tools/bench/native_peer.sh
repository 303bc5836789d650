#!/usr/bin/env bash
# Native llama.cpp baseline (prebuilt CPU binaries via node-llama-cpp 3.22.1) for comparing
# against Basalt's `bench` command. See tools/bench/native-peer/bench.mjs for the method.
#
#   tools/bench/native_peer.sh --model PATH.gguf [-p 128] [-n 64] [-t 2] [-r 5] [-d 0] [--json]
#
# First run installs node-llama-cpp into tools/bench/native-peer/node_modules (git-ignored,
# ~85 MB: only the linux-x64 CPU binaries; CUDA/Vulkan/other-OS packages are omitted).
# Install progress goes to stderr so that --json output on stdout stays a single object.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$here/native-peer"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "native_peer: node and npm are required (node >= 20)" >&2
    exit 2
fi

if [ ! -d "$dir/node_modules/node-llama-cpp" ] || [ ! -d "$dir/node_modules/@node-llama-cpp/linux-x64" ]; then
    echo "native_peer: installing node-llama-cpp into $dir/node_modules ..." >&2
    flags=(--omit=optional --ignore-scripts --no-audit --no-fund)
    if ! (cd "$dir" && npm ci "${flags[@]}" >&2); then
        # Some registry mirrors lack the mac/win/riscv optional packages, which leaves the lock
        # without their entries and makes `npm ci` refuse it; `npm install --no-save` installs the
        # same locked versions without rewriting package.json or package-lock.json.
        echo "native_peer: npm ci failed; retrying with npm install --no-save" >&2
        (cd "$dir" && npm install --no-save "${flags[@]}" >&2)
    fi
fi

exec node "$dir/bench.mjs" "$@"
