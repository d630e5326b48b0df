// The 'mean' intensity scale: the mean above the low percentile maps to meanTarget, streaming fits equal in-memory
// fits, and a sum-one blur of a stack lands on the same scale as the stack (the reason for the mode).
import { describe, expect, it } from 'vitest';
import { fitNormaliser, fitNormaliserStreaming } from '../../../src-main/core/normalise/normaliser';
import type { Shape3 } from '../../../src-main/core/io/volume';
import { mulberry32 } from '../../helpers';

const shape: Shape3 = [8, 24, 24];
const n = shape[0] * shape[1] * shape[2];

/** Sparse bright points on a zero background. */
function sparse(seed: number): Float32Array {
  const r = mulberry32(seed);
  const d = new Float32Array(n);
  for (let k = 0; k < 60; k++) d[Math.floor(r() * n)] = 100 + 900 * r();
  return d;
}

/** A 3×3×3 box blur with periodic boundaries: sum one, so the mean is kept exactly. */
function blur(d: Float32Array): Float32Array {
  const [nz, ny, nx] = shape,
    out = new Float32Array(n);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        let s = 0;
        for (let a = -1; a <= 1; a++)
          for (let b = -1; b <= 1; b++)
            for (let c = -1; c <= 1; c++) {
              s += d[(((z + a + nz) % nz) * ny + ((y + b + ny) % ny)) * nx + ((x + c + nx) % nx)]!;
            }
        out[(z * ny + y) * nx + x] = s / 27;
      }
  return out;
}

const meanPos = (d: Float32Array) => d.reduce((a, v) => a + Math.max(0, v), 0) / d.length;

describe("normalisation scale 'mean'", () => {
  it('maps the mean above the low percentile to meanTarget; the streaming fit is the same map', async () => {
    const d = sparse(1).map((v) => v + 10);
    const nm = fitNormaliser(d, 0, 100, { scale: 'mean', meanTarget: 0.02 });
    expect(nm.lo).toBe(10);
    expect(meanPos(nm.apply(d))).toBeCloseTo(0.02, 6);
    expect(nm.toJSON()).toMatchObject({ scale: 'mean', meanTarget: 0.02 });
    const src = {
      shape,
      readSlices: async (z0: number, z1: number) => d.slice(z0 * shape[1] * shape[2], z1 * shape[1] * shape[2]),
    };
    const st = await fitNormaliserStreaming(src, 0, 100, 3, { scale: 'mean', meanTarget: 0.02 });
    expect(st.lo).toBe(nm.lo);
    expect(st.hi).toBeCloseTo(nm.hi, 3);
    const back = nm.invert(nm.apply(d));
    d.forEach((v, i) => expect(Math.abs(back[i]! - v)).toBeLessThan(1e-3));
  });

  it('puts a stack and its sum-one blur on one scale, where the percentile scale does not', () => {
    const x = sparse(2),
      hx = blur(x);
    const mean = (d: Float32Array) => fitNormaliser(d, 0, 100, { scale: 'mean' });
    const pct = (d: Float32Array) => fitNormaliser(d, 0, 100);
    // Normalising then blurring should equal blurring then normalising (same affine map for both domains).
    const ratio = (f: typeof mean) => (f(hx).hi - f(hx).lo) / (f(x).hi - f(x).lo);
    expect(ratio(mean)).toBeCloseTo(1, 6);
    expect(ratio(pct)).toBeLessThan(0.5); // the blurred peak is far lower: max-scaling gives it a smaller span
  });
});
