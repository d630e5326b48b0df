import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Shape3 } from '../../../src-main/core/io/volume';
import { OutOfMemoryError } from '../../../src-main/core/errors';
import {
  buildUNet,
  disposeModule,
  unetSizeMultiple,
  unetTileHalo,
  type Module,
  type UNetConfig,
  type UNetOptions,
} from '../../../src-main/core/nn/models';
import { alignedStarts, coreGrid, exactTile, mergeMoments } from '../../../src-main/core/infer/core-grid';
import { runExact } from '../../../src-main/core/infer/exact';
import { stagedNet, type StagedNet } from '../../../src-main/core/infer/staged';
import { arraySink, arraySource, predictTiled } from '../../../src-main/core/infer/tiled';
import { withPadding } from '../../../src-main/core/infer/predictor';
import { mulberry32 } from '../../helpers';

/** Noise on a ramp with a bright corner: statistics differ from tile to tile, as in a real stack. */
function stack([nz, ny, nx]: Shape3, seed = 3): Float32Array {
  const r = mulberry32(seed);
  const out = new Float32Array(nz * ny * nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        out[(z * ny + y) * nx + x] = 0.3 * r() + y / ny + (x > nx / 2 && y < ny / 3 ? 2 : 0);
      }
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The untiled pass: the whole (mirror-padded) volume through the network, as deconvolve does when it fits. */
async function untiled(net: Module, data: Float32Array, shape: Shape3, multiple: number): Promise<Float32Array> {
  const whole = withPadding(async (t, s) => {
    const y = tf.tidy(() => net.apply(tf.tensor5d(t, [1, ...s, 1])));
    const out = (await y.data()) as Float32Array;
    y.dispose();
    return out;
  }, multiple);
  return whole(data, shape);
}

async function tiled(
  staged: StagedNet,
  data: Float32Array,
  shape: Shape3,
  tile: Shape3,
  onShrink?: (t: Shape3) => void,
) {
  const out = new Float32Array(data.length);
  const r = await runExact(arraySource(data, shape), arraySink(out), staged, { tile, onShrink });
  return { out, ...r };
}

describe('core grid', () => {
  it('aligns tiles to the multiple and keeps cores a halo from inner edges, partitioning the volume', () => {
    const shape: Shape3 = [16, 96, 40];
    const halo = 6,
      m = 2;
    const tile = exactTile(shape, [16, 30, 20], halo, m);
    expect(tile).toEqual([16, 30, 20]);
    expect(exactTile(shape, [8, 9, 100], halo, m)).toEqual([14, 14, 40]);
    const count = new Uint8Array(shape[0] * shape[1] * shape[2]);
    for (const b of coreGrid(shape, tile, halo, m)) {
      for (let a = 0; a < 3; a++) {
        expect(b.start[a]! % m).toBe(0);
        expect(b.coreStart[a]! % m).toBe(0);
        const end = b.start[a]! + b.size[a]!;
        expect(end).toBeLessThanOrEqual(shape[a]!);
        if (b.start[a]! > 0) expect(b.coreStart[a]! - b.start[a]!).toBeGreaterThanOrEqual(halo);
        if (end < shape[a]!) expect(end - (b.coreStart[a]! + b.coreSize[a]!)).toBeGreaterThanOrEqual(halo);
      }
      for (let z = 0; z < b.coreSize[0]; z++)
        for (let y = 0; y < b.coreSize[1]; y++)
          for (let x = 0; x < b.coreSize[2]; x++) {
            count[((b.coreStart[0] + z) * shape[1] + b.coreStart[1] + y) * shape[2] + b.coreStart[2] + x]!++;
          }
    }
    expect(count.every((c) => c === 1)).toBe(true);
    expect(alignedStarts(96, 30, 6, 2).at(-1)).toBe(66);
  });

  it('merges per-core moments into the moments of the union', () => {
    const v = [1, 4, 2, 8, 5, 7];
    const moments = (xs: number[]) => {
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      return {
        count: xs.length,
        mean: Float64Array.of(mean),
        m2: Float64Array.of(xs.reduce((s, x) => s + (x - mean) ** 2, 0)),
      };
    };
    const merged = mergeMoments(mergeMoments(undefined, moments(v.slice(0, 2))), moments(v.slice(2)));
    const all = moments(v);
    expect(merged.count).toBe(6);
    expect(merged.mean[0]).toBeCloseTo(all.mean[0]!, 12);
    expect(merged.m2[0]).toBeCloseTo(all.m2[0]!, 10);
  });

  it('computes the U-Net halo from its architecture', () => {
    expect(unetTileHalo({ levels: 1, baseChannels: 4, convsPerLevel: 2 })).toBe(2);
    expect(unetTileHalo({ levels: 2, baseChannels: 8, convsPerLevel: 1 })).toBe(6);
    expect(unetTileHalo({ levels: 4, baseChannels: 64, convsPerLevel: 2 })).toBe(48);
  });
});

describe('exact tiled inference with instance normalisation', () => {
  const nets: Module[] = [];
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => nets.forEach(disposeModule));
  const make = (cfg: UNetConfig, seed: number, name: string, opts: UNetOptions = {}) => {
    const net = buildUNet(cfg, seed, { ...opts, name });
    nets.push(net);
    const m = unetSizeMultiple(cfg.levels);
    return { net, m, staged: stagedNet(net, m, unetTileHalo(cfg, opts)) };
  };

  const shape: Shape3 = [16, 48, 48];
  const data = stack(shape);
  const small = make({ levels: 2, baseChannels: 4, convsPerLevel: 2 }, 5, 'exact2');
  let whole: Float32Array;
  beforeAll(async () => {
    whole = await untiled(small.net, data, shape, small.m);
  });

  it('equals the untiled pass (2 levels, 2×2 tiles of 16×32×32), without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const r = await tiled(small.staged, data, shape, [16, 32, 32]);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.tiles).toBe(4);
    expect(r.passes).toBe(small.staged.layers.length + 1);
    expect(small.staged.layers.length).toBe(6);
    expect(maxAbsDiff(r.out, whole)).toBeLessThan(1e-4);
  }, 60_000);

  it('differs when tiles use their own statistics or too small a halo (the check can fail)', async () => {
    const ownStats = async (t: Float32Array, s: Shape3) => {
      const y = tf.tidy(() => small.net.apply(tf.tensor5d(t, [1, ...s, 1])));
      const out = (await y.data()) as Float32Array;
      y.dispose();
      return out;
    };
    const perTile = await predictTiled(data, shape, ownStats, { tile: [16, 32, 32], overlap: 16 });
    expect(maxAbsDiff(perTile, whole)).toBeGreaterThan(1e-2);
    const shortHalo = await tiled({ ...small.staged, halo: 2 }, data, shape, [16, 28, 28]);
    expect(maxAbsDiff(shortHalo.out, whole)).toBeGreaterThan(1e-3);
  }, 60_000);

  it('stays exact after out-of-memory retries, in the statistics passes and in the last pass', async () => {
    const net = make({ levels: 2, baseChannels: 4, convsPerLevel: 1 }, 7, 'exactOom');
    const ref = await untiled(net.net, data, shape, net.m);
    const shrinks: Shape3[] = [];
    // Refuses tiles above `max` voxels in the passes that `when` selects (by how many layers have statistics).
    const limit = (max: number, when: (known: number | undefined) => boolean): StagedNet => ({
      ...net.staged,
      run: (t, s, core, known) => {
        if (s[0] * s[1] * s[2] > max && when(known?.size)) throw new OutOfMemoryError('tile too large for this test');
        return net.staged.run(t, s, core, known);
      },
    });
    // The whole volume fails, then the third statistics pass fails on 16×24×48 tiles and restarts on 16×24×24.
    const a = await tiled(
      limit(16 * 24 * 24, (k) => k === undefined || k >= 2),
      data,
      shape,
      shape,
      (t) => shrinks.push(t),
    );
    expect(a.oomRetries).toBe(2);
    expect(a.tile).toEqual([16, 24, 24]);
    expect(maxAbsDiff(a.out, ref)).toBeLessThan(1e-4);
    // The last pass fails on 16×32×32 tiles and splits each into smaller ones.
    const b = await tiled(
      limit(16 * 24 * 32, (k) => k === net.staged.layers.length),
      data,
      shape,
      [16, 32, 32],
      (t) => shrinks.push(t),
    );
    expect(b.oomRetries).toBe(1);
    expect(b.tiles).toBe(4);
    expect(maxAbsDiff(b.out, ref)).toBeLessThan(1e-4);
    expect(shrinks.length).toBe(3);
  }, 60_000);

  it('equals the untiled pass for stride-2 down / upsample up, and for sizes that need padding', async () => {
    const alt = make({ levels: 2, baseChannels: 4, convsPerLevel: 1 }, 9, 'exactAlt', {
      down: 'stride2',
      up: 'upsample',
    });
    const odd: Shape3 = [15, 45, 47];
    const d = stack(odd, 11);
    const r = await tiled(alt.staged, d, odd, [16, 32, 32]);
    expect(r.tiles).toBe(4);
    expect(maxAbsDiff(r.out, await untiled(alt.net, d, odd, alt.m))).toBeLessThan(1e-4);
  }, 60_000);

  it('equals the untiled pass for 3 levels (pooling grids aligned at every level)', async () => {
    const deep = make({ levels: 3, baseChannels: 4, convsPerLevel: 1 }, 13, 'exact3');
    const odd: Shape3 = [10, 38, 30];
    const d = stack(odd, 17);
    const r = await tiled(deep.staged, d, odd, [12, 32, 32]);
    expect(r.tiles).toBe(2);
    expect(maxAbsDiff(r.out, await untiled(deep.net, d, odd, deep.m))).toBeLessThan(1e-4);
  }, 60_000);
});
