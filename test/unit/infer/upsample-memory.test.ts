// The memory estimates of both inference engines count the up-sampled input that 'nearest-conv' keeps alive.
import { describe, expect, it } from 'vitest';
import { unetBytesPerVoxel } from '../../../src-main/core/infer/load';
import { leanUNetBytesPerVoxel } from '../../../src-main/core/infer/unet-lean';

describe("memory per voxel with generator.upsample 'nearest-conv'", () => {
  it('is larger than with the transposed conv, for the tfjs and the lean engine', () => {
    const g = { levels: 3, baseChannels: 16, convsPerLevel: 2 };
    const rc = { ...g, upsample: 'nearest-conv' as const };
    expect(unetBytesPerVoxel(rc)).toBeGreaterThan(unetBytesPerVoxel(g));
    // lean, level 0: skip + up-sampled input (2 × base) + up-conv output = 4 activations of base channels,
    // against skip + up + decoder conv output = 3; plus 0.5 for the coarser levels and 16 B of single-channel arrays.
    expect(leanUNetBytesPerVoxel(g)).toBeCloseTo(1.25 * (4 * 16 * 3.5 + 16), 6);
    expect(leanUNetBytesPerVoxel(rc)).toBeCloseTo(1.25 * (4 * 16 * 4.5 + 16), 6);
  });
});
