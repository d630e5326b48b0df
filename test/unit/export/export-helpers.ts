// Shared by the export tests: a run folder with seeded weights, a real test stack, CycleDecon's inference of a
// run, and onnxruntime-node (an independent ONNX implementation) running exported bytes.
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { buildUNet } from '../../../src-main/core/nn/models';
import { exportGenerators, writeConfig } from '../../../src-main/core/train/outputs';
import { generatorConfig, preset, resolveTrainConfig, type TrainConfig } from '../../../src-main/core/train/config';
import { loadPredictor } from '../../../src-main/core/infer/load';
import { readVolume } from '../../../src-main/core/io/index';
import { fitNormaliser } from '../../../src-main/core/normalise/normaliser';
import type { Shape3 } from '../../../src-main/core/io/volume';
import { mulberry32, repoRoot } from '../../helpers';

export const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;

export async function runOnnx(bytes: Uint8Array, x: Float32Array, shape: Shape3): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ input: new ort.Tensor('float32', x, [1, 1, ...shape]) });
    expect(out.output!.dims).toEqual([1, 1, ...shape]);
    return out.output!.data as Float32Array;
  } finally {
    await session.release();
  }
}

export function relL2(a: Float32Array, b: Float32Array): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

/** A 16×32×32 crop of the demo's blurred "Hollow Bars" stack, normalised as inference does (p0.1..p99.9). */
export async function testStack(): Promise<{ x: Float32Array; shape: Shape3 }> {
  const full = await readVolume(join(repoRoot, 'assets', 'sample', 'bars_blurred.tif'));
  const [, ny, nx] = full.shape;
  const shape: Shape3 = [16, 32, 32];
  const crop = new Float32Array(16 * 32 * 32);
  for (let z = 0; z < 16; z++)
    for (let y = 0; y < 32; y++)
      crop.set(
        full.data.subarray(((z + 8) * ny + y + 16) * nx + 16, ((z + 8) * ny + y + 16) * nx + 48),
        (z * 32 + y) * 32,
      );
  return { x: fitNormaliser(crop, 0.1, 99.9).apply(crop), shape };
}

/**
 * A run folder with config.json and weights/ of a seeded G_AB. Weights that start at zero (biases, the residual
 * variant's output kernel) are made random too, so every one of them shows in the output.
 */
export async function makeRun(
  dir: string,
  generator: Partial<TrainConfig['generator']> & { residual?: boolean },
): Promise<TrainConfig> {
  const { residual, ...g } = generator;
  const config = resolveTrainConfig('tiny', {
    generator: { ...preset('tiny').generator, ...g },
    ...(residual ? { experimental: { residual } } : {}),
  });
  mkdirSync(dir, { recursive: true });
  const net = buildUNet(generatorConfig(config), config.seed * 16 + 1, { name: 'G_AB' });
  const rand = mulberry32(11);
  for (const v of net.variables())
    if (v.dataSync().every((n) => n === 0))
      v.assign(
        tf.tensor(
          Array.from({ length: v.size }, () => rand() - 0.5),
          v.shape,
        ),
      );
  await writeConfig(dir, config);
  await exportGenerators(dir, [net], config);
  net.variables().forEach((v) => v.dispose());
  return config;
}

export async function cycleDeconInference(runDir: string, x: Float32Array, shape: Shape3): Promise<Float32Array> {
  const predictor = await loadPredictor({ method: 'model', runDir, backend: 'cpu' });
  try {
    return await predictor.predict(x, shape);
  } finally {
    predictor.dispose();
  }
}
