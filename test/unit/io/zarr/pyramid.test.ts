// The pyramid's levels: how many for a size, and the 2×2 mean that makes each (odd edges averaged over the
// pixels they have), so a coarse level shows the same intensities as the full one.
import { describe, it, expect } from 'vitest';
import { halveXY, planLevels } from '../../../../src-main/core/io/zarr/pyramid';

describe('pyramid', () => {
  it('halves y and x by a 2×2 mean, slice by slice, with odd edges averaged over what they have', () => {
    // 2 slices of 3×3: values 0..8 and 10..18.
    const src = Float32Array.from({ length: 18 }, (_, i) => (i < 9 ? i : i + 1));
    const { data, ny, nx } = halveXY(src, 2, 3, 3);
    expect([ny, nx]).toEqual([2, 2]);
    expect(Array.from(data)).toEqual([2, 3.5, 6.5, 8, 12, 13.5, 16.5, 18]);
  });

  it('plans at least 3 levels, more until the coarsest fits one 256×256 tile, keeping z', () => {
    expect(planLevels([5, 10, 10]).map((l) => l.shape)).toEqual([
      [5, 10, 10],
      [5, 5, 5],
      [5, 3, 3],
    ]);
    const big = planLevels([200, 4096, 4096]);
    expect(big.map((l) => l.shape[1])).toEqual([4096, 2048, 1024, 512, 256]);
    expect(big.every((l) => l.shape[0] === 200 && l.chunks[0] === 64)).toBe(true);
    expect(big[0]!.chunks).toEqual([64, 256, 256]);
  });
});
