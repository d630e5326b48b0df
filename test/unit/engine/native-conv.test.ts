// The native AVX2 + FMA conv3d kernel (kernels/native/conv.c) against the WebAssembly kernel it ports, on
// sizes that reach every tile shape and tail, and with several thread counts (results must not depend
// on them). conv3d-impls.test.ts checks both against tfjs' Conv3D and finite differences.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convGeometry, type Triple } from '../../../src-main/core/kernels/conv-geometry';
import {
  EW,
  createNativeConvRuntime,
  nativeConvRuntime,
  nativeEw,
  nativeIsa,
  nativeKernelStatus,
  nativeUnavailableReason,
  setNativeAvx512,
} from '../../../src-main/core/kernels/native-conv';
import {
  convFilterGradItem,
  convForwardItem,
  convInputGradItem,
  convRuntime,
} from '../../../src-main/core/kernels/wasm-conv';
import { selectConvImpl } from '../../../src-main/core/nn/conv-select';
import { NATIVE_PREBUILD } from '../../../src-main/core/kernels/native/prebuild';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const cpuFlags = (() => {
  try {
    return new Set((/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').trim().split(/\s+/));
  } catch {
    return new Set<string>();
  }
})();
const shouldLoad =
  process.platform === 'linux' &&
  process.arch === 'x64' &&
  cpuFlags.has('avx2') &&
  cpuFlags.has('fma') &&
  process.env.CYCLEDECON_NATIVE !== '0';

function noise(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

function relL2(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

const CASES: { size: Triple; c: number; co: number; k: number; s: number; pad: 'same' | 'valid' }[] = [
  { size: [6, 7, 20], c: 16, co: 16, k: 3, s: 1, pad: 'same' },
  { size: [5, 6, 23], c: 32, co: 24, k: 3, s: 1, pad: 'same' },
  { size: [6, 6, 29], c: 8, co: 8, k: 3, s: 2, pad: 'same' },
  { size: [7, 9, 70], c: 1, co: 1, k: 5, s: 1, pad: 'same' },
  { size: [6, 6, 6], c: 16, co: 1, k: 1, s: 1, pad: 'valid' },
  { size: [6, 5, 9], c: 3, co: 5, k: 3, s: 1, pad: 'same' },
  { size: [8, 8, 8], c: 64, co: 32, k: 2, s: 2, pad: 'same' },
  // AVX-512 tiles: 12 (or 6) voxels × 32 channels, 12 (or 6) × 16, tails; filter gradient 12 × 32 / 12 × 16, 4, 1.
  { size: [4, 5, 27], c: 17, co: 48, k: 3, s: 1, pad: 'same' },
  { size: [5, 4, 25], c: 29, co: 16, k: 3, s: 2, pad: 'same' },
  { size: [4, 4, 20], c: 16, co: 32, k: 3, s: 1, pad: 'same' },
];

describe('native conv3d kernel', () => {
  it("loads wherever the CPU has AVX2 and FMA on linux-x64, and is then the cpu backend's conv3d", () => {
    expect(nativeConvRuntime() !== null, nativeUnavailableReason).toBe(shouldLoad);
    if (shouldLoad) expect(selectConvImpl('cpu')).toBe('native-avx2');
    expect(selectConvImpl('webgpu')).toBe('tfjs');
  });

  it.skipIf(!shouldLoad)("loads the committed file in place, from the checkout's prebuilds/", () => {
    expect(nativeKernelStatus()).toEqual({
      loaded: true,
      path: fileURLToPath(new URL('../../../prebuilds/linux-x64/conv.node', import.meta.url)),
      error: null,
    });
  });

  it('the manifest was written from the committed source and the committed addon (scripts/build-native.sh)', () => {
    const h = createHash('sha256');
    for (const f of ['conv.c', 'avx512.inc', 'ew.inc'])
      h.update(readFileSync(new URL(`../../../src-main/core/kernels/native/${f}`, import.meta.url)));
    expect(h.digest('hex')).toBe(NATIVE_PREBUILD.sourceSha256);
    const addon = readFileSync(
      new URL(`../../../prebuilds/${NATIVE_PREBUILD.platformArch}/${NATIVE_PREBUILD.file}`, import.meta.url),
    );
    expect(addon.length).toBe(NATIVE_PREBUILD.bytes);
    expect(createHash('sha256').update(addon).digest('hex')).toBe(NATIVE_PREBUILD.sha256);
  });

  for (const t of CASES) {
    it.skipIf(!shouldLoad)(
      `equals the WebAssembly kernel: ${t.size.join('×')}, ${t.c} → ${t.co}, ${t.k}³ stride ${t.s} ${t.pad}`,
      () => {
        const nat = createNativeConvRuntime(3)!,
          wasm = convRuntime()!;
        const g = convGeometry(t.size, [t.k, t.k, t.k], [t.s, t.s, t.s], t.pad);
        const x = noise(t.size[0] * t.size[1] * t.size[2] * t.c, 1);
        const w = noise(t.k ** 3 * t.c * t.co, 2);
        const dy = noise(g.outSize[0] * g.outSize[1] * g.outSize[2] * t.co, 3);
        // FMA rounds once where the WebAssembly kernel rounds twice: same order, last-bit differences.
        expect(relL2(convForwardItem(nat, x, w, g, t.c, t.co), convForwardItem(wasm, x, w, g, t.c, t.co))).toBeLessThan(
          1e-5,
        );
        expect(
          relL2(convFilterGradItem(nat, x, dy, g, t.c, t.co), convFilterGradItem(wasm, x, dy, g, t.c, t.co)),
        ).toBeLessThan(1e-5);
        expect(
          relL2(convInputGradItem(nat, dy, w, g, t.c, t.co), convInputGradItem(wasm, dy, w, g, t.c, t.co)),
        ).toBeLessThan(1e-5);
      },
    );
  }

  it.skipIf(!shouldLoad || !cpuFlags.has('avx512f'))(
    'AVX-512 tiles give bit-identical results to the AVX2 tiles (same sums per lane)',
    () => {
      const rt = createNativeConvRuntime(2)!;
      const g = convGeometry([5, 6, 26], [3, 3, 3], [1, 1, 1], 'same');
      const x = noise(5 * 6 * 26 * 24, 7),
        w = noise(27 * 24 * 48, 8),
        dy = noise(5 * 6 * 26 * 48, 9);
      const run = () => [
        convForwardItem(rt, x, w, g, 24, 48),
        convFilterGradItem(rt, x, dy, g, 24, 48),
        convInputGradItem(rt, dy, w, g, 24, 48),
      ];
      try {
        expect(setNativeAvx512(true)).toBe(true);
        const wide = run();
        expect(setNativeAvx512(false)).toBe(false);
        run().forEach((r, i) => expect(Buffer.from(r.buffer).equals(Buffer.from(wide[i]!.buffer))).toBe(true));
      } finally {
        setNativeAvx512(nativeIsa() === 'avx512');
      }
    },
  );

  it.skipIf(!shouldLoad)('gives bit-identical results on 1, 2 and 5 threads', () => {
    const g = convGeometry([9, 8, 13], [3, 3, 3], [2, 1, 2], 'same');
    const x = noise(9 * 8 * 13 * 16, 4),
      w = noise(27 * 16 * 32, 5);
    const dy = noise(g.outSize[0] * g.outSize[1] * g.outSize[2] * 32, 6);
    const run = (threads: number) => {
      const rt = createNativeConvRuntime(threads)!;
      return [
        convForwardItem(rt, x, w, g, 16, 32),
        convFilterGradItem(rt, x, dy, g, 16, 32),
        convInputGradItem(rt, dy, w, g, 16, 32),
      ];
    };
    const one = run(1);
    for (const n of [2, 5])
      run(n).forEach((r, i) => expect(Buffer.from(r.buffer).equals(Buffer.from(one[i]!.buffer))).toBe(true));
  });

  it.skipIf(!shouldLoad)(
    'instance norm and ReLU ops are bit-identical to the JavaScript arithmetic they replace (norm-cpu.ts)',
    () => {
      const ew = nativeEw()!;
      const c = 6,
        n = 1000,
        x = noise(n * c, 10),
        dy = noise(n * c, 11);
      // JavaScript reference: double sums in the same order.
      const mean = new Float64Array(c),
        vr = new Float64Array(c);
      for (let v = 0; v < n; v++) for (let k = 0; k < c; k++) mean[k]! += x[v * c + k]!;
      for (let k = 0; k < c; k++) mean[k]! /= n;
      for (let v = 0; v < n; v++)
        for (let k = 0; k < c; k++) {
          const d = x[v * c + k]! - mean[k]!;
          vr[k]! += d * d;
        }
      for (let k = 0; k < c; k++) vr[k]! /= n;
      const mv = new Float64Array(2 * c);
      ew(EW.stats, c, x, mv);
      expect(Array.from(mv)).toEqual([...mean, ...vr]);
      const inv = vr.map((v) => 1 / Math.sqrt(v + 1e-5));
      const y = new Float32Array(n * c),
        yRef = new Float32Array(n * c);
      for (let i = 0; i < n * c; i++) yRef[i] = (x[i]! - mean[i % c]!) * inv[i % c]!;
      ew(EW.apply, c, x, y, mean, inv);
      expect(Buffer.from(y.buffer).equals(Buffer.from(yRef.buffer))).toBe(true);
      const relu = new Float32Array(n * c);
      ew(EW.applyRelu, c, x, relu, mean, inv);
      expect(Array.from(relu)).toEqual(Array.from(yRef, (v) => Math.max(0, v)));
      const m1 = new Float64Array(c),
        m2 = new Float64Array(c),
        dxRef = new Float32Array(n * c),
        dx = new Float32Array(n * c);
      for (let v = 0; v < n; v++)
        for (let k = 0; k < c; k++) {
          m1[k]! += dy[v * c + k]!;
          m2[k]! += dy[v * c + k]! * yRef[v * c + k]!;
        }
      for (let k = 0; k < c; k++) {
        m1[k]! /= n;
        m2[k]! /= n;
      }
      for (let i = 0; i < n * c; i++) dxRef[i] = (dy[i]! - m1[i % c]! - yRef[i]! * m2[i % c]!) * inv[i % c]!;
      const scratch = new Float64Array(3 * c);
      scratch.set(inv);
      ew(EW.normBackward, c, dy, yRef, dx, scratch);
      expect(Buffer.from(dx.buffer).equals(Buffer.from(dxRef.buffer))).toBe(true);
      const r = new Float32Array(n * c),
        dr = new Float32Array(n * c);
      ew(
        EW.relu,
        1,
        x.map((v) => v - 0.5),
        r,
      );
      ew(EW.reluBackward, 1, dy, r, dr);
      expect(Array.from(dr)).toEqual(Array.from(dy, (g, i) => (r[i]! > 0 ? g : 0)));
      expect(() => ew(EW.stats, c, x.subarray(1), mv)).toThrow(/bad sizes/);
    },
  );
});
