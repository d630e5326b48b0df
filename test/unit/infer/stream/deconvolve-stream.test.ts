// Out-of-core deconvolution (OME-Zarr in, OME-Zarr out, box by box) against the in-memory path: a predictor
// of known reach is exact with a halo of that reach and wrong exactly on the box faces without one; the
// network is exact (tiled statistics); Richardson–Lucy's seam error stays within the stated bound.
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Shape3 } from '../../../../src-main/core/io/volume';
import { makeVolume } from '../../../../src-main/core/io/volume';
import { readVolume } from '../../../../src-main/core/io/index';
import { deconvolveFile } from '../../../../src-main/core/infer/deconvolve';
import { deconvolveStream } from '../../../../src-main/core/infer/stream/deconvolve-stream';
import { psfHalo, streamMethod } from '../../../../src-main/core/infer/stream/from-predictor';
import { loadPredictor } from '../../../../src-main/core/infer/load';
import { rlPredictor } from '../../../../src-main/core/infer/rl';
import type { TrainingDomain } from '../../../../src-main/core/infer/domain-check';
import { mulberry32, repoRoot, tempDir } from '../../../helpers';
import { boxMean, readZarr, writeZarr } from './helpers';

const dir = tempDir();
const rand = mulberry32(7);
const noise = new Map<number, number>();
/** Blobs on a ramp with noise, deterministic per voxel. */
const scene = (z: number, y: number, x: number) => {
  const k = (z * 1000 + y) * 1000 + x;
  if (!noise.has(k)) noise.set(k, rand());
  return (
    50 + 2 * y + 200 * Math.exp(-((z - 5) ** 2 / 8 + (y - 20) ** 2 / 30 + (x - 17) ** 2 / 20)) + 20 * noise.get(k)!
  );
};

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0,
    lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs(a[i]! - b[i]!));
    lo = Math.min(lo, b[i]!);
    hi = Math.max(hi, b[i]!);
  }
  return m / (hi - lo);
}

describe('out-of-core deconvolution', () => {
  const shape: Shape3 = [11, 40, 34];
  const input = join(dir, 'in.zarr');
  const chunk: Shape3 = [4, 16, 16];
  beforeAll(() => writeZarr(input, shape, [5, 13, 13], scene));

  it("is exact with a halo of the predictor's reach, and differs exactly on inner box faces without one", async () => {
    const data = await readZarr(input);
    const whole = boxMean(data, shape);
    const run = (halo: Shape3, out: string) =>
      deconvolveStream(
        input,
        join(dir, out),
        { method: 'mean', details: {}, predict: () => boxMean, halo },
        { chunk, dtype: 'float32' },
      );
    const r = await run([1, 1, 1], 'halo1.zarr');
    expect(r.boxes).toBe(3 * 3 * 3);
    expect(await readZarr(join(dir, 'halo1.zarr'))).toEqual(whole);
    await run([0, 0, 0], 'halo0.zarr');
    const cut = await readZarr(join(dir, 'halo0.zarr'));
    const seam = (v: number, n: number, c: number) => (v % c === 0 && v > 0) || ((v + 1) % c === 0 && v + 1 < n);
    let wrong = 0,
      seams = 0;
    for (let z = 0; z < shape[0]; z++)
      for (let y = 0; y < shape[1]; y++)
        for (let x = 0; x < shape[2]; x++) {
          const i = (z * shape[1] + y) * shape[2] + x;
          const onSeam = seam(z, shape[0], 4) || seam(y, shape[1], 16) || seam(x, shape[2], 16);
          const differs = cut[i] !== whole[i];
          if (differs !== onSeam)
            throw new Error(`${z},${y},${x}: differs ${differs}, seam ${onSeam}, ${cut[i]} vs ${whole[i]}`);
          if (onSeam) seams++;
          if (differs) wrong++;
        }
    expect(wrong).toBe(seams);
    expect(seams).toBeGreaterThan(1000);
  });

  it("checks a model's training geometry before any output exists", async () => {
    const domain = {
      version: 1,
      dimensionality: 3,
      voxelSize: { x: 0.05, y: 0.05, z: 0.3, unit: 'µm' },
      stacks: [],
    } as unknown as TrainingDomain;
    const m = { method: 'mean', details: {}, predict: () => boxMean, halo: [1, 1, 1] as Shape3, domain };
    const flat = join(dir, 'flat.zarr');
    await writeZarr(flat, [1, 32, 32], [1, 16, 16], scene);
    await expect(deconvolveStream(flat, join(dir, 'flat-out.zarr'), m, { chunk, dtype: 'float32' })).rejects.toThrow(
      /is 2D/,
    );
    expect(existsSync(join(dir, 'flat-out.zarr.partial'))).toBe(false);
    const r = await deconvolveStream(input, join(dir, 'geo.zarr'), m, { chunk, dtype: 'float32' });
    expect(r.warnings.join('\n')).toMatch(/differs from the model's training data/);
  });

  it("gives the network's untiled output, with whole-stack statistics measured tile by tile", async () => {
    const predictor = await loadPredictor({
      method: 'model',
      runDir: join(repoRoot, 'test', 'fixtures', 'model-bars'),
      backend: 'cpu',
    });
    try {
      expect(predictor.staged).toBeDefined();
      const mem = await deconvolveFile(input, join(dir, 'net-mem.tif'), predictor, { tile: 'auto' });
      expect(mem.tiles).toBe(1);
      const r = await deconvolveStream(
        input,
        join(dir, 'net.zarr'),
        streamMethod(predictor, { statsTile: [8, 24, 24] }),
        { chunk, dtype: 'float32' },
      );
      expect(r.computed).toBe(27);
      const want = (await readVolume(join(dir, 'net-mem.tif'))).data;
      expect(maxRelDiff(await readZarr(join(dir, 'net.zarr')), want)).toBeLessThan(1e-4);
      // Default statistics tiles: a box plus two halos.
      await deconvolveStream(input, join(dir, 'net-default.zarr'), streamMethod(predictor), {
        chunk,
        dtype: 'float32',
      });
      expect(maxRelDiff(await readZarr(join(dir, 'net-default.zarr')), want)).toBeLessThan(1e-4);
    } finally {
      predictor.dispose();
    }
  }, 60_000);

  it("keeps Richardson–Lucy's seam error under 1 % of the range with the default halo", async () => {
    const g = (z: number, y: number, x: number) => Math.exp(-((z * z) / 2 + (y * y) / 1.5 + (x * x) / 1.5));
    const psfShape: Shape3 = [5, 7, 7];
    const psf = makeVolume(
      Float32Array.from({ length: 245 }, (_, i) => g(Math.floor(i / 49) - 2, (Math.floor(i / 7) % 7) - 3, (i % 7) - 3)),
      psfShape,
      { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' },
    );
    const predictor = rlPredictor(psf, 10, 'test psf');
    await deconvolveFile(input, join(dir, 'rl-mem.tif'), predictor, { tile: 'auto' });
    const want = (await readVolume(join(dir, 'rl-mem.tif'))).data;
    const err = async (halo: Shape3, name: string) => {
      await deconvolveStream(input, join(dir, name), streamMethod(predictor, { halo }), { chunk, dtype: 'float32' });
      return maxRelDiff(await readZarr(join(dir, name)), want);
    };
    const none = await err([0, 0, 0], 'rl0.zarr');
    const dflt = await err(psfHalo(psfShape), 'rl2.zarr');
    console.log(
      `RL seam error: no halo ${(100 * none).toFixed(3)} %, default halo ${(100 * dflt).toFixed(4)} % of the range`,
    );
    expect(dflt).toBeLessThan(0.001);
    expect(dflt).toBeLessThan(none / 30);
  }, 60_000);
});
