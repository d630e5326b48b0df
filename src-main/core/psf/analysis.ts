// PSF inspection: centroid and offset from the volume centre, FWHM along x/y/z (Gaussian fit of
// the log-profile through the peak), sum, negativity, asymmetry, and normalised cross-correlation
// against a reference PSF after both are centred on their peaks.
import { InvalidVolumeError } from '../errors';
import type { Volume } from '../io/volume';
import { resamplePsf } from '../deconv/grid';
import { percentile } from '../metrics/normalise';

type V3 = [number, number, number];

export interface PsfInfo {
  shape: V3;
  voxelSize: { x: number; y: number; z: number; unit: string };
  /** Background subtracted before analysis (0 when none). */
  background: number;
  sum: number;
  max: number;
  /** Peak voxel and intensity-weighted centroid, [z, y, x] in voxels. */
  peak: V3;
  centroid: V3;
  /** Centroid minus the volume centre floor(size/2), in voxels and in voxel-size units. */
  offsetVoxels: V3;
  offset: { x: number; y: number; z: number };
  /** FWHM in voxel-size units (NaN when the profile has no clear peak). */
  fwhm: { x: number; y: number; z: number };
  /** Σ|negative values| / Σ|values| (after background subtraction). */
  negativity: number;
  /** (mass beyond the peak − mass before it) / mass, per axis, in a window symmetric about the peak. */
  asymmetry: { x: number; y: number; z: number };
  /** Normalised cross-correlation with the reference, when one was given. */
  ncc?: number;
}

/** Median of the voxels on the six faces of the volume: the background of a measured bead. */
export function borderBackground(v: Volume): number {
  const [nz, ny, nx] = v.shape,
    vals: number[] = [];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        if (z === 0 || y === 0 || x === 0 || z === nz - 1 || y === ny - 1 || x === nx - 1)
          vals.push(v.data[(z * ny + y) * nx + x]!);
      }
  return percentile(vals, 50);
}

/** FWHM (in samples) of a 1D profile by a Gaussian fit of log(profile) near the peak at index p. */
export function gaussianFwhm(profile: ArrayLike<number>, p: number): number {
  const peak = profile[p]!;
  if (!(peak > 0)) return NaN;
  let lo = p,
    hi = p;
  while (lo > 0 && profile[lo - 1]! > 0.25 * peak && profile[lo - 1]! <= profile[lo]!) lo--;
  while (hi < profile.length - 1 && profile[hi + 1]! > 0.25 * peak && profile[hi + 1]! <= profile[hi]!) hi++;
  if (hi - lo < 2) {
    if (lo > 0 && profile[lo - 1]! > 0) lo--;
    if (hi < profile.length - 1 && profile[hi + 1]! > 0) hi++;
  }
  if (hi - lo < 2) return NaN;
  // Weighted least squares of log(y) = a + b·t + c·t², weights y² (Caruana/Guo).
  const m = new Float64Array(9),
    r = new Float64Array(3);
  for (let i = lo; i <= hi; i++) {
    const y = profile[i]!,
      t = i - p,
      w = y * y,
      ly = Math.log(y);
    const basis = [1, t, t * t];
    for (let a = 0; a < 3; a++) {
      r[a]! += w * basis[a]! * ly;
      for (let b = 0; b < 3; b++) m[a * 3 + b]! += w * basis[a]! * basis[b]!;
    }
  }
  const c = solve3(m, r)[2]!;
  if (!(c < 0)) return NaN;
  return 2 * Math.sqrt(2 * Math.LN2) * Math.sqrt(-1 / (2 * c));
}

function solve3(m: Float64Array, r: Float64Array): number[] {
  const det = (a: number[]) =>
    a[0]! * (a[4]! * a[8]! - a[5]! * a[7]!) -
    a[1]! * (a[3]! * a[8]! - a[5]! * a[6]!) +
    a[2]! * (a[3]! * a[7]! - a[4]! * a[6]!);
  const base = Array.from(m),
    d = det(base);
  return [0, 1, 2].map((col) => {
    const a = base.slice();
    for (let row = 0; row < 3; row++) a[row * 3 + col] = r[row]!;
    return det(a) / d;
  });
}

function peakIndex(data: Float32Array, shape: V3): V3 {
  let best = 0;
  for (let i = 1; i < data.length; i++) if (data[i]! > data[best]!) best = i;
  const plane = shape[1] * shape[2];
  return [Math.floor(best / plane), Math.floor((best % plane) / shape[2]), best % shape[2]];
}

/** Pearson correlation of two PSFs after shifting each so its peak is the centre of a common box. */
export function centredNcc(a: Float32Array, aShape: V3, b: Float32Array, bShape: V3): number {
  const pa = peakIndex(a, aShape),
    pb = peakIndex(b, bShape);
  // half-extent covered by both around their peaks
  const half = [0, 1, 2].map((k) => Math.min(pa[k]!, aShape[k]! - 1 - pa[k]!, pb[k]!, bShape[k]! - 1 - pb[k]!));
  const xs: number[] = [],
    ys: number[] = [];
  for (let z = -half[0]!; z <= half[0]!; z++)
    for (let y = -half[1]!; y <= half[1]!; y++)
      for (let x = -half[2]!; x <= half[2]!; x++) {
        xs.push(a[((pa[0] + z) * aShape[1] + pa[1] + y) * aShape[2] + pa[2] + x]!);
        ys.push(b[((pb[0] + z) * bShape[1] + pb[1] + y) * bShape[2] + pb[2] + x]!);
      }
  const n = xs.length,
    mx = xs.reduce((s, v) => s + v, 0) / n,
    my = ys.reduce((s, v) => s + v, 0) / n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx,
      dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

export interface AnalyseOptions {
  /** Value to subtract, or 'auto' for the median of the faces. Default: none. */
  background?: number | 'auto';
  reference?: Volume;
}

export function analysePsf(psf: Volume, opts: AnalyseOptions = {}): PsfInfo {
  const shape = [...psf.shape] as V3,
    [nz, ny, nx] = shape;
  if (psf.data.length === 0) throw new InvalidVolumeError('the PSF is empty');
  const background = opts.background === 'auto' ? borderBackground(psf) : (opts.background ?? 0);
  const d = psf.data.map((v) => v - background);
  let sum = 0,
    absSum = 0,
    neg = 0,
    max = -Infinity;
  const cen = [0, 0, 0];
  let mass = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const v = d[(z * ny + y) * nx + x]!;
        sum += v;
        absSum += Math.abs(v);
        if (v < 0) neg -= v;
        if (v > max) max = v;
        if (v > 0) {
          mass += v;
          cen[0]! += v * z;
          cen[1]! += v * y;
          cen[2]! += v * x;
        }
      }
  if (!(mass > 0))
    throw new InvalidVolumeError('the PSF has no positive intensity', 'Check the file, or lower the background.');
  const centroid = cen.map((c) => c / mass) as V3;
  const peak = peakIndex(d, shape);
  const offsetVoxels = centroid.map((c, k) => c - Math.floor(shape[k]! / 2)) as V3;
  const vs = psf.voxelSize,
    size = [vs.z, vs.y, vs.x];
  const profile = (axis: number) =>
    Array.from({ length: shape[axis]! }, (_, i) => {
      const idx = [...peak];
      idx[axis] = i;
      return Math.max(0, d[(idx[0]! * ny + idx[1]!) * nx + idx[2]!]!);
    });
  const fw = [0, 1, 2].map((a) => gaussianFwhm(profile(a), peak[a]!) * size[a]!);
  const asym = [0, 1, 2].map((axis) => {
    const w = Math.min(peak[axis]!, shape[axis]! - 1 - peak[axis]!);
    let plus = 0,
      minus = 0,
      all = 0;
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          const pos = [z, y, x][axis]! - peak[axis]!;
          if (Math.abs(pos) > w) continue;
          const v = Math.max(0, d[(z * ny + y) * nx + x]!);
          all += v;
          if (pos > 0) plus += v;
          else if (pos < 0) minus += v;
        }
    return all > 0 ? (plus - minus) / all : 0;
  });
  const info: PsfInfo = {
    shape,
    voxelSize: { ...vs },
    background,
    sum,
    max,
    peak,
    centroid,
    offsetVoxels,
    offset: { z: offsetVoxels[0] * vs.z, y: offsetVoxels[1] * vs.y, x: offsetVoxels[2] * vs.x },
    fwhm: { z: fw[0]!, y: fw[1]!, x: fw[2]! },
    negativity: absSum > 0 ? neg / absSum : 0,
    asymmetry: { z: asym[0]!, y: asym[1]!, x: asym[2]! },
  };
  if (opts.reference) {
    let ref = { data: opts.reference.data, shape: [...opts.reference.shape] as V3 };
    const rv = opts.reference.voxelSize;
    if (
      rv.unit === vs.unit &&
      vs.unit !== 'px' &&
      (['x', 'y', 'z'] as const).some((k) => Math.abs(rv[k] - vs[k]) > 0.01 * vs[k])
    ) {
      ref = resamplePsf(ref.data, ref.shape, [rv.z, rv.y, rv.x], [vs.z, vs.y, vs.x]);
    }
    info.ncc = centredNcc(d, shape, ref.data, ref.shape);
  }
  return info;
}
