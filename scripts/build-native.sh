#!/usr/bin/env bash
# Builds the native conv3d kernel (src-main/core/kernels/native/conv.c) as a Node-API addon for linux-x64 into
# prebuilds/linux-x64/conv.node (the prebuildify layout, loaded in place) and writes its manifest
# (src-main/core/kernels/native/prebuild.ts: size and SHA-256, checked before dlopen). Needs gcc and Node's
# headers (/usr/include/node, Debian's nodejs package); the addon is committed, so installing or running
# CycleDecon never compiles anything. Node-API is ABI-stable across Node and Electron versions. The kernel
# functions are compiled for AVX2 + FMA; the addon checks the CPU at load.
#   --check   rebuild into a temporary folder and fail unless the result equals the committed addon and
#             manifest byte for byte (cmp); changes nothing in the tree.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=src-main/core/kernels/native
src=$dir/conv.c
addon=prebuilds/linux-x64/conv.node
manifest=$dir/prebuild.ts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
NODE_INCLUDE=${NODE_INCLUDE:-/usr/include/node}
# No reassociation and no implicit contraction: sums keep the WebAssembly kernel's order (its explicit FMAs
# round once), and the norm/ReLU ops are bit-identical to their JavaScript versions.
gcc -O3 -fPIC -shared -fvisibility=hidden -fno-math-errno -ffp-contract=off -Wall -Wextra -Werror -I"$NODE_INCLUDE" \
  -Wl,-z,noexecstack -Wl,--as-needed -s -o "$tmp/conv.node" "$src" -lpthread
node scripts/native-manifest.mjs "$tmp/conv.node" "$src,$dir/avx512.inc,$dir/ew.inc" linux-x64 "$tmp/prebuild.ts"
if [ "${1:-}" = "--check" ]; then
  status=0
  cmp "$tmp/conv.node" "$addon" || { echo "build-native: $addon differs from a rebuild of the committed C"; status=1; }
  cmp "$tmp/prebuild.ts" "$manifest" || { echo "build-native: $manifest differs from the rebuilt addon's manifest"; status=1; }
  exit $status
fi
mkdir -p "$(dirname "$addon")"
cp "$tmp/conv.node" "$addon"
cp "$tmp/prebuild.ts" "$manifest"
echo "wrote $addon ($(stat -c %s "$addon") bytes, linux-x64) and $manifest"
