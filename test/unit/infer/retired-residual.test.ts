// A run trained with the residual generator before it moved under `experimental` (its config.json says
// generator.residual) still deconvolves as one: output = input + U-Net(input), in the lean engine and in tfjs.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTrainConfig } from '../../../src-main/core/train/config';
import { train } from '../../../src-main/core/train/trainer';
import { loadTrainedGenerator } from '../../../src-main/core/train/outputs';
import { loadPredictor } from '../../../src-main/core/infer/load';
import { deconvolveFile } from '../../../src-main/core/infer/deconvolve';
import { readVolume, writeVolume } from '../../../src-main/core/io/index';
import { fitNormaliser } from '../../../src-main/core/normalise/normaliser';
import { syntheticPair } from '../engine/train-helpers';
import { tempDir } from '../../helpers';

await tf.setBackend('cpu');

describe('a residual run from before the experiments were fenced', () => {
  it('loads its old config.json and keeps the input in the output, lean engine and tfjs alike', async () => {
    const data = syntheticPair([16, 32, 32], 2);
    const run = tempDir();
    await train(resolveTrainConfig('tiny', { seed: 5, maxSteps: 2, experimental: { residual: true } }), {
      blurred: [data.blurred],
      sharp: [data.sharp],
      outDir: run,
    });
    // Rewrite its config.json as the older code wrote it.
    const file = join(run, 'config.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      generator: Record<string, unknown>;
      experimental?: unknown;
    };
    expect(saved.experimental).toEqual({ residual: true });
    delete saved.experimental;
    saved.generator.residual = true;
    writeFileSync(file, JSON.stringify(saved));

    const dir = tempDir();
    await writeVolume(join(dir, 'in.tif'), data.blurred);
    const predictor = await loadPredictor({ method: 'model', runDir: run, backend: 'cpu' });
    try {
      await deconvolveFile(join(dir, 'in.tif'), join(dir, 'out.tif'), predictor, { tile: 'auto' });
    } finally {
      predictor.dispose();
    }
    const got = (await readVolume(join(dir, 'out.tif'))).data;

    const { gAB, config } = await loadTrainedGenerator(run);
    expect(config.experimental?.residual).toBe(true);
    const x = data.blurred.data;
    const norm = fitNormaliser(x, config.normalisation.lowPercentile, config.normalisation.highPercentile);
    const y = tf.tidy(() => gAB.apply(tf.tensor5d(norm.apply(x), [1, 16, 32, 32, 1])));
    const expected = norm.invert((await y.data()) as Float32Array);
    y.dispose();
    gAB.variables().forEach((v) => v.dispose());
    let lean = 0,
      fromInput = 0,
      range = 0;
    for (let i = 0; i < x.length; i++) {
      lean = Math.max(lean, Math.abs(got[i]! - expected[i]!));
      fromInput = Math.max(fromInput, Math.abs(expected[i]! - x[i]!));
      range = Math.max(range, Math.abs(x[i]!));
    }
    expect(lean / range).toBeLessThan(1e-4); // the lean engine adds the input as tfjs does
    // Two steps from a zero last convolution: the output is still nearly the input (without the residual sum it
    // would be U-Net(input) alone, near zero).
    expect(fromInput / range).toBeLessThan(0.2);
  }, 120_000);
});
