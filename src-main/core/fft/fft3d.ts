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

/** Lines gathered per block in the z pass: contiguous reads/writes instead of one strided line at a time. */
const BLOCK = 64;

/**
 * Complex FFT along y and z of a half spectrum (in place). Both passes gather a block of lines
 * into a small line-major buffer with contiguous row reads (a blocked transpose), transform
 * each line there, and scatter them back the same way, so memory is touched row by row.
 */
function transformYZ(
  re: RealArray,
  im: RealArray,
  nz: number,
  ny: number,
  nxh: number,
  inverse: boolean,
  yPlanes = nz,
): void {
  // Forward: y then z; inverse: z then y. The y pass runs only on planes z < yPlanes (the others
  // are all-zero before a forward transform, or not needed after an inverse one).
  if (inverse) zPass(re, im, nz, ny, nxh, inverse);
  if (ny > 1) {
    const plan = fftPlan(ny);
    const br = new Float64Array(nxh * ny),
      bi = new Float64Array(nxh * ny);
    for (let z = 0; z < yPlanes; z++) {
      const zb = z * ny * nxh;
      for (let y = 0; y < ny; y++) {
        const row = zb + y * nxh;
        for (let x = 0; x < nxh; x++) {
          br[x * ny + y] = re[row + x]!;
          bi[x * ny + y] = im[row + x]!;
        }
      }
      for (let x = 0; x < nxh; x++) {
        const o = x * ny;
        plan.transform(br.subarray(o, o + ny), bi.subarray(o, o + ny), inverse);
      }
      for (let y = 0; y < ny; y++) {
        const row = zb + y * nxh;
        for (let x = 0; x < nxh; x++) {
          re[row + x] = br[x * ny + y]!;
          im[row + x] = bi[x * ny + y]!;
        }
      }
    }
  }
  if (!inverse) zPass(re, im, nz, ny, nxh, inverse);
}

function zPass(re: RealArray, im: RealArray, nz: number, ny: number, nxh: number, inverse: boolean): void {
  if (nz > 1) {
    const plan = fftPlan(nz),
      plane = ny * nxh;
    const br = new Float64Array(BLOCK * nz),
      bi = new Float64Array(BLOCK * nz);
    for (let i0 = 0; i0 < plane; i0 += BLOCK) {
      const w = Math.min(BLOCK, plane - i0);
      for (let z = 0; z < nz; z++) {
        const src = z * plane + i0;
        for (let j = 0; j < w; j++) {
          br[j * nz + z] = re[src + j]!;
          bi[j * nz + z] = im[src + j]!;
        }
      }
      for (let j = 0; j < w; j++) {
        const o = j * nz;
        plan.transform(br.subarray(o, o + nz), bi.subarray(o, o + nz), inverse);
      }
      for (let z = 0; z < nz; z++) {
        const dst = z * plane + i0;
        for (let j = 0; j < w; j++) {
          re[dst + j] = br[j * nz + z]!;
          im[dst + j] = bi[j * nz + z]!;
        }
      }
    }
  }
}

/** Forward real 3D FFT. Two real rows are packed into one complex FFT along x. */
/** `out`, when given, receives the spectrum (its re/im must hold halfSpectrumSize(shape) values), avoiding allocation. */
/** `support` [sz, sy], when given, promises data is zero outside z < sz, y < sy (skips work; exact). */
export function rfft3d<T extends RealArray>(
  data: T,
  shape: Shape3,
  out?: HalfSpectrum<T>,
  support?: readonly [number, number],
): HalfSpectrum<T> {
  const [nz, ny, nx] = shape;
  if (data.length !== nz * ny * nx)
    throw new RangeError(`data length ${data.length} does not match shape ${shape.join('×')}`);
  const nxh = Math.floor(nx / 2) + 1;
  const rows = nz * ny;
  if (out && (out.re.length !== rows * nxh || out.im.length !== rows * nxh))
    throw new RangeError('output spectrum has the wrong size');
  const re = out ? out.re : newLike(data, rows * nxh),
    im = out ? out.im : newLike(data, rows * nxh);
  const plan = fftPlan(nx),
    zr = new Float64Array(nx),
    zi = new Float64Array(nx);
  const [sz, sy] = support ?? [nz, ny];
  const inSupport = (r: number) => r < rows && Math.floor(r / ny) < sz && r % ny < sy;
  for (let r = 0; r < rows; r += 2) {
    const pair = r + 1 < rows;
    if (!inSupport(r) && !inSupport(r + 1)) {
      re.fill(0, r * nxh, (pair ? r + 2 : r + 1) * nxh);
      im.fill(0, r * nxh, (pair ? r + 2 : r + 1) * nxh);
      continue;
    }
    for (let x = 0; x < nx; x++) {
      zr[x] = data[r * nx + x]!;
      zi[x] = pair ? data[(r + 1) * nx + x]! : 0;
    }
    plan.transform(zr, zi);
    for (let k = 0; k < nxh; k++) {
      const j = (nx - k) % nx;
      const ar = zr[k]!,
        ai = zi[k]!,
        wr = zr[j]!,
        wi = zi[j]!;
      re[r * nxh + k] = (ar + wr) / 2;
      im[r * nxh + k] = (ai - wi) / 2;
      if (pair) {
        re[(r + 1) * nxh + k] = (ai + wi) / 2;
        im[(r + 1) * nxh + k] = (wr - ar) / 2;
      }
    }
  }
  transformYZ(re, im, nz, ny, nxh, false, Math.min(sz, nz));
  if (out) {
    out.shape = [nz, ny, nx];
    out.nxh = nxh;
    return out;
  }
  return { re, im, shape: [nz, ny, nx], nxh };
}

/**
 * Inverse of rfft3d (normalised: irfft3d(rfft3d(v)) = v). The spectrum is used as scratch and
 * is overwritten. The output has the precision of the spectrum unless `out` is given. With
 * `support` [sz, sy], only rows z < sz, y < sy of the output are guaranteed (other rows: unspecified).
 */
export function irfft3d<T extends RealArray>(
  spec: HalfSpectrum<T>,
  out?: RealArray,
  support?: readonly [number, number],
): RealArray {
  const [nz, ny, nx] = spec.shape;
  const { re, im, nxh } = spec;
  const [sz, sy] = support ?? [nz, ny];
  transformYZ(re, im, nz, ny, nxh, true, Math.min(sz, nz));
  const rows = nz * ny;
  const result = out ?? newLike(re, rows * nx);
  const plan = fftPlan(nx),
    zr = new Float64Array(nx),
    zi = new Float64Array(nx);
  const scale = 1 / (nx * ny * nz);
  const inSupport = (r: number) => r < rows && Math.floor(r / ny) < sz && r % ny < sy;
  for (let r = 0; r < rows; r += 2) {
    const pair = r + 1 < rows;
    if (!inSupport(r) && !inSupport(r + 1)) continue;
    for (let k = 0; k < nx; k++) {
      // Hermitian completion: A[k] = conj(A[nx-k]) for k beyond the stored half.
      const stored = k < nxh;
      const kk = stored ? k : nx - k,
        sign = stored ? 1 : -1;
      const ar = re[r * nxh + kk]!,
        ai = sign * im[r * nxh + kk]!;
      const br = pair ? re[(r + 1) * nxh + kk]! : 0,
        bi = pair ? sign * im[(r + 1) * nxh + kk]! : 0;
      zr[k] = ar - bi;
      zi[k] = ai + br;
    }
    plan.transform(zr, zi, true);
    for (let x = 0; x < nx; x++) {
      result[r * nx + x] = zr[x]! * scale;
      if (pair) result[(r + 1) * nx + x] = zi[x]! * scale;
    }
  }
  return result;
}

/** Naive O(N²) 3D DFT of a real volume into a half spectrum, for tests only. */
export function naiveDft3dHalf(data: ArrayLike<number>, shape: Shape3): { re: Float64Array; im: Float64Array } {
  const [nz, ny, nx] = shape;
  const nxh = Math.floor(nx / 2) + 1;
  const re = new Float64Array(nz * ny * nxh),
    im = new Float64Array(nz * ny * nxh);
  for (let kz = 0; kz < nz; kz++)
    for (let ky = 0; ky < ny; ky++)
      for (let kx = 0; kx < nxh; kx++) {
        let sr = 0,
          si = 0;
        for (let z = 0; z < nz; z++)
          for (let y = 0; y < ny; y++)
            for (let x = 0; x < nx; x++) {
              const ph = -2 * Math.PI * ((kz * z) / nz + (ky * y) / ny + (kx * x) / nx);
              const v = data[(z * ny + y) * nx + x]!;
              sr += v * Math.cos(ph);
              si += v * Math.sin(ph);
            }
        re[(kz * ny + ky) * nxh + kx] = sr;
        im[(kz * ny + ky) * nxh + kx] = si;
      }
  return { re, im };
}
