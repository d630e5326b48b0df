// Whole-stack quantities measured box by box equal the in-memory ones computed by the code they replace:
// RL's 'auto' background (estimateStackBackground) and mean, and the percentile normaliser
// (fitNormaliserStreaming, plain and mean-scaled), whatever the box size.
import { describe, expect, it } from 'vitest';
import type { Shape3 } from '../../../../src-main/core/io/volume';
import { estimateStackBackground } from '../../../../src-main/core/deconv/background';
import { fitNormaliserStreaming } from '../../../../src-main/core/normalise/normaliser';
import { stackStatsBoxes } from '../../../../src-main/core/infer/stream/background';
import { fitNormaliserBoxes } from '../../../../src-main/core/infer/stream/normalise-boxes';
import { copyBlock } from '../../../../src-main/core/infer/tiled';
import type { BoxSource } from '../../../../src-main/core/infer/stream/box-source';
import { mulberry32 } from '../../../helpers';

function source(data: Float32Array, shape: Shape3): BoxSource {
  return { shape, readBox: async (start, size) => copyBlock(data, shape, start, size) };
}

describe('whole-stack statistics read box by box', () => {
  const r = mulberry32(11);
  const shape: Shape3 = [13, 300, 270];
  const data = Float32Array.from(
    { length: shape[0] * shape[1] * shape[2] },
    (_, i) => 100 + 40 * r() + (i % 270 > 200 ? 500 * r() : 0) + Math.floor(i / 81000),
  );

  it('gives the background and mean of the whole stack', async () => {
    let sum = 0;
    for (const v of data) sum += v;
    for (const boxZ of [1, 4, 13]) {
      const s = await stackStatsBoxes(source(data, shape), boxZ);
      expect(s.background).toBe(estimateStackBackground(data, shape));
      expect(s.mean).toBeCloseTo(sum / data.length, 9);
    }
    const small: Shape3 = [3, 12, 10];
    const tiny = data.subarray(0, 360);
    expect((await stackStatsBoxes(source(tiny, small), 2)).background).toBe(estimateStackBackground(tiny, small));
  });

  it('fits the same normaliser as the slab-by-slab fit', async () => {
    const slabs = { shape, readSlices: async (z0: number, z1: number) => data.slice(z0 * 300 * 270, z1 * 300 * 270) };
    for (const mode of [{}, { scale: 'mean' as const, meanTarget: 0.1 }]) {
      const want = (await fitNormaliserStreaming(slabs, 1, 99.5, 8, mode)).toJSON();
      for (const box of [
        [4, 64, 64],
        [13, 300, 270],
        [5, 100, 37],
      ] as Shape3[]) {
        const got = (await fitNormaliserBoxes(source(data, shape), box, 1, 99.5, 8, mode)).toJSON();
        expect(got.lo).toBe(want.lo);
        expect(got.hi).toBeCloseTo(want.hi, 6);
      }
    }
  });
});
