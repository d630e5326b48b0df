// `cycledecon rl` on hostile input: a clear message and exit 1 instead of garbage with exit 0, a
// minutes-long resampling, or a stack trace. The inputs are built here as small float32 TIFFs.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { makeVolume, readVolume, writeVolume, type Shape3, type VoxelSize } from '../../../src-main/core/io/index';
import { mulberry32, tempDir } from '../../helpers';

const dir = tempDir();
const f = (name: string) => join(dir, name);
const shape: Shape3 = [16, 32, 32];
const UM: VoxelSize = { z: 0.2, y: 0.1, x: 0.1, unit: 'µm' };

function gaussianPsf(n: number): Float32Array {
  const c = (n - 1) / 2;
  return Float32Array.from({ length: n ** 3 }, (_, i) => {
    const z = Math.floor(i / (n * n)),
      y = Math.floor(i / n) % n,
      x = i % n;
    return Math.exp(-((z - c) ** 2 + (y - c) ** 2 + (x - c) ** 2) / 4);
  });
}

beforeAll(async () => {
  const rnd = mulberry32(3);
  const base = Float32Array.from({ length: 16 * 32 * 32 }, () => 100 + 50 * rnd());
  const nan = base.slice();
  nan[5] = NaN;
  nan[100] = Infinity;
  nan[2000] = -Infinity;
  const p = gaussianPsf(9),
    bad = p.slice();
  bad[0] = NaN;
  bad[1] = -0.5;
  await writeVolume(f('nan.tif'), makeVolume(nan, shape, UM));
  await writeVolume(
    f('neg.tif'),
    makeVolume(
      base.map((v) => v - 200),
      shape,
      UM,
    ),
  );
  await writeVolume(f('psf.tif'), makeVolume(p, [9, 9, 9], UM));
  await writeVolume(f('psf-bad.tif'), makeVolume(bad, [9, 9, 9], UM));
  await writeVolume(f('psf-100x.tif'), makeVolume(p, [9, 9, 9], { z: 20, y: 10, x: 10, unit: 'µm' }));
});

async function rl(...argv: string[]): Promise<{ code: number; err: string; ms: number }> {
  const err: string[] = [];
  const t0 = performance.now();
  const code = await runCli(['rl', ...argv], { out: () => undefined, err: (l) => err.push(l), interactive: false });
  return { code, err: err.join('\n'), ms: performance.now() - t0 };
}

describe('cycledecon rl on hostile input', { timeout: 60_000 }, () => {
  it('refuses NaN/Inf voxels with the count and writes nothing', async () => {
    const r = await rl(f('nan.tif'), f('out-nan.tif'), '--psf', f('psf.tif'), '--iters', '2');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error: the image has 3 voxels that are NaN or infinite \(of 16384\)[\s\S]*--nan-policy/);
    expect(existsSync(f('out-nan.tif'))).toBe(false);
  });

  it('replaces them with --nan-policy mean, and refuses an unknown policy', async () => {
    const ok = await rl(f('nan.tif'), f('out-mean.tif'), '--psf', f('psf.tif'), '--iters', '2', '--nan-policy', 'mean');
    expect(ok.code).toBe(0);
    expect(ok.err).toMatch(/warning: replaced 3 NaN\/infinite voxels/);
    const out = await readVolume(f('out-mean.tif'));
    expect(out.data.every(Number.isFinite)).toBe(true);
    expect(out.metadata.extra.rlNonFiniteReplaced).toMatch(/^3 voxels replaced by 1\d\d/);
    const bad = await rl(f('nan.tif'), f('out-x.tif'), '--psf', f('psf.tif'), '--nan-policy', 'drop');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--nan-policy: "drop" is not one of refuse, zero, mean/);
  });

  it('deconvolves negative-mean data in the input units, warns, and records the shift in the output', async () => {
    const r = await rl(f('neg.tif'), f('out-neg.tif'), '--psf', f('psf.tif'), '--iters', '5', '--background', '0');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: the image has negative values/);
    const out = await readVolume(f('out-neg.tif'));
    const mean = out.data.reduce((a, b) => a + b, 0) / out.data.length;
    expect(mean).toBeGreaterThan(-80); // input mean ≈ −75 (was 0: every voxel zero)
    expect(mean).toBeLessThan(-70);
    expect(out.metadata.extra.rlInputOffset).toMatch(/subtracted from the result/);
  });

  it('with the default estimated background, negative data come out background-free, the shift absorbed and recorded', async () => {
    const r = await rl(f('neg.tif'), f('out-neg-auto.tif'), '--psf', f('psf.tif'), '--iters', '5');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/left to the estimated background/);
    const out = await readVolume(f('out-neg-auto.tif'));
    let min = Infinity,
      max = -Infinity;
    for (const v of out.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0); // RL's estimate of a background-free object, not shifted below zero
    expect(max - min).toBeGreaterThan(10); // not flat (the input's texture spans 50)
    expect(out.metadata.extra.rlInputOffset).toMatch(/absorbed by the estimated background/);
  });

  it('refuses a PSF with NaN and negative voxels, with the counts', async () => {
    const r = await rl(f('neg.tif'), f('out-psf.tif'), '--psf', f('psf-bad.tif'), '--iters', '2');
    expect(r.code).toBe(1);
    // The PSF check of every --psf file runs first and names the NaN voxel; the core's count of NaN and negative
    // voxels together is tested in test/unit/deconv/rl-inputs.test.ts.
    expect(r.err).toMatch(/the PSF has 1 NaN or infinite voxel \(of 729\)/);
  });

  it('refuses a PSF whose voxel size is 100× off in under 2 s, naming both voxel sizes', async () => {
    const r = await rl(f('neg.tif'), f('out-100x.tif'), '--psf', f('psf-100x.tif'), '--iters', '2');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/PSF's voxel size 20×10×10 µm is 100× the image's 0\.2×0\.1×0\.1 µm[\s\S]*unit slip/);
    expect(r.err).not.toMatch(/internal error|RangeError/);
    expect(r.ms).toBeLessThan(2000);
    expect(existsSync(f('out-100x.tif'))).toBe(false);
  }, 10_000);
});
