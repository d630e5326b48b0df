#!/usr/bin/env bash
# Rebuilds the WebAssembly FFT kernel (src-main/core/fft/wasm/kernel.c) and embeds it as base64 in
# kernel.generated.ts. Needs Debian's clang-14 and lld-14 (apt install clang-14 lld-14); the
# generated file is committed, so building or running CycleDecon never needs a C compiler.
set -euo pipefail
cd "$(dirname "$0")/.."
src=src-main/core/fft/wasm/kernel.c
out=$(mktemp -d)/kernel.wasm
CLANG=${CLANG:-clang-14}
WASMLD=${WASMLD:-$(command -v wasm-ld-14 || command -v wasm-ld)}
# Shared, imported memory so several threads (worker_threads) can run the kernel on one workspace;
# each instance gets its own stack by setting the exported __stack_pointer.
"$CLANG" --target=wasm32 -O3 -msimd128 -matomics -mbulk-memory -mmutable-globals -nostdlib -fuse-ld="$WASMLD" \
  -Wl,--no-entry -Wl,--import-memory,--shared-memory,--max-memory=4294967296 -Wl,-z,stack-size=65536 \
  -Wl,--export=supported,--export=cfft4,--export=strided,--export=rfft_rows,--export=irfft_rows,--export=mul_spectrum \
  -Wl,--export=rl_ratio,--export=rl_update,--export=rfft_planes,--export=strided_planes,--export=irfft_planes \
  -Wl,--export=__heap_base,--export=__stack_pointer \
  -o "$out" "$src"
node scripts/embed-wasm.mjs "$out" "$src" src-main/core/fft/wasm/kernel.generated.ts
echo "wrote src-main/core/fft/wasm/kernel.generated.ts ($(stat -c %s "$out") bytes of wasm)"

# The conv3d kernel of the engine (src-main/core/kernels/wasm/conv.c), same toolchain and memory model.
csrc=src-main/core/kernels/wasm/conv.c
cout=$(dirname "$out")/conv.wasm
"$CLANG" --target=wasm32 -O3 -msimd128 -matomics -mbulk-memory -mmutable-globals -nostdlib -fuse-ld="$WASMLD" \
  -Wl,--no-entry -Wl,--import-memory,--shared-memory,--max-memory=4294967296 -Wl,-z,stack-size=65536 \
  -Wl,--export=conv_fwd,--export=conv_dw,--export=conv_dx,--export=pack_w,--export=__heap_base,--export=__stack_pointer \
  -o "$cout" "$csrc"
node scripts/embed-wasm.mjs "$cout" "$csrc" src-main/core/kernels/wasm/conv.generated.ts
echo "wrote src-main/core/kernels/wasm/conv.generated.ts ($(stat -c %s "$cout") bytes of wasm)"

