#!/usr/bin/env bash
# The committed binaries are rebuilt from the committed C and compared (#29 item 4): the native addon
# (prebuilds/linux-x64/conv.node and its manifest, with Debian's gcc, compared with cmp) and the WebAssembly
# modules, committed as base64 (*.generated.ts, with clang-14 and lld-14). Fails on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-native.sh --check || { echo "check-generated: the native addon differs from a rebuild of the committed C"; exit 1; }
files=(src-main/core/kernels/wasm/conv.generated.ts src-main/core/fft/wasm/kernel.generated.ts)
bash scripts/build-wasm.sh >/dev/null
if ! git diff --quiet -- "${files[@]}"; then
  echo "check-generated: the embedded binaries differ from a rebuild of the committed C:"; git diff --stat -- "${files[@]}"
  git checkout -- "${files[@]}"; exit 1
fi
echo "check-generated: the native addon and ${#files[@]} WebAssembly modules rebuild bit-identically"
