import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { naiveDft3dHalf, rfft3d, halfSpectrumSize, type Shape3 } from '../../../src-main/core/fft/fft3d';
import { WasmFftWorkspace, wasmFftAvailable } from '../../../src-main/core/fft/wasm-fft';
import { KERNEL_SOURCE_SHA256 } from '../../../src-main/core/fft/wasm/kernel.generated';
import { createRlEngine } from '../../../src-main/core/deconv/rl-engine';
import { richardsonLucyArray } from '../../../src-main/core/deconv/rl';
import { mulberry32, repoRoot } from '../../helpers';
import { join } from 'node:path';
import { resetFlags } from '../../../src-main/core/flags';

function relL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0,
    m = 0;
  for (let i = 0; i < a.length; i++) {
    e += (a[i]! - b[i]!) ** 2;
    m += b[i]! ** 2;
  }
  return Math.sqrt(e / m);
}

/** Random volume that is zero outside z < sz, y < sy. */
function boxed(grid: Shape3, sz: number, sy: number, seed: number): Float32Array {
  const rnd = mulberry32(seed),
    v = new Float32Array(grid[0] * grid[1] * grid[2]);
  for (let z = 0; z < sz; z++)
    for (let y = 0; y < sy; y++) for (let x = 0; x < grid[2]; x++) v[(z * grid[1] + y) * grid[2] + x] = rnd();
  return v;
}

describe('WebAssembly SIMD FFT kernel', () => {
  it('is built from the committed kernel.c (rebuild with scripts/build-wasm.sh after editing it)', () => {
    const sha = createHash('sha256')
      .update(readFileSync(join(repoRoot, 'src-main/core/fft/wasm/kernel.c')))
      .digest('hex');
    expect(sha).toBe(KERNEL_SOURCE_SHA256);
    expect(wasmFftAvailable()).toBe(true); // Node 20 has WebAssembly SIMD
  });

  it('matches the naive 3D DFT on small grids with every radix (2, 3, 4, 5, 7, 11, 13, odd lengths, 1)', () => {
    for (const grid of [
      [2, 3, 4],
      [5, 7, 6],
      [1, 11, 13],
      [3, 1, 9],
      [4, 4, 1],
      [7, 5, 10],
    ] as Shape3[]) {
      const n = grid[0] * grid[1] * grid[2],
        hs = halfSpectrumSize(grid);
      const ws = new WasmFftWorkspace(grid, { a: n, re: hs, im: hs });
      ws.view('a').set(boxed(grid, grid[0], grid[1], n));
      const ref = naiveDft3dHalf(ws.view('a'), grid);
      ws.rfft3d('a', { re: 're', im: 'im' });
      const re = ws.view('re'),
        im = ws.view('im');
      const scale = Math.sqrt(n);
      for (let i = 0; i < hs; i++) {
        expect(Math.abs(re[i]! - ref.re[i]!) / scale, `${grid} re[${i}]`).toBeLessThan(2e-6);
        expect(Math.abs(im[i]! - ref.im[i]!) / scale, `${grid} im[${i}]`).toBeLessThan(2e-6);
      }
    }
  });

  it('agrees with the float64 JavaScript FFT on larger grids, honours the support box, and inverts', () => {
    for (const [grid, sz, sy] of [
      [[16, 30, 40], 12, 25],
      [[20, 36, 45], 20, 36],
      [[9, 14, 22], 5, 3],
    ] as [Shape3, number, number][]) {
      const n = grid[0] * grid[1] * grid[2],
        hs = halfSpectrumSize(grid);
      const ws = new WasmFftWorkspace(grid, { a: n, re: hs, im: hs, back: n });
      const a = boxed(grid, sz, sy, 3);
      ws.view('a').set(a);
      ws.view('re').fill(123); // stale data must be overwritten, not trusted
      ws.rfft3d('a', { re: 're', im: 'im' }, [sz, sy]);
      const ref = rfft3d(new Float64Array(a), grid);
      expect(relL2(ws.view('re'), ref.re)).toBeLessThan(1e-6);
      expect(relL2(ws.view('im'), ref.im)).toBeLessThan(1e-6);
      ws.irfft3d({ re: 're', im: 'im' }, 'back', [sz, sy]);
      const back = ws.view('back');
      let worst = 0;
      for (let z = 0; z < sz; z++)
        for (let y = 0; y < sy; y++)
          for (let x = 0; x < grid[2]; x++) {
            const i = (z * grid[1] + y) * grid[2] + x;
            worst = Math.max(worst, Math.abs(back[i]! - a[i]!));
          }
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('refuses lengths with a prime factor above 13, and the RL engine then falls back to JavaScript', () => {
    expect(wasmFftAvailable([8, 17, 8])).toBe(false);
    expect(() => new WasmFftWorkspace([8, 17, 8], { a: 1 })).toThrow(/cannot transform/);
    const psf = new Float32Array(27).fill(1 / 27);
    expect(createRlEngine(psf, [3, 3, 3], [8, 17, 8], new Float32Array(8 * 17 * 8), [8, 17, 8]).kind).toBe('js');
    expect(createRlEngine(psf, [3, 3, 3], [8, 18, 8], new Float32Array(8 * 18 * 8), [8, 18, 8]).kind).toBe('wasm-simd');
  });

  it('gives the same Richardson–Lucy result as the JavaScript FFT (CYCLEDECON_FFT=js)', async () => {
    const shape: [number, number, number] = [10, 24, 20],
      psfShape: [number, number, number] = [5, 7, 7];
    const rnd = mulberry32(11);
    const img = Float32Array.from({ length: 10 * 24 * 20 }, () => 0.1 + rnd());
    const psf = Float32Array.from({ length: 5 * 7 * 7 }, (_, i) => {
      const x = (i % 7) - 3,
        y = (Math.floor(i / 7) % 7) - 3,
        z = Math.floor(i / 49) - 2;
      return Math.exp(-(x * x) / 4 - (y * y) / 4 - (z * z) / 2);
    });
    const kinds: string[] = [];
    const fast = await richardsonLucyArray(img, shape, psf, psfShape, {
      iterations: 8,
      onEngine: (k) => {
        kinds.push(k);
      },
    });
    process.env.CYCLEDECON_FFT = 'js';
    resetFlags(); // flags are read once (core/flags.ts)
    try {
      const slow = await richardsonLucyArray(img, shape, psf, psfShape, {
        iterations: 8,
        onEngine: (k) => {
          kinds.push(k);
        },
      });
      expect(kinds).toEqual(['wasm-simd', 'js']);
      expect(relL2(fast, slow)).toBeLessThan(1e-5);
    } finally {
      delete process.env.CYCLEDECON_FFT;
      resetFlags();
    }
  });

  it('splits passes over helper threads with bit-identical results, and stops them on dispose', () => {
    const grid: Shape3 = [12, 40, 36],
      n = grid[0] * grid[1] * grid[2],
      hs = halfSpectrumSize(grid);
    const a = boxed(grid, 9, 30, 5);
    const run = (threads: number) => {
      const ws = new WasmFftWorkspace(grid, { a: n, re: hs, im: hs, h: hs, hi: hs, back: n }, { threads });
      try {
        ws.view('a').set(a);
        ws.rfft3d('a', { re: 'h', im: 'hi' });
        ws.rfft3d('a', { re: 're', im: 'im' }, [9, 30]);
        ws.multiply({ re: 're', im: 'im' }, { re: 'h', im: 'hi' }, true);
        ws.irfft3d({ re: 're', im: 'im' }, 'back', [9, 30]);
        return { threads: ws.threadCount, out: Float32Array.from(ws.view('back')) };
      } finally {
        ws.dispose();
      }
    };
    const one = run(1),
      three = run(3);
    expect([one.threads, three.threads]).toEqual([1, 3]);
    expect(Buffer.from(three.out.buffer).equals(Buffer.from(one.out.buffer))).toBe(true);
    // |H|² applied: the result is a real autocorrelation-filtered volume, non-trivial.
    expect(one.out.some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });

  it('runs Richardson–Lucy on helper threads (CYCLEDECON_THREADS) with the single-thread result', async () => {
    const shape: [number, number, number] = [64, 64, 64],
      psfShape: [number, number, number] = [5, 5, 5]; // grid 72³: above the threading threshold
    const rnd = mulberry32(4);
    const img = Float32Array.from({ length: 64 ** 3 }, () => 0.2 + rnd());
    const psf = new Float32Array(125).fill(1);
    const threads: number[] = [];
    const results: Float32Array[] = [];
    for (const t of ['1', '2']) {
      process.env.CYCLEDECON_THREADS = t;
      resetFlags();
      try {
        results.push(
          await richardsonLucyArray(img, shape, psf, psfShape, {
            iterations: 3,
            onEngine: (_k, n) => {
              threads.push(n);
            },
          }),
        );
      } finally {
        delete process.env.CYCLEDECON_THREADS;
        resetFlags();
      }
    }
    expect(threads).toEqual([1, 2]);
    expect(Buffer.from(results[1]!.buffer).equals(Buffer.from(results[0]!.buffer))).toBe(true);
  });
});
