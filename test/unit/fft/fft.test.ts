import { describe, expect, it } from 'vitest';
import { fftPlan, nextSmoothSize } from '../../../src-main/core/fft/fft1d';
import { irfft3d, naiveDft3dHalf, rfft3d } from '../../../src-main/core/fft/fft3d';

function naiveDft(re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
  const n = re.length,
    or = new Float64Array(n),
    oi = new Float64Array(n);
  for (let k = 0; k < n; k++)
    for (let j = 0; j < n; j++) {
      const ph = (-2 * Math.PI * k * j) / n;
      or[k]! += re[j]! * Math.cos(ph) - im[j]! * Math.sin(ph);
      oi[k]! += re[j]! * Math.sin(ph) + im[j]! * Math.cos(ph);
    }
  return [or, oi];
}

function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

describe('1D FFT of any length matches the naive DFT', () => {
  // powers of two, 2·3·5-smooth, a 7/11/13 factor, primes and a large-prime product (Bluestein)
  for (const n of [1, 2, 3, 4, 5, 8, 12, 15, 16, 35, 49, 60, 64, 77, 97, 100, 143, 211, 2 * 17, 3 * 19 * 2]) {
    it(`n = ${n}`, () => {
      const r = rand(n);
      const re = Float64Array.from({ length: n }, r),
        im = Float64Array.from({ length: n }, r);
      const [er, ei] = naiveDft(re, im);
      const xr = re.slice(),
        xi = im.slice();
      fftPlan(n).transform(xr, xi);
      for (let k = 0; k < n; k++) {
        expect(Math.abs(xr[k]! - er[k]!)).toBeLessThan(1e-9 * n);
        expect(Math.abs(xi[k]! - ei[k]!)).toBeLessThan(1e-9 * n);
      }
      fftPlan(n).transform(xr, xi, true);
      for (let k = 0; k < n; k++) expect(xr[k]! / n).toBeCloseTo(re[k]!, 10);
    });
  }
  it('nextSmoothSize finds 2·3·5-smooth lengths', () => {
    expect(nextSmoothSize(97)).toBe(100);
    expect(nextSmoothSize(128)).toBe(128);
    expect(nextSmoothSize(61)).toBe(64);
  });
});

describe('real 3D FFT', () => {
  for (const shape of [
    [4, 6, 8],
    [3, 5, 7],
    [1, 1, 9],
    [5, 4, 10],
    [2, 3, 1],
  ] as [number, number, number][]) {
    it(`matches the naive 3D DFT and round-trips for ${shape.join('×')}`, () => {
      const r = rand(shape[0] * 100 + shape[2]);
      const n = shape[0] * shape[1] * shape[2];
      const data = Float64Array.from({ length: n }, r);
      const spec = rfft3d(data, shape);
      const ref = naiveDft3dHalf(data, shape);
      for (let i = 0; i < ref.re.length; i++) {
        expect(spec.re[i]).toBeCloseTo(ref.re[i]!, 9);
        expect(spec.im[i]).toBeCloseTo(ref.im[i]!, 9);
      }
      const back = irfft3d(spec);
      for (let i = 0; i < n; i++) expect(back[i]).toBeCloseTo(data[i]!, 10);
    });
  }
  it('works in float32 storage', () => {
    const shape: [number, number, number] = [6, 10, 12];
    const r = rand(7);
    const data = Float32Array.from({ length: 720 }, r);
    const back = irfft3d(rfft3d(data, shape));
    expect(back).toBeInstanceOf(Float32Array);
    for (let i = 0; i < 720; i++) expect(Math.abs(back[i]! - data[i]!)).toBeLessThan(1e-6);
  });
});
