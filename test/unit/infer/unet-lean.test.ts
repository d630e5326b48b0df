// The lean U-Net inference engine (typed arrays + conv kernel runtime, unet-lean.ts) against the tfjs
// forward of the same network: untiled, with tile-own statistics, and tiled exactly through runExact
// (known statistics, stop at the next layer), on the native and the WebAssembly runtimes.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Shape3 } from '../../../src-main/core/io/volume';
import {
  buildUNet,
  disposeModule,
  unetSizeMultiple,
  unetTileHalo,
  type UNetConfig,
} from '../../../src-main/core/nn/models';
import { registerConv3dGradients } from '../../../src-main/core/nn/ops';
import { selectConvImpl } from '../../../src-main/core/nn/conv-select';
import { nativeConvRuntime } from '../../../src-main/core/kernels/native-conv';
import { convRuntime, type ConvRuntime } from '../../../src-main/core/kernels/wasm-conv';
import { convSameSlabs, convTranspose2Slabs } from '../../../src-main/core/kernels/conv-chunked';
import { runExact } from '../../../src-main/core/infer/exact';
import { leanStagedNet } from '../../../src-main/core/infer/unet-lean';
import { stagedNet } from '../../../src-main/core/infer/staged';
import { arraySink, arraySource } from '../../../src-main/core/infer/tiled';

function noise(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = s / 2 ** 32;
  }
  return a;
}

/** A stack whose statistics differ between regions (a ramp, a bright block, noise). */
function stack([nz, ny, nx]: Shape3): Float32Array {
  const r = noise(nz * ny * nx, 7);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        r[(z * ny + y) * nx + x] = 0.3 * r[(z * ny + y) * nx + x]! + y / ny + (x > nx / 2 && y < ny / 3 ? 2 : 0);
      }
  return r;
}

function relMax(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

const RUNTIMES: [string, () => ConvRuntime | null][] = [
  ['native', nativeConvRuntime],
  ['wasm', convRuntime],
];

describe('lean U-Net inference', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerConv3dGradients();
    selectConvImpl('cpu');
  });

  it('slab convolutions equal single-call ones, with concatenated channel parts and thin slabs', () => {
    const rt = convRuntime()!;
    const shape: Shape3 = [7, 6, 10];
    const a = noise(7 * 6 * 10 * 3, 1),
      b = noise(7 * 6 * 10 * 5, 2),
      w = noise(27 * 8 * 4, 3);
    const cat = new Float32Array(7 * 6 * 10 * 8);
    for (let v = 0; v < 7 * 6 * 10; v++) {
      cat.set(a.subarray(v * 3, v * 3 + 3), v * 8);
      cat.set(b.subarray(v * 5, v * 5 + 5), v * 8 + 3);
    }
    const ref = tf.tidy(
      () =>
        tf
          .conv3d(tf.tensor5d(cat, [1, ...shape, 8]), tf.tensor5d(w, [3, 3, 3, 8, 4]), 1, 'same')
          .dataSync() as Float32Array,
    );
    // 1 KiB slabs: one plane per slab, so every slab edge is crossed.
    expect(
      relMax(
        convSameSlabs(
          rt,
          [
            { data: a, c: 3 },
            { data: b, c: 5 },
          ],
          shape,
          w,
          [3, 3, 3],
          4,
          1024,
        ),
        ref,
      ),
    ).toBeLessThan(1e-5);
    expect(relMax(convSameSlabs(rt, [{ data: cat, c: 8 }], shape, w, [3, 3, 3], 4), ref)).toBeLessThan(1e-5);
    const wt = noise(8 * 4 * 6, 4),
      x = noise(3 * 4 * 5 * 6, 5);
    const tref = tf.tidy(
      () =>
        tf
          .conv3dTranspose(
            tf.tensor5d(x, [1, 3, 4, 5, 6]),
            tf.tensor5d(wt, [2, 2, 2, 4, 6]),
            [1, 6, 8, 10, 4],
            2,
            'same',
          )
          .dataSync() as Float32Array,
    );
    expect(relMax(convTranspose2Slabs(rt, x, [3, 4, 5], 6, wt, 4, 512), tref)).toBeLessThan(1e-5);
  });

  for (const [name, get] of RUNTIMES)
    for (const cfg of [
      { levels: 2, baseChannels: 4, convsPerLevel: 1 },
      { levels: 3, baseChannels: 8, convsPerLevel: 2 },
      { levels: 2, baseChannels: 4, convsPerLevel: 1, residual: true },
      { levels: 3, baseChannels: 4, convsPerLevel: 2, upsample: 'nearest-conv' },
      { levels: 2, baseChannels: 4, convsPerLevel: 1, output: 'softplus' },
    ] as UNetConfig[]) {
      it.skipIf(!get())(
        `${name}: equals the tfjs forward untiled, and tiled exactly (${cfg.levels} levels, ${cfg.baseChannels} ch${cfg.residual ? ', residual' : ''}${cfg.upsample ? `, ${cfg.upsample}` : ''}${cfg.output ? `, ${cfg.output}` : ''})`,
        async () => {
          const net = buildUNet(cfg, 5, {
            name: `lean${name}${cfg.levels}${cfg.residual ? 'r' : ''}${cfg.upsample ?? ''}${cfg.output ?? ''}`,
          });
          try {
            if (cfg.residual) {
              // starts as the identity; then a non-zero last layer, so both the input and the U-Net part are compared
              const out = net.variables().find((v) => v.name.endsWith('/out/kernel'))!;
              const x0 = stack([8, 8, 8]);
              const id = tf.tidy(() => net.apply(tf.tensor5d(x0, [1, 8, 8, 8, 1])).dataSync() as Float32Array);
              expect(relMax(id, x0)).toBeLessThan(1e-6);
              out.assign(
                tf.tensor(
                  noise(out.size, 11).map((v) => v - 0.5),
                  out.shape,
                ),
              );
            }
            const m = unetSizeMultiple(cfg.levels),
              halo = unetTileHalo(cfg);
            const shape: Shape3 = [16, 4 * halo + 2 * m, 40];
            const data = stack(shape);
            const ref = tf.tidy(() => net.apply(tf.tensor5d(data, [1, ...shape, 1])).dataSync() as Float32Array);
            const lean = leanStagedNet(net, cfg, halo, () => get()!);
            expect(lean.layers).toEqual(stagedNet(net, m, halo).layers);
            const whole = await lean.run(data, shape, { start: [0, 0, 0], size: shape });
            expect('output' in whole && relMax(whole.output, ref)).toBeLessThan(1e-5);
            // Tiles smaller than the volume on y: statistics passes, then the last pass.
            const out = new Float32Array(data.length);
            const r = await runExact(arraySource(data, shape), arraySink(out), lean, {
              tile: [16, 2 * halo + 2 * m, 40],
            });
            expect(r.tiles).toBeGreaterThan(1);
            expect(r.passes).toBe(lean.layers.length + 1);
            expect(relMax(out, ref)).toBeLessThan(1e-4);
          } finally {
            disposeModule(net);
          }
        },
      );
    }
});
