import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { readVolume, writeVolume } from '../../../src-main/core/io/index';
import { makeVolume, type Shape3 } from '../../../src-main/core/io/volume';
import { loadTrainedGenerator } from '../../../src-main/core/train/outputs';
import { loadPredictor } from '../../../src-main/core/infer/load';
import { deconvolveFile } from '../../../src-main/core/infer/deconvolve';
import { fitNormaliser } from '../../../src-main/core/normalise/normaliser';
import type { Predictor } from '../../../src-main/core/infer/predictor';
import { repoRoot, tempDir } from '../../helpers';

const modelDir = join(repoRoot, 'test', 'fixtures', 'model-bars');

describe('deconvolution with the bundled demo model', () => {
  const dir = tempDir();
  const shape: Shape3 = [16, 32, 32];
  let predictor: Predictor | undefined;
  afterAll(() => predictor?.dispose());

  it('equals the generator applied directly to the normalised stack, mapped back to input units', async () => {
    const full = await readVolume(join(repoRoot, 'assets', 'sample', 'bars_blurred.tif'));
    const crop = new Float32Array(16 * 32 * 32);
    for (let z = 0; z < 16; z++)
      for (let y = 0; y < 32; y++)
        crop.set(
          full.data.subarray(((z + 8) * 64 + y + 16) * 64 + 16, ((z + 8) * 64 + y + 16) * 64 + 48),
          (z * 32 + y) * 32,
        );
    await writeVolume(join(dir, 'crop.tif'), makeVolume(crop, shape));
    predictor = await loadPredictor({ method: 'model', runDir: modelDir, backend: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    const r = await deconvolveFile(join(dir, 'crop.tif'), join(dir, 'whole.tif'), predictor, { tile: 'auto' });
    expect(r.tiles).toBe(1);
    const got = (await readVolume(join(dir, 'whole.tif'))).data;
    // Tiled: instance-norm statistics of the whole volume are measured over tile cores first (one pass
    // per norm layer), so the tiled result equals the untiled one on the network's [0,1] scale.
    const t = await deconvolveFile(join(dir, 'crop.tif'), join(dir, 'tiled.tif'), predictor, { tile: [16, 24, 24] });
    expect(t.tiles).toBe(4);
    expect(t.passes).toBe(4);
    const tiled = (await readVolume(join(dir, 'tiled.tif'))).data;
    const span = t.normalisation.hi - t.normalisation.lo;
    let tiledDiff = 0;
    for (let i = 0; i < got.length; i++) tiledDiff = Math.max(tiledDiff, Math.abs(tiled[i]! - got[i]!) / span);
    expect(tiledDiff).toBeLessThan(1e-4);
    predictor.dispose(); // its variables' names are taken until disposed
    predictor = undefined;

    const { gAB, config } = await loadTrainedGenerator(modelDir);
    const norm = fitNormaliser(crop, config.normalisation.lowPercentile, config.normalisation.highPercentile);
    const y = tf.tidy(() => gAB.apply(tf.tensor5d(norm.apply(crop), [1, ...shape, 1])));
    const expected = norm.invert((await y.data()) as Float32Array);
    y.dispose();
    gAB.variables().forEach((v) => v.dispose());
    let maxDiff = 0,
      maxAbs = 0;
    for (let i = 0; i < got.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(got[i]! - expected[i]!));
      maxAbs = Math.max(maxAbs, Math.abs(expected[i]!));
    }
    expect(maxDiff / maxAbs).toBeLessThan(1e-5);
  }, 60_000);
});
