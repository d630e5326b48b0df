#!/usr/bin/env bash
# The native addon and the WebAssembly modules are committed as base64 (*.generated.ts) so that installing
# CycleDecon never compiles anything. This rebuilds them from the committed C with Debian's gcc, clang-14 and
# lld-14 and fails when the result differs from what is committed (#29 item 4).
set -euo pipefail
cd "$(dirname "$0")/.."
files=(src-main/core/kernels/native/conv.generated.ts src-main/core/kernels/wasm/conv.generated.ts src-main/core/fft/wasm/kernel.generated.ts)
bash scripts/build-native.sh >/dev/null
bash scripts/build-wasm.sh >/dev/null
if ! git diff --quiet -- "${files[@]}"; then
  echo "check-generated: the embedded binaries differ from a rebuild of the committed C:"; git diff --stat -- "${files[@]}"
  git checkout -- "${files[@]}"; exit 1
fi
echo "check-generated: ${#files[@]} embedded binaries rebuild bit-identically"
