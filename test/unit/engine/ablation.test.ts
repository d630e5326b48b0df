// The paper's two ablations through the same trainer: --gba cnn (CycleGAN whose G_BA is a CNN) and
// --mode supervised (3D U-Net, L1 on matched pairs). Each trains a few tiny steps and writes a run that
// loadTrainedGenerator and the inference path (loadPredictor + deconvolveFile) can use.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { resolveTrainConfig, type TrainConfigOverrides } from '../../../src-main/core/train/config';
import { train } from '../../../src-main/core/train/trainer';
import { loadTrainedGenerator } from '../../../src-main/core/train/outputs';
import { loadCheckpoint } from '../../../src-main/core/train/checkpoint';
import { loadPredictor } from '../../../src-main/core/infer/load';
import { deconvolveFile } from '../../../src-main/core/infer/deconvolve';
import { readVolume, writeVolume } from '../../../src-main/core/io/index';
import { tempDir } from '../../helpers';
import { syntheticPair } from './train-helpers';

await tf.setBackend('cpu');
const data = syntheticPair([16, 24, 24], 7);
const noAug = { flip: false, rotate90: false, translate: 0, scale: [1, 1] as [number, number] };
const tiny = (over: TrainConfigOverrides) => resolveTrainConfig('tiny', { seed: 11, ...over });

/** The run works for inference: the generator loads, and deconvolving a stack gives a finite, non-constant volume of its shape. */
async function checkUsable(runDir: string): Promise<void> {
  const { gAB, config } = await loadTrainedGenerator(runDir);
  expect(gAB.variables().length).toBeGreaterThan(0);
  gAB.variables().forEach((v) => v.dispose());
  const dir = tempDir();
  await writeVolume(join(dir, 'in.tif'), data.blurred);
  const predictor = await loadPredictor({ method: 'model', runDir, backend: 'cpu' });
  try {
    const r = await deconvolveFile(join(dir, 'in.tif'), join(dir, 'out.tif'), predictor, { tile: 'auto' });
    expect(r.shape).toEqual(data.blurred.shape);
    const out = (await readVolume(join(dir, 'out.tif'))).data;
    expect(out.every((v) => Number.isFinite(v))).toBe(true);
    expect(Math.max(...out) - Math.min(...out)).toBeGreaterThan(0);
  } finally {
    predictor.dispose();
  }
  expect(config.preset).toBe('tiny');
}

describe('ablations (tiny preset, cpu)', () => {
  it('--gba cnn: finite cycle/adversarial losses, no PSF, G_BA is a CNN, run usable for inference', async () => {
    const out = tempDir();
    const before = tf.memory().numTensors;
    const res = await train(tiny({ gba: 'cnn', maxSteps: 4 }), {
      blurred: [data.blurred],
      sharp: [data.sharp],
      outDir: out,
    });
    expect(res.steps).toBe(4);
    for (const row of res.history) {
      for (const k of [
        'generator',
        'advAB',
        'advBA',
        'cycleA',
        'cycleB',
        'discriminatorA',
        'discriminatorB',
      ] as const) {
        expect(Number.isFinite(row[k])).toBe(true);
        expect(row[k]).toBeGreaterThan(0);
      }
      expect(row.psfL1).toBe(0);
      expect(row.supervised).toBe(0);
    }
    expect(res.psf).toBeNull();
    expect(existsSync(join(out, 'psf.tif'))).toBe(false);
    const names = (
      JSON.parse(readFileSync(join(out, 'weights', 'model.json'), 'utf8')) as {
        weightsManifest: { weights: { name: string }[] }[];
      }
    ).weightsManifest.flatMap((m) => m.weights.map((w) => w.name));
    const gba = names.filter((n) => n.startsWith('G_BA/'));
    expect(gba.length).toBeGreaterThan(2); // several conv layers, not one kernel
    expect(gba.some((n) => /psf/.test(n))).toBe(false);
    expect(tf.memory().numTensors).toBe(before); // training disposed everything
    await checkUsable(out);
  }, 120_000);

  it('--mode supervised: only the L1 term, it decreases on matched pairs, no discriminators, run usable for inference', async () => {
    const out = tempDir();
    const before = tf.memory().numTensors;
    const cfg = tiny({
      mode: 'supervised',
      maxSteps: 12,
      optimiser: { lr: 2e-3, epochs: 8, decayStartEpoch: 8 },
      augmentation: noAug,
    });
    const res = await train(cfg, { blurred: [data.blurred], sharp: [data.sharp], outDir: out });
    const l1 = res.history.map((r) => r.supervised);
    expect(l1.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    for (const row of res.history) expect(row.discriminatorA + row.discriminatorB + row.cycleA + row.advAB).toBe(0);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(l1.slice(-4))).toBeLessThan(mean(l1.slice(0, 4)));
    const ck = await loadCheckpoint(out);
    expect(ck.dOpt).toBeNull();
    expect(ck.variables.length).toBeGreaterThan(0);
    expect(ck.variables.some((v) => v.name.startsWith('D_') || v.name.startsWith('G_BA'))).toBe(false);
    expect(tf.memory().numTensors).toBe(before); // training disposed everything
    await checkUsable(out);
  }, 120_000);

  it('--mode supervised refuses unmatched stacks with a typed error', async () => {
    const other = syntheticPair([16, 24, 20], 8).sharp;
    await expect(
      train(tiny({ mode: 'supervised', maxSteps: 1 }), { blurred: [data.blurred], sharp: [other], outDir: tempDir() }),
    ).rejects.toThrow(/differ/);
  });
});
