#!/usr/bin/env bash
# Builds the native conv3d kernel (src-main/core/kernels/native/conv.c) as a Node-API addon for
# linux-x64 and embeds it as base64 in conv.generated.ts. Needs gcc and Node's headers
# (/usr/include/node, Debian's nodejs package); the generated file is committed, so installing or
# running CycleDecon never compiles anything. Node-API is ABI-stable across Node and Electron
# versions. The kernel functions are compiled for AVX2 + FMA; the addon checks the CPU at load.
set -euo pipefail
cd "$(dirname "$0")/.."
src=src-main/core/kernels/native/conv.c
out=$(mktemp -d)/conv.node
NODE_INCLUDE=${NODE_INCLUDE:-/usr/include/node}
# No reassociation and no implicit contraction: sums keep the WebAssembly kernel's order (its explicit FMAs
# round once), and the norm/ReLU ops are bit-identical to their JavaScript versions.
gcc -O3 -fPIC -shared -fvisibility=hidden -fno-math-errno -ffp-contract=off -Wall -Wextra -Werror -I"$NODE_INCLUDE" \
  -Wl,-z,noexecstack -Wl,--as-needed -s -o "$out" "$src" -lpthread
dir=$(dirname "$src")
node scripts/embed-wasm.mjs "$out" "$src,$dir/avx512.inc,$dir/ew.inc" src-main/core/kernels/native/conv.generated.ts KERNEL_NATIVE_BASE64 scripts/build-native.sh
echo "wrote src-main/core/kernels/native/conv.generated.ts ($(stat -c %s "$out") bytes, linux-x64)"
