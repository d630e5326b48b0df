// The suite's real-stack rows (bench/science-real.ts): the fixtures load with a PSF of sum 1, only bars carries a
// ground truth, and the synthetic sharp domain sits on the stack's own voxel grid.
import { describe, expect, it } from 'vitest';
import { REAL_CASES, realCaseData } from '../../../bench/science-real';

describe('science suite real stacks', { timeout: 60_000 }, () => {
  it("bars: truth of the input's shape, PSF of sum 1, sharp stacks no larger than the input, same voxel units", async () => {
    const d = await realCaseData(REAL_CASES.find((c) => c.name === 'real-bars')!);
    expect(d.truth?.shape).toEqual(d.input.shape);
    expect(d.psf.data.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 4);
    expect(d.sharpSets).toHaveLength(2);
    for (const s of d.sharpSets) {
      s.shape.forEach((n, i) => expect(n).toBeLessThanOrEqual(d.input.shape[i]!));
      expect(s.voxelSize.unit).toBe(d.input.voxelSize.unit);
      expect(s.data.reduce((m, v) => Math.max(m, v), 0)).toBeGreaterThan(0);
    }
  });
  it('only bars has a ground truth', () => {
    expect(REAL_CASES.filter((c) => c.truth).map((c) => c.name)).toEqual(['real-bars']);
  });
});
