// The parametric PSF layer (psf.model 'gaussian'): its kernel is the sampled separable Gaussian of its two widths,
// it applies exactly what the free layer would apply holding that kernel, the widths' gradients match central
// differences, the config refuses what it cannot combine with, and a training run starts at the spectral fit,
// moves the widths, writes that kernel as the learned PSF and resumes bit-identically.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGaussianPsfLayer, gaussianPsfParams } from '../../../src-main/core/nn/models/psf-gaussian';
import { buildPsfLayer, gaussianPsf } from '../../../src-main/core/nn/models/psf-layer';
import { resolveTrainConfig, type TrainConfigOverrides } from '../../../src-main/core/train/config';
import { train } from '../../../src-main/core/train/trainer';
import { buildNetworks, disposeNetworks, type BuildOptions } from '../../../src-main/core/train/networks';
import { loadCheckpoint } from '../../../src-main/core/train/checkpoint';
import { fitPsfFromSpectra } from '../../../src-main/core/psf/spectral-fit';
import { readVolume, writeVolume } from '../../../src-main/core/io/index';
import { runCli } from '../../../src-main/cli/main';
import { tempDir } from '../../helpers';
import { randomTensor } from './gradcheck';
import { syntheticPair } from './train-helpers';

await tf.setBackend('cpu');

describe("psf.model 'gaussian'", () => {
  it('is the sampled Gaussian of its widths and applies exactly what the free layer holding it applies (even and odd sizes)', () => {
    const shape: [number, number, number] = [5, 8, 7];
    const layer = buildGaussianPsfLayer({ shape, sigma: [1.4, 0.9, 1.1], name: 'gauss_a' });
    const lateral = Math.sqrt(0.9 * 1.1);
    expect(gaussianPsfParams(layer)).toEqual({
      sigmaLateral: expect.closeTo(lateral, 6),
      sigmaAxial: expect.closeTo(1.4, 6),
    });
    const k = layer.psf();
    expect(k.shape).toEqual(shape);
    const kv = k.dataSync() as Float32Array;
    const expected = gaussianPsf(shape, [1.4, lateral, lateral]);
    kv.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-6));
    const l1 = layer.l1();
    expect(l1.dataSync()[0]).toBeCloseTo(1, 5);
    const free = buildPsfLayer(
      { size: shape, init: 'bornwolf', nonNegative: false, sumToOne: false, centred: false },
      { seed: 1, initialPsf: kv, name: 'free_a' },
    );
    const x = randomTensor([1, 12, 15, 14, 1], 3) as tf.Tensor5D;
    const [ya, yb] = [layer.apply(x), free.apply(x)];
    const a = ya.dataSync(),
      b = yb.dataSync();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(a.length).toBe(12 * 15 * 14);
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([k, x, l1, ya, yb]);
    [...layer.variables(), ...free.variables()].forEach((v) => v.dispose());
  });

  it('gradients of both widths match central differences, through the convolution and through the kernel', () => {
    const layer = buildGaussianPsfLayer({ shape: [5, 7, 7], sigma: [1.3, 1.0, 1.0], name: 'gauss_g' });
    const [v] = layer.variables();
    const x = randomTensor([1, 8, 12, 12, 1], 8) as tf.Tensor5D;
    const r = randomTensor([1, 8, 12, 12, 1], 9);
    const rk = randomTensor([5, 7, 7], 10);
    const losses = [
      () => tf.tidy(() => tf.sum(tf.mul(layer.apply(x), r)) as tf.Scalar),
      () => tf.tidy(() => tf.sum(tf.mul(layer.psf(), rk)) as tf.Scalar),
    ];
    for (const loss of losses) {
      const { grads } = tf.variableGrads(loss, [v!]);
      const g = grads[v!.name]!.dataSync();
      const base = Float32Array.from(v!.dataSync());
      const eps = 1e-3;
      for (let i = 0; i < 2; i++) {
        const at = (d: number) => {
          const p = base.slice();
          p[i]! += d;
          const t = tf.tensor(p, v!.shape);
          v!.assign(t);
          t.dispose();
          const l = loss();
          const s = l.dataSync()[0]!;
          l.dispose();
          return s;
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        const t = tf.tensor(base, v!.shape);
        v!.assign(t);
        t.dispose();
        expect(Math.abs(g[i]!)).toBeGreaterThan(1e-3);
        expect(Math.abs(numeric - g[i]!) / Math.abs(g[i]!)).toBeLessThan(2e-2);
      }
      tf.dispose(Object.values(grads));
    }
    tf.dispose([x, r, rk]);
    v!.dispose();
  });

  it('the config refuses starts and options it cannot combine with', () => {
    const optics = { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.33 };
    const over = (psf: Record<string, unknown>) => () =>
      resolveTrainConfig('tiny', { optics, psf: { model: 'gaussian', ...psf } } as TrainConfigOverrides);
    expect(over({})).not.toThrow();
    expect(over({ init: 'delta' })).toThrow(/starts from init 'gaussian'/);
    expect(over({ init: 'bornwolf' })).toThrow(/starts from init 'gaussian'/);
    expect(() =>
      resolveTrainConfig('tiny', { optics, psf: { model: 'gaussian' }, experimental: { psfGradient: 'tangent' } }),
    ).toThrow(/free kernel/);
    expect(() =>
      resolveTrainConfig('tiny', { psf: { model: 'parametric' } } as unknown as TrainConfigOverrides),
    ).toThrow();
  });

  it('a start from the data is required for training and replaced by the default Gaussian when restoring', () => {
    const fast = resolveTrainConfig('fast');
    // …and leaves no variable behind (tfjs names are global: the builds below would fail on G_AB's names).
    expect(() => buildNetworks(fast)).toThrow(/needs the fitted widths/);
    // (tfjs variable names are global: one set of networks at a time)
    const widths = (opts: BuildOptions) => {
      const nets = buildNetworks(fast, opts);
      try {
        return gaussianPsfParams(nets.psf!)!;
      } finally {
        disposeNetworks(nets);
      }
    };
    // restoring: size / 8 = 1.375 voxels on each axis; otherwise the given fit
    expect(widths({ restoring: true }).sigmaLateral).toBeCloseTo(11 / 8, 5);
    expect(widths({ restoring: true }).sigmaAxial).toBeCloseTo(11 / 8, 5);
    expect(widths({ initialSigma: [1.2, 0.8, 0.8] }).sigmaLateral).toBeCloseTo(0.8, 5);
    expect(widths({ initialSigma: [1.2, 0.8, 0.8] }).sigmaAxial).toBeCloseTo(1.2, 5);
    // The free kernel likewise: a Born–Wolf or spectral start needs the array, unless restoring.
    const free = resolveTrainConfig('fast', { psf: { model: 'free' } });
    expect(() => buildNetworks(free)).toThrow(/initial PSF/);
    const nets = buildNetworks(free, { restoring: true });
    try {
      const k = nets.psf!.psf();
      expect(Array.from(k.dataSync()).every((v) => v >= 0)).toBe(true);
      k.dispose();
    } finally {
      disposeNetworks(nets);
    }
  });

  it('trains from the spectral fit with the spectral term, writes its kernel as psf.tif, and resumes bit-identically', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const data = syntheticPair(); // beads blurred by a Gaussian of σ 1.2 voxels
    const fit = fitPsfFromSpectra([data.blurred], [data.sharp]);
    const cfg = (maxSteps: number) =>
      resolveTrainConfig('tiny', {
        seed: 3,
        maxSteps,
        psf: { size: 7, init: 'spectral', model: 'gaussian' },
        loss: { lambdaSpectral: 10 },
      } as TrainConfigOverrides);
    const opts = { blurred: [data.blurred], sharp: [data.sharp] };
    const straight = tempDir(),
      split = tempDir();
    await train(cfg(4), { ...opts, outDir: straight });
    await train(cfg(2), { ...opts, outDir: split });
    await train(cfg(4), { ...opts, outDir: split, resume: true });
    const a = await loadCheckpoint(straight),
      b = await loadCheckpoint(split);
    expect(a.variables.filter((v) => v.name === 'G_BA/psf_logsigma')).toHaveLength(1);
    expect(a.variables.some((v) => v.name === 'G_BA/psf')).toBe(false);
    a.variables.forEach((v, i) =>
      expect(Buffer.from(b.variables[i]!.data.buffer).equals(Buffer.from(v.data.buffer))).toBe(true),
    );
    // Started at the fit (σ_z, σ_xy in voxels), moved by 4 steps at 25 × the tiny preset's rate (≈ 1e-2 in log σ each).
    const logSigma = Array.from(a.variables.find((v) => v.name === 'G_BA/psf_logsigma')!.data);
    const start = [Math.log(fit.sigmaVoxels[1]), Math.log(fit.sigmaVoxels[0])];
    logSigma.forEach((s, i) => {
      expect(Math.abs(s - start[i]!)).toBeGreaterThan(1e-3);
      expect(Math.abs(s - start[i]!)).toBeLessThan(0.2);
    });
    // psf.tif is that Gaussian, with the stacks' voxel size
    const psf = await readVolume(join(straight, 'psf.tif'));
    expect(psf.shape).toEqual([7, 7, 7]);
    expect(psf.voxelSize.z).toBeCloseTo(0.3, 6);
    const expected = gaussianPsf([7, 7, 7], [Math.exp(logSigma[1]!), Math.exp(logSigma[0]!), Math.exp(logSigma[0]!)]);
    psf.data.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-6));
    const psfJson = JSON.parse(readFileSync(join(straight, 'psf.json'), 'utf8')) as {
      gaussian: { sigmaLateral: number; sigmaAxial: number };
    };
    expect(psfJson.gaussian.sigmaLateral).toBeCloseTo(Math.exp(logSigma[0]!), 5);
    expect(psfJson.gaussian.sigmaAxial).toBeCloseTo(Math.exp(logSigma[1]!), 5);
    const history = JSON.parse(readFileSync(join(straight, 'history.json'), 'utf8')) as { spectral: number }[];
    expect(history.every((r) => Number.isFinite(r.spectral) && r.spectral > 0)).toBe(true);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  }, 60_000);

  it('cycledecon train --psf-model gaussian --psf-init spectral --lambda-spectral 5 trains with that config; bad values are refused', async () => {
    const data = syntheticPair();
    const dir = tempDir();
    await writeVolume(join(dir, 'blurred.tif'), data.blurred);
    await writeVolume(join(dir, 'sharp.tif'), data.sharp);
    const out: string[] = [],
      err: string[] = [];
    const ctx = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false };
    const base = [
      'train',
      '--blurred',
      join(dir, 'blurred.tif'),
      '--sharp',
      join(dir, 'sharp.tif'),
      '--preset',
      'tiny',
      '--steps',
      '1',
      '--backend',
      'cpu',
    ];
    expect(
      await runCli(
        [
          ...base,
          '--out',
          join(dir, 'run'),
          '--psf-model',
          'gaussian',
          '--psf-init',
          'spectral',
          '--lambda-spectral',
          '5',
        ],
        ctx,
      ),
    ).toBe(0);
    const saved = JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8')) as {
      psf: unknown;
      loss: { lambdaSpectral: number };
    };
    expect(saved.psf).toMatchObject({ model: 'gaussian', init: 'spectral' });
    expect(saved.loss.lambdaSpectral).toBe(5);
    expect(await runCli([...base, '--out', join(dir, 'r2'), '--psf-model', 'wide'], ctx)).toBe(1);
    expect(await runCli([...base, '--out', join(dir, 'r3'), '--lambda-spectral', '20000'], ctx)).toBe(1);
    expect(
      await runCli([...base, '--out', join(dir, 'r4'), '--psf-model', 'gaussian', '--psf-init', 'delta'], ctx),
    ).toBe(1);
    expect(err.join('\n')).toMatch(/psf-model[\s\S]*lambda-spectral[\s\S]*starts from init 'gaussian'/);
  }, 60_000);
});
