// The positivity term (config loss.lambdaPositive, train/step.ts): its value and gradient by hand, and its place in
// a training step (logged, zero when off, the generator loss higher by exactly λ·term on the first step).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { negativePart } from '../../../src-main/core/train/step';
import { makeVolume, type Shape3 } from '../../../src-main/core/io/volume';
import { createRng } from '../../../src-main/core/synth/random';
import { resolveTrainConfig } from '../../../src-main/core/train/config';
import { train } from '../../../src-main/core/train/trainer';
import { tempDir } from '../../helpers';

await tf.setBackend('cpu');

describe('positivity term', { timeout: 120_000 }, () => {
  it('is the mean of the negative part, with gradient −1/n below zero and 0 above', () => {
    const x = tf.tensor1d([-2, -0.5, 0.25, 3]);
    expect(negativePart(x).dataSync()[0]).toBeCloseTo((2 + 0.5) / 4, 6);
    const g = tf
      .grad((t: tf.Tensor) => negativePart(t))(x)
      .dataSync();
    expect(Array.from(g, (v) => v + 0)).toEqual([-0.25, -0.25, 0, 0]); // + 0: relu′ of −x gives −0 above zero
    expect(negativePart(tf.tensor1d([0, 1, 2])).dataSync()[0]).toBe(0);
    tf.dispose([x]);
  });

  it('enters the training step: logged, zero when off, and adds λ·term to the generator loss', async () => {
    const shape: Shape3 = [16, 24, 24];
    const rng = createRng(4);
    const vol = (s: number) =>
      makeVolume(
        Float32Array.from({ length: 16 * 24 * 24 }, () => rng.poisson(5 + s)),
        shape,
        { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' },
        'synthetic',
      );
    const A = [vol(20)],
      B = [vol(0)];
    const run = async (lambdaPositive: number) =>
      (
        await train(resolveTrainConfig('tiny', { seed: 1, maxSteps: 2, loss: { lambdaPositive } }), {
          blurred: A,
          sharp: B,
          outDir: tempDir(),
        })
      ).history;
    const on = await run(5),
      off = await run(0);
    expect(off.every((r) => r.positive === 0)).toBe(true);
    expect(on[0]!.positive).toBeGreaterThan(0);
    expect(on[0]!.generator - off[0]!.generator).toBeCloseTo(5 * on[0]!.positive, 4);
    expect(() => resolveTrainConfig('tiny', { loss: { lambdaPositive: -1 } })).toThrow();
  });
});
