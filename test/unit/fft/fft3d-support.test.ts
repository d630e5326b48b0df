import { describe, expect, it } from 'vitest';
import { halfSpectrumSize, irfft3d, naiveDft3dHalf, rfft3d, type HalfSpectrum } from '../../../src-main/core/fft/fft3d';

// Deterministic pseudo-random data, zero outside the support box z < sz, y < sy.
function boxed(shape: [number, number, number], sz: number, sy: number): Float64Array {
  const [nz, ny, nx] = shape;
  const a = new Float64Array(nz * ny * nx);
  let s = 12345;
  for (let z = 0; z < sz; z++)
    for (let y = 0; y < sy; y++)
      for (let x = 0; x < nx; x++) {
        s = (s * 1103515245 + 12345) % 2147483648;
        a[(z * ny + y) * nx + x] = s / 2147483648 - 0.5;
      }
  return a;
}

describe('rfft3d / irfft3d with a support box and a preallocated spectrum', () => {
  for (const shape of [
    [6, 5, 7],
    [5, 6, 8],
    [4, 9, 6],
  ] as [number, number, number][]) {
    it(`matches the naive DFT and round-trips inside the box (rows outside it are unspecified) for ${shape.join('×')}`, () => {
      const sz = shape[0] - 2,
        sy = shape[1] - 3;
      const data = boxed(shape, sz, sy);
      const n = halfSpectrumSize(shape);
      // Garbage in the preallocated spectrum must not leak into the result.
      const spec: HalfSpectrum<Float64Array> = {
        re: new Float64Array(n).fill(7),
        im: new Float64Array(n).fill(-3),
        shape: [1, 1, 1],
        nxh: 1,
      };
      rfft3d(data, shape, spec, [sz, sy]);
      const ref = naiveDft3dHalf(data, shape);
      for (let i = 0; i < n; i++) {
        expect(spec.re[i]).toBeCloseTo(ref.re[i]!, 9);
        expect(spec.im[i]).toBeCloseTo(ref.im[i]!, 9);
      }
      const back = new Float64Array(data.length).fill(Number.NaN);
      irfft3d(spec, back, [sz, sy]);
      const [, ny, nx] = shape;
      for (let z = 0; z < shape[0]; z++)
        for (let y = 0; y < ny; y++)
          for (let x = 0; x < nx; x++) {
            const i = (z * ny + y) * nx + x;
            if (z < sz && y < sy) expect(back[i]).toBeCloseTo(data[i]!, 10);
          }
    });
  }
});
