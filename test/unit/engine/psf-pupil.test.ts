// The physical PSF layer (psf.model 'pupil'): at its start it is the optics' aberration-free PSF (checked against
// the Gibson–Lanni Hankel integral of core/psf/generate.ts, an independent implementation), it applies what the
// free layer holding its kernel applies, its ten parameters' gradients through G_BA match central differences,
// the config and the trainer refuse what it cannot work with, and a run writes psf-pupil.json and resumes
// bit-identically.
import * as tf from '@tensorflow/tfjs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildPupilPsfLayer,
  PUPIL_LAYER_PARAMS,
  PUPIL_PARAM_UNITS,
  pupilPsfParams,
  SYMMETRIC_PUPIL_PARAMS,
} from '../../../src-main/core/nn/models/psf-pupil';
import { buildPsfLayer } from '../../../src-main/core/nn/models/psf-layer';
import { PupilPsf } from '../../../src-main/core/psf/pupil';
import { generatePsf } from '../../../src-main/core/psf/generate';
import { analysePsf } from '../../../src-main/core/psf/analysis';
import { makeVolume } from '../../../src-main/core/io/volume';
import { readVolume } from '../../../src-main/core/io/index';
import { resolveTrainConfig, type TrainConfigOverrides } from '../../../src-main/core/train/config';
import { train } from '../../../src-main/core/train/trainer';
import { loadCheckpoint } from '../../../src-main/core/train/checkpoint';
import { readPupilFile } from '../../../src-main/core/train/pupil-file';
import { InvalidParameterError } from '../../../src-main/core/errors';
import { writeVolume } from '../../../src-main/core/io/index';
import { runCli } from '../../../src-main/cli/main';
import { tempDir } from '../../helpers';
import { randomTensor } from './gradcheck';
import { syntheticPair } from './train-helpers';

await tf.setBackend('cpu');

const optics = { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.33, dxy: 0.1, dz: 0.3 };

describe("psf.model 'pupil'", () => {
  it('starts as the optics’ PSF without aberration (Gibson–Lanni Hankel integral, NCC and FWHM) and sums to one', () => {
    const shape: [number, number, number] = [21, 21, 21];
    const layer = buildPupilPsfLayer({ shape, optics, name: 'pupil_a' });
    expect(pupilPsfParams(layer)).toEqual(Object.fromEntries(PUPIL_LAYER_PARAMS.map((n) => [n, 0])));
    const k = layer.psf();
    const ours = makeVolume(k.dataSync() as Float32Array, shape, { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' }, 'synthetic');
    const ref = generatePsf({ ...optics, size: shape, model: 'gibson-lanni' });
    const a = analysePsf(ours, { reference: ref }),
      b = analysePsf(ref);
    expect(a.ncc).toBeGreaterThan(0.99);
    expect(a.sum).toBeCloseTo(1, 5);
    expect(a.peak).toEqual([10, 10, 10]); // the zero-shift voxel floor(k/2)
    for (const axis of ['x', 'y', 'z'] as const) expect(Math.abs(a.fwhm[axis] / b.fwhm[axis] - 1)).toBeLessThan(0.04); // 2.3 % laterally: 2× oversampled binning
    k.dispose();
    layer.variables().forEach((v) => v.dispose());
  });

  it('applies exactly what the free layer holding its kernel applies (FFT and direct), at non-zero aberrations', () => {
    const shape: [number, number, number] = [5, 7, 7];
    const start = [0.2, 3, 0.3, 0.4, -0.3, 0.2, 0.1, -0.2, 0.1, 0.3];
    const fft = buildPupilPsfLayer({ shape, optics: { ...optics, ns: 1.45 }, name: 'pupil_f', start });
    const direct = buildPupilPsfLayer({
      shape,
      optics: { ...optics, ns: 1.45 },
      name: 'pupil_d',
      start,
      convolution: 'direct',
    });
    expect(pupilPsfParams(fft)!.depth).toBeCloseTo(3, 6);
    const k = fft.psf();
    const free = buildPsfLayer(
      { size: shape, init: 'bornwolf', nonNegative: false, sumToOne: false, centred: false },
      { seed: 1, initialPsf: k.dataSync() as Float32Array, name: 'free_p' },
    );
    const x = randomTensor([1, 10, 12, 12, 1], 4) as tf.Tensor5D;
    const ys = [fft.apply(x), direct.apply(x), free.apply(x)];
    const [a, b, c] = ys.map((y) => y.dataSync());
    let worst = 0;
    for (let i = 0; i < c!.length; i++) worst = Math.max(worst, Math.abs(a![i]! - c![i]!), Math.abs(b![i]! - c![i]!));
    expect(c!.length).toBe(10 * 12 * 12);
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([k, x, ...ys]);
    [...fft.variables(), ...direct.variables(), ...free.variables()].forEach((v) => v.dispose());
  });

  it('gradients of all ten parameters through G_BA match central differences, and nothing leaks', () => {
    const shape: [number, number, number] = [5, 7, 7];
    const layer = buildPupilPsfLayer({
      shape,
      optics: { ...optics, ns: 1.45 },
      name: 'pupil_g',
      start: [0.1, 2, 0.2, 0.1, -0.1, 0.15, 0.05, -0.1, 0.05, 0.1],
    });
    const [v] = layer.variables();
    const x = randomTensor([1, 8, 10, 10, 1], 8) as tf.Tensor5D;
    const r = randomTensor([1, 8, 10, 10, 1], 9);
    const before = tf.memory().numTensors;
    const loss = () => tf.tidy(() => tf.sum(tf.mul(layer.apply(x), r)) as tf.Scalar);
    const { value, grads } = tf.variableGrads(loss, [v!]);
    const g = Array.from(grads[v!.name]!.dataSync());
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    const base = Float32Array.from(v!.dataSync());
    const at = (i: number, d: number) => {
      const p = base.slice();
      p[i]! += d;
      const t = tf.tensor1d(p);
      v!.assign(t);
      t.dispose();
      const l = loss();
      const s = l.dataSync()[0]!;
      l.dispose();
      return s;
    };
    const eps = 2e-3;
    for (let i = 0; i < PUPIL_LAYER_PARAMS.length; i++) {
      const numeric = (at(i, eps) - at(i, -eps)) / (2 * eps);
      expect(Math.abs(numeric - g[i]!)).toBeLessThan(3e-2 * Math.abs(g[i]!) + 2e-3);
    }
    expect(g.filter((q) => Math.abs(q) > 1e-2).length).toBeGreaterThanOrEqual(8); // the check is not vacuous
    tf.dispose([x, r]);
    v!.dispose();
  });

  it("with aberrations 'symmetric' learns z0, depth, apodisation and Z11 only: the others' gradients are 0, their values the start", () => {
    const shape: [number, number, number] = [5, 7, 7];
    const start = [0.1, 2, 0.2, 0.3, -0.2, 0.15, 0.05, -0.1, 0.05, 0.1];
    const sym = buildPupilPsfLayer({
      shape,
      optics: { ...optics, ns: 1.45 },
      name: 'pupil_s',
      start,
      aberrations: 'symmetric',
    });
    const all = buildPupilPsfLayer({ shape, optics: { ...optics, ns: 1.45 }, name: 'pupil_all', start });
    const [ka, kb] = [sym.psf(), all.psf()];
    expect(Array.from(ka.dataSync())).toEqual(Array.from(kb.dataSync())); // the same θ
    const x = randomTensor([1, 8, 10, 10, 1], 12) as tf.Tensor5D;
    const r = randomTensor([1, 8, 10, 10, 1], 13);
    const [v] = sym.variables();
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(sym.apply(x), r)) as tf.Scalar, [v!]);
    const g = Array.from(grads[v!.name]!.dataSync());
    PUPIL_LAYER_PARAMS.forEach((n, i) => {
      if (SYMMETRIC_PUPIL_PARAMS.includes(n)) expect(Math.abs(g[i]!)).toBeGreaterThan(1e-3);
      else expect(Math.abs(g[i]!)).toBe(0);
    });
    expect(pupilPsfParams(sym)!.Z5).toBeCloseTo(0.3, 6);
    tf.dispose([ka, kb, x, r, value, ...Object.values(grads)]);
    [...sym.variables(), ...all.variables()].forEach((q) => q.dispose());
    const cfgOptics = { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.33 };
    expect(
      resolveTrainConfig('tiny', {
        optics: cfgOptics,
        psf: { model: 'pupil', init: 'bornwolf', pupilAberrations: 'symmetric' },
      }).psf.pupilAberrations,
    ).toBe('symmetric');
  });

  it('the config needs the optics and a Born–Wolf or spectral start; without real sharp stacks the preset’s spectral start yields to the optics; the layer refuses bad optics', () => {
    const over = (o: TrainConfigOverrides) => () => resolveTrainConfig('tiny', o);
    const cfgOptics = { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.33 };
    expect(over({ optics: cfgOptics, psf: { model: 'pupil', init: 'bornwolf' } })).not.toThrow();
    expect(over({ psf: { model: 'pupil', init: 'bornwolf' } })).toThrow(/needs the optics/);
    expect(over({ optics: cfgOptics, psf: { model: 'pupil', init: 'delta' } })).toThrow(/starts from init 'bornwolf'/);
    expect(resolveTrainConfig('fast', { optics: cfgOptics, psf: { model: 'pupil' } }).psf.init).toBe('spectral');
    expect(resolveTrainConfig('fast', { optics: cfgOptics, sharpSource: 'rl', psf: { model: 'pupil' } }).psf.init).toBe(
      'bornwolf',
    );
    expect(resolveTrainConfig('fast').psf).toMatchObject({ model: 'gaussian', init: 'spectral' }); // the default stays
    expect(() => buildPupilPsfLayer({ shape: [5, 5, 5], optics: { ...optics, na: 1.4 }, name: 'bad' })).toThrow(
      InvalidParameterError,
    );
    expect(() => buildPupilPsfLayer({ shape: [5, 5, 5], optics, name: 'bad', start: [1, 2] })).toThrow(/expected 10/);
  });

  it("init 'spectral' fits the layer to the spectral term before training: psf-pupil.json's start is that fit, and the term fell", async () => {
    const data = syntheticPair(); // beads blurred by a Gaussian of σ 1.2 voxels (0.12 µm laterally, 0.36 µm axially)
    const out = tempDir();
    const cfg = resolveTrainConfig('tiny', {
      seed: 2,
      maxSteps: 1,
      optics: { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.45 },
      psf: { size: 5, init: 'spectral', model: 'pupil', pupilAberrations: 'symmetric' },
      loss: { lambdaSpectral: 10 },
    });
    const tensorsBefore = tf.memory().numTensors;
    await train(cfg, { blurred: [data.blurred], sharp: [data.sharp], outDir: out });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const file = (await readPupilFile(out))!;
    const moved = SYMMETRIC_PUPIL_PARAMS.map((n) => Math.abs(file.start[n]!));
    expect(Math.max(...moved)).toBeGreaterThan(0.2); // 120 Adam steps of 0.05 from zero
    expect(file.start.Z5).toBe(0);
    // the spectral term of the fitted start is below the aberration-free start's, measured independently here
    const { spectralTarget, spectralLoss, disposeSpectralTarget } =
      await import('../../../src-main/core/train/spectral-loss');
    const target = spectralTarget([data.blurred], [data.sharp], [5, 5, 5]);
    const term = (start: number[]) => {
      const l = buildPupilPsfLayer({
        shape: [5, 5, 5],
        optics: { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.45, dxy: 0.1, dz: 0.3 },
        name: `t${start.join()}`,
        start,
      });
      const v = tf.tidy(() => spectralLoss(l.psf(), target).dataSync()[0]!);
      l.variables().forEach((q) => q.dispose());
      return v;
    };
    const fitted = term(PUPIL_LAYER_PARAMS.map((n) => file.start[n]!)),
      plain = term(PUPIL_LAYER_PARAMS.map(() => 0));
    expect(fitted).toBeLessThan(0.9 * plain);
    disposeSpectralTarget(target);
  }, 90_000);

  it('trains, writes psf-pupil.json beside the PSF it makes, and resumes bit-identically; an uncalibrated stack is refused first', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const data = syntheticPair(); // voxels 0.1 × 0.1 × 0.3 µm
    const cfg = (maxSteps: number) =>
      resolveTrainConfig('tiny', {
        seed: 5,
        maxSteps,
        optics: { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.45 },
        psf: { size: 5, init: 'bornwolf', model: 'pupil' },
        loss: { lambdaSpectral: 10 },
      });
    const opts = { blurred: [data.blurred], sharp: [data.sharp] };
    const straight = tempDir(),
      split = tempDir();
    await train(cfg(4), { ...opts, outDir: straight });
    await train(cfg(2), { ...opts, outDir: split });
    await train(cfg(4), { ...opts, outDir: split, resume: true });
    const a = await loadCheckpoint(straight),
      b = await loadCheckpoint(split);
    const pv = a.variables.find((v) => v.name === 'G_BA/psf_pupil')!;
    expect(pv.data.length).toBe(10);
    a.variables.forEach((v, i) =>
      expect(Buffer.from(b.variables[i]!.data.buffer).equals(Buffer.from(v.data.buffer))).toBe(true),
    );
    // moved from zero by 4 steps of about 25 × 1e-3 each
    const moved = Array.from(pv.data).map(Math.abs);
    expect(Math.max(...moved)).toBeGreaterThan(1e-2);
    expect(Math.max(...moved)).toBeLessThan(0.2);
    const file = (await readPupilFile(straight))!;
    expect(file.step).toBe(4);
    expect(file.optics).toEqual({
      na: 1.2,
      wavelength: 0.52,
      ni: 1.33,
      ns: 1.45,
      dxy: expect.closeTo(0.1, 6),
      dz: expect.closeTo(0.3, 6),
    });
    PUPIL_LAYER_PARAMS.forEach((n, i) => expect(file.params[n]).toBeCloseTo(pv.data[i]! * PUPIL_PARAM_UNITS[i]!, 6));
    // psf.tif is the pupil model at those parameters, computed here without tfjs
    const theta = [0, 0, ...PUPIL_LAYER_PARAMS.map((n) => file.params[n]!)];
    const I = new PupilPsf({ ...file.optics, size: [5, 5, 5] }).forward(theta);
    const sum = I.reduce((s, q) => s + q, 0);
    const psf = await readVolume(join(straight, 'psf.tif'));
    psf.data.forEach((q, i) => expect(Math.abs(q - I[i]! / sum)).toBeLessThan(1e-6));
    const history = JSON.parse(readFileSync(join(straight, 'history.json'), 'utf8')) as { spectral: number }[];
    expect(history.every((r) => Number.isFinite(r.spectral) && r.spectral > 0)).toBe(true);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const uncalibrated = { ...data.blurred, metadata: { ...data.blurred.metadata, voxelSizeAssumed: true } };
    const refused = tempDir();
    await expect(train(cfg(1), { blurred: [uncalibrated], sharp: [data.sharp], outDir: refused })).rejects.toThrow(
      /no physical voxel size/,
    );
    expect(readdirSync(refused)).toEqual([]); // refused before anything is written
  }, 90_000);

  it('cycledecon train --psf-model pupil --pupil-aberrations symmetric trains with that config; missing optics and bad values are refused', async () => {
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
      '--psf-model',
      'pupil',
      '--psf-init',
      'bornwolf',
    ];
    const optics = ['--na', '1.2', '--wavelength', '0.52', '--ni', '1.33', '--ns', '1.45'];
    expect(await runCli([...base, ...optics, '--out', join(dir, 'run'), '--pupil-aberrations', 'symmetric'], ctx)).toBe(
      0,
    );
    const saved = JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8')) as { psf: unknown };
    expect(saved.psf).toMatchObject({ model: 'pupil', init: 'bornwolf', pupilAberrations: 'symmetric' });
    expect(readdirSync(join(dir, 'run'))).toContain('psf-pupil.json');
    expect(await runCli([...base, ...optics, '--out', join(dir, 'r2'), '--pupil-aberrations', 'some'], ctx)).toBe(1);
    expect(await runCli([...base, '--out', join(dir, 'r3')], ctx)).toBe(1);
    expect(err.join('\n')).toMatch(/pupil-aberrations[\s\S]*needs the optics/);
  }, 60_000);
});
