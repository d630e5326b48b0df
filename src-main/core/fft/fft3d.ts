// Real-to-complex 3D FFT on z-major [z, y, x] arrays, any size. The spectrum keeps the
// non-redundant half along x (nx/2 + 1 bins), stored as separate re/im arrays in the same
// precision as the input (Float32Array or Float64Array); each 1D line is transformed in float64.
import { fftPlan } from './fft1d';

export type RealArray = Float32Array | Float64Array;
export type Shape3 = readonly [number, number, number];

export interface HalfSpectrum<T extends RealArray = RealArray> {
  re: T;
  im: T;
  /** Shape of the real volume this is the spectrum of. */
  shape: [number, number, number];
  /** Bins along x: floor(nx / 2) + 1. */
  nxh: number;
}

export function halfSpectrumSize(shape: Shape3): number {
  return shape[0] * shape[1] * (Math.floor(shape[2] / 2) + 1);
}

function newLike<T extends RealArray>(like: T, n: number): T {
  return (like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n)) as T;
}

/** Complex FFT along y and z of a half spectrum (in place). */
function transformYZ(re: RealArray, im: RealArray, nz: number, ny: number, nxh: number, inverse: boolean): void {
  if (ny > 1) {
    const plan = fftPlan(ny), lr = new Float64Array(ny), li = new Float64Array(ny);
    for (let z = 0; z < nz; z++) {
      for (let x = 0; x < nxh; x++) {
        const base = z * ny * nxh + x;
        for (let y = 0; y < ny; y++) { lr[y] = re[base + y * nxh]; li[y] = im[base + y * nxh]; }
        plan.transform(lr, li, inverse);
        for (let y = 0; y < ny; y++) { re[base + y * nxh] = lr[y]; im[base + y * nxh] = li[y]; }
      }
    }
  }
  if (nz > 1) {
    const plan = fftPlan(nz), lr = new Float64Array(nz), li = new Float64Array(nz);
    const plane = ny * nxh;
    for (let i = 0; i < plane; i++) {
      for (let z = 0; z < nz; z++) { lr[z] = re[i + z * plane]; li[z] = im[i + z * plane]; }
      plan.transform(lr, li, inverse);
      for (let z = 0; z < nz; z++) { re[i + z * plane] = lr[z]; im[i + z * plane] = li[z]; }
    }
  }
}

/** Forward real 3D FFT. Two real rows are packed into one complex FFT along x. */
export function rfft3d<T extends RealArray>(data: T, shape: Shape3): HalfSpectrum<T> {
  const [nz, ny, nx] = shape;
  if (data.length !== nz * ny * nx) throw new RangeError(`data length ${data.length} does not match shape ${shape.join('×')}`);
  const nxh = Math.floor(nx / 2) + 1;
  const rows = nz * ny;
  const re = newLike(data, rows * nxh), im = newLike(data, rows * nxh);
  const plan = fftPlan(nx), zr = new Float64Array(nx), zi = new Float64Array(nx);
  for (let r = 0; r < rows; r += 2) {
    const pair = r + 1 < rows;
    for (let x = 0; x < nx; x++) { zr[x] = data[r * nx + x]; zi[x] = pair ? data[(r + 1) * nx + x] : 0; }
    plan.transform(zr, zi);
    for (let k = 0; k < nxh; k++) {
      const j = (nx - k) % nx;
      const ar = zr[k], ai = zi[k], wr = zr[j], wi = zi[j];
      re[r * nxh + k] = (ar + wr) / 2; im[r * nxh + k] = (ai - wi) / 2;
      if (pair) { re[(r + 1) * nxh + k] = (ai + wi) / 2; im[(r + 1) * nxh + k] = (wr - ar) / 2; }
    }
  }
  transformYZ(re, im, nz, ny, nxh, false);
  return { re, im, shape: [nz, ny, nx], nxh };
}

/**
 * Inverse of rfft3d (normalised: irfft3d(rfft3d(v)) = v). The spectrum is used as scratch and
 * is overwritten. The output has the precision of the spectrum unless `out` is given.
 */
export function irfft3d<T extends RealArray>(spec: HalfSpectrum<T>, out?: RealArray): RealArray {
  const [nz, ny, nx] = spec.shape;
  const { re, im, nxh } = spec;
  transformYZ(re, im, nz, ny, nxh, true);
  const rows = nz * ny;
  const result = out ?? newLike(re, rows * nx);
  const plan = fftPlan(nx), zr = new Float64Array(nx), zi = new Float64Array(nx);
  const scale = 1 / (nx * ny * nz);
  for (let r = 0; r < rows; r += 2) {
    const pair = r + 1 < rows;
    for (let k = 0; k < nx; k++) {
      // Hermitian completion: A[k] = conj(A[nx-k]) for k beyond the stored half.
      const stored = k < nxh;
      const kk = stored ? k : nx - k, sign = stored ? 1 : -1;
      const ar = re[r * nxh + kk], ai = sign * im[r * nxh + kk];
      const br = pair ? re[(r + 1) * nxh + kk] : 0, bi = pair ? sign * im[(r + 1) * nxh + kk] : 0;
      zr[k] = ar - bi; zi[k] = ai + br;
    }
    plan.transform(zr, zi, true);
    for (let x = 0; x < nx; x++) {
      result[r * nx + x] = zr[x] * scale;
      if (pair) result[(r + 1) * nx + x] = zi[x] * scale;
    }
  }
  return result;
}

/** Naive O(N²) 3D DFT of a real volume into a half spectrum, for tests only. */
export function naiveDft3dHalf(data: ArrayLike<number>, shape: Shape3): { re: Float64Array; im: Float64Array } {
  const [nz, ny, nx] = shape;
  const nxh = Math.floor(nx / 2) + 1;
  const re = new Float64Array(nz * ny * nxh), im = new Float64Array(nz * ny * nxh);
  for (let kz = 0; kz < nz; kz++) for (let ky = 0; ky < ny; ky++) for (let kx = 0; kx < nxh; kx++) {
    let sr = 0, si = 0;
    for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
      const ph = -2 * Math.PI * ((kz * z) / nz + (ky * y) / ny + (kx * x) / nx);
      const v = data[(z * ny + y) * nx + x];
      sr += v * Math.cos(ph); si += v * Math.sin(ph);
    }
    re[(kz * ny + ky) * nxh + kx] = sr; im[(kz * ny + ky) * nxh + kx] = si;
  }
  return { re, im };
}
