// The spectral term of the PSF layer (train/spectral-loss.ts): its binned |OTF|² against a direct DFT, its
// gradient against finite differences, its minimum at the blur of the data, and its place in a training step.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  binnedOtf2,
  disposeSpectralTarget,
  spectralLoss,
  spectralTarget,
} from '../../../src-main/core/train/spectral-loss';
import { freqIndex, halfSpectrumBins, spectralData } from '../../../src-main/core/psf/binned-spectrum';
import { gaussianPsf } from '../../../src-main/core/psf/kernels';
import { convolveArray } from '../../../src-main/core/deconv/convolve';
import { makeVolume, type Shape3, type Volume } from '../../../src-main/core/io/volume';
import { createRng } from '../../../src-main/core/synth/random';
import { groundTruth } from '../../../src-main/core/synth/structures';
import { resolveTrainConfig } from '../../../src-main/core/train/config';
import { train } from '../../../src-main/core/train/trainer';
import { gradCheck } from './gradcheck';
import { tempDir } from '../../helpers';

await tf.setBackend('cpu');

const VOXEL = { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' };
const structures = (shape: Shape3, seed: number) =>
  groundTruth([...shape], { filaments: 6, beads: 20, nuclei: 1 }, createRng(seed), 2.5);
function blurred(shape: Shape3, seed: number, sigma: [number, number, number]): Volume {
  const box: Shape3 = [11, 15, 15];
  const clean = convolveArray(structures(shape, seed), shape, gaussianPsf([...box], sigma), box);
  const rng = createRng(seed + 3);
  return makeVolume(
    clean.map((v) => rng.poisson(Math.max(v, 0) * 1000 + 10)),
    shape,
    { ...VOXEL },
    'synthetic',
  );
}
const sharp = (shape: Shape3, seeds: number[]) =>
  seeds.map((s) => makeVolume(structures(shape, s), shape, { ...VOXEL }, 'synthetic'));

describe('spectral term of the PSF layer', { timeout: 120_000 }, () => {
  it("bins the kernel's |DFT|² exactly as a direct DFT on the half-spectrum grid does", () => {
    const shape: Shape3 = [8, 12, 10];
    const A = [blurred(shape, 1, [1, 1, 1])],
      B = sharp(shape, [2]);
    const k: [number, number, number] = [3, 5, 4]; // even x: the centre convention must not matter for |H|²
    const rnd = createRng(9);
    const kernel = Float32Array.from({ length: 60 }, () => rnd.next());
    const t = spectralTarget(A, B, k);
    const got = tf.tidy(() => binnedOtf2(tf.tensor3d(kernel, k), t).dataSync());
    const d = spectralData(A, B),
      bins = halfSpectrumBins(d.grid);
    const sum = new Float64Array(t.nb),
      n = new Float64Array(t.nb);
    const nxh = Math.floor(shape[2] / 2) + 1;
    for (let z = 0, i = 0; z < shape[0]; z++)
      for (let y = 0; y < shape[1]; y++)
        for (let x = 0; x < nxh; x++, i++) {
          if (bins[i]! < 0) continue;
          let re = 0,
            im = 0;
          for (let a = 0; a < k[0]; a++)
            for (let b = 0; b < k[1]; b++)
              for (let c = 0; c < k[2]; c++) {
                const ph =
                  -2 *
                  Math.PI *
                  ((freqIndex(z, shape[0]) * a) / shape[0] +
                    (freqIndex(y, shape[1]) * b) / shape[1] +
                    (x * c) / shape[2]);
                const v = kernel[(a * k[1] + b) * k[2] + c]!;
                re += v * Math.cos(ph);
                im += v * Math.sin(ph);
              }
          sum[bins[i]!]! += re * re + im * im;
          n[bins[i]!]! += 1;
        }
    let worst = 0;
    for (let b = 0; b < t.nb; b++)
      worst = Math.max(worst, Math.abs(got[b]! - (n[b]! ? sum[b]! / n[b]! : 0)) / (sum[0]! || 1));
    expect(worst).toBeLessThan(1e-5);
    disposeSpectralTarget(t);
  });

  it('has the gradient finite differences give (|OTF|² per bin and the whole term)', () => {
    const shape: Shape3 = [8, 16, 16];
    const A = [blurred(shape, 1, [1, 1.2, 1.2])],
      B = sharp(shape, [2]);
    const k: [number, number, number] = [3, 5, 5];
    const t = spectralTarget(A, B, k);
    const start = tf.tensor3d(gaussianPsf(k, [0.8, 1, 1]), k);
    const otf = gradCheck((p) => binnedOtf2(p as tf.Tensor3D, t), [start], { eps: 1e-3, samples: 'all' });
    expect(otf.relError).toBeLessThan(2e-2);
    const loss = gradCheck((p) => spectralLoss(p as tf.Tensor3D, t), [start], { eps: 1e-3, samples: 'all' });
    expect(loss.maxAbsGrad).toBeGreaterThan(0);
    expect(loss.relError).toBeLessThan(5e-2);
    start.dispose();
    disposeSpectralTarget(t);
  });

  it("is lowest at the width of the data's blur, and follows a wider one", () => {
    const shape: Shape3 = [24, 48, 48];
    const B = sharp(shape, [11, 12]);
    const k: [number, number, number] = [11, 11, 11];
    const lossAt = (t: ReturnType<typeof spectralTarget>, s: number) =>
      tf.tidy(() => spectralLoss(tf.tensor3d(gaussianPsf(k, [1.2 * s, 1.3 * s, 1.3 * s]), k), t).dataSync()[0]!);
    const scales = [0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.8, 2];
    const narrow = spectralTarget(
      [1, 2].map((s) => blurred(shape, s, [1.2, 1.3, 1.3])),
      B,
      k,
    );
    const wide = spectralTarget(
      [1, 2].map((s) => blurred(shape, s, [1.68, 1.82, 1.82])),
      B,
      k,
    );
    const ln = scales.map((s) => lossAt(narrow, s)),
      lw = scales.map((s) => lossAt(wide, s));
    disposeSpectralTarget(narrow);
    disposeSpectralTarget(wide);
    // The best width on this grid: within one grid step (≈ 10 %) of the truth, 1 and 1.4.
    const best = (l: number[]) => scales[l.indexOf(Math.min(...l))]!;
    expect(Math.abs(best(ln) - 1)).toBeLessThanOrEqual(0.1 + 1e-9);
    expect(Math.abs(best(lw) - 1.4)).toBeLessThanOrEqual(0.1 + 1e-9);
    expect(Math.min(...ln)).toBeGreaterThanOrEqual(0);
    expect(tf.memory().numTensors).toBe(0);
  });

  it('enters the training step: logged per step, zero when off, and needs real sharp stacks', async () => {
    const shape: Shape3 = [16, 24, 24];
    const A = [blurred(shape, 1, [1, 1.2, 1.2])],
      B = sharp(shape, [2]);
    const run = async (lambdaSpectral: number) =>
      (
        await train(resolveTrainConfig('tiny', { seed: 1, maxSteps: 2, loss: { lambdaSpectral } }), {
          blurred: A,
          sharp: B,
          outDir: tempDir(),
        })
      ).history;
    const on = await run(1),
      off = await run(0);
    expect(on.every((r) => r.spectral > 0 && Number.isFinite(r.spectral))).toBe(true);
    expect(off.every((r) => r.spectral === 0)).toBe(true);
    // step 1 (same weights, same patches): the generator loss differs by exactly λ·L_spec
    expect(on[0]!.generator - off[0]!.generator).toBeCloseTo(on[0]!.spectral, 4);
    expect(() => resolveTrainConfig('tiny', { loss: { lambdaSpectral: 1 }, sharpSource: 'rl' })).toThrow(
      /spectral term needs/,
    );
    expect(() => resolveTrainConfig('tiny', { loss: { lambdaSpectral: 1 }, gba: 'cnn' })).toThrow(
      /spectral term needs/,
    );
    expect(tf.memory().numTensors).toBe(0);
  });
});
