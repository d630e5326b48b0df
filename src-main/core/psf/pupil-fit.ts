// A direct, non-blind fit of the pupil model (pupil.ts) to a measured bead stack, as a PSF distiller does:
// the known optics are given, the unknowns (position, depth-induced spherical aberration, apodisation,
// Zernike 5–11, bead size, light sheet) are fitted by L-BFGS on 1 − r², r the Pearson correlation of model and data, which is the
// least-squares residual with the amplitude and background solved in closed form (variable projection,
// Golub & Pereyra 1973). Uncertainties: the Gauss–Newton covariance σ²·(JᵀJ)⁻¹ at the optimum, J by central
// differences of the model, amplitude and background included as columns. The model is bead-model.ts: the
// pupil PSF blurred by the bead's size and, for light-sheet data, times the sheet's axial profile.
import { InvalidParameterError, InvalidVolumeError } from '../errors';
import { makeVolume, type Volume } from '../io/volume';
import { unitToMicrons } from '../io/metadata';
import { analysePsf } from './analysis';
import { BEAD_PARAM_COUNT as P_COUNT, BEAD_PARAM_NAMES, BeadPsf } from './bead-model';
import { invertSymmetric, minimiseLbfgs, type Objective } from './lbfgs';

export interface BeadOptics {
  na: number;
  wavelength: number;
  ni: number;
  ns: number;
}

export interface PupilFitOptions {
  oversampling?: number;
  /** L-BFGS iterations (default 60). */
  iterations?: number;
  /** Box [z, y, x] to fit around the brightest voxel (default: about ±4 Airy radii laterally, ±21 planes). */
  box?: [number, number, number];
  /** Fit a light sheet's axial excitation profile too (lattice / light-sheet PSFs). Default false. */
  lightSheet?: boolean;
  /** Defocus model (pupil.ts): 'exact' (default) or 'paraxial' Born–Wolf. */
  defocus?: 'exact' | 'paraxial';
  /** Box [z, y, x] of the PSF written out (odd; default: the fitted box). */
  psfSize?: [number, number, number];
}

export interface PupilFitResult {
  params: Record<string, { value: number; sigma: number; unit: string }>;
  /** Pearson correlation of the fitted PSF (with its amplitude and background) with the bead box. */
  ncc: number;
  /** FWHM (µm) of the bead box, of the fitted model of it, and of the PSF (the model without the bead's size). */
  fwhm: {
    measured: { x: number; y: number; z: number };
    fitted: { x: number; y: number; z: number };
    psf: { x: number; y: number; z: number };
  };
  /** 0.51·λ / lateral FWHM of the PSF: the NA an aberration-free pupil of that width would have. */
  naEffective: number;
  box: [number, number, number];
  iterations: number;
  /** The fitted PSF without the bead's size, centred on its box (odd, default the fit's), sum 1, the bead's voxel size. */
  psf: Volume;
}

const UNITS = ['µm', 'µm', 'µm', 'µm', '', 'rad', 'rad', 'rad', 'rad', 'rad', 'rad', 'rad', 'µm', '1/µm'];
/** Step scale per parameter: L-BFGS works on θ/scale so that all unknowns are O(1). */
const SCALE = [0.05, 0.05, 0.1, 2, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.05, 0.3];
/** Starts off zero for the two whose gradient vanishes at zero (σ_b², ω² enter the model). */
const BEAD_SIGMA_START = 0.03,
  SHEET_START = 0.5;
/** Emitter depths (µm) tried as starts when the sample and immersion indices differ. */
const DEPTH_STARTS = [-10, -5, 0, 5, 10, 20];

const oddAtMost = (want: number, have: number) => {
  const k = Math.min(want, have);
  return k % 2 === 1 ? k : k - 1;
};

/** The box around the brightest voxel, clipped to the stack, and its data. */
function cropBead(
  bead: Volume,
  box: [number, number, number],
): { data: Float64Array; shape: [number, number, number]; at: [number, number, number] } {
  const [, ny, nx] = bead.shape;
  let best = 0;
  for (let i = 1; i < bead.data.length; i++) if (bead.data[i]! > bead.data[best]!) best = i;
  const peak = [Math.floor(best / (ny * nx)), Math.floor(best / nx) % ny, best % nx];
  const shape = box.map((b, a) => oddAtMost(b, bead.shape[a]!)) as [number, number, number];
  const at = shape.map((s, a) => Math.min(Math.max(0, peak[a]! - Math.floor(s / 2)), bead.shape[a]! - s)) as [
    number,
    number,
    number,
  ];
  const data = new Float64Array(shape[0] * shape[1] * shape[2]);
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++)
      for (let x = 0; x < shape[2]; x++) {
        data[(z * shape[1] + y) * shape[2] + x] = bead.data[((z + at[0]) * ny + y + at[1]) * nx + x + at[2]]!;
      }
  return { data, shape, at };
}

/** 1 − r² and its gradient with respect to the model m (r: Pearson correlation with the data d). */
export function correlationLoss(m: Float64Array, d: Float64Array): { loss: number; r: number; grad: Float64Array } {
  const n = m.length;
  let mm = 0,
    md = 0;
  for (let i = 0; i < n; i++) {
    mm += m[i]!;
    md += d[i]!;
  }
  mm /= n;
  md /= n;
  let smd = 0,
    smm = 0,
    sdd = 0;
  for (let i = 0; i < n; i++) {
    const a = m[i]! - mm,
      b = d[i]! - md;
    smd += a * b;
    smm += a * a;
    sdd += b * b;
  }
  const nm = Math.sqrt(smm),
    nd = Math.sqrt(sdd),
    r = smd / (nm * nd);
  const grad = new Float64Array(n);
  for (let i = 0; i < n; i++) grad[i] = -2 * r * ((d[i]! - md) / (nm * nd) - (r * (m[i]! - mm)) / smm);
  return { loss: 1 - r * r, r, grad };
}

/** Intensity-weighted centroid of (data − min) in voxels. */
function centroid(data: Float64Array, shape: [number, number, number]): [number, number, number] {
  let lo = Infinity;
  for (const v of data) lo = Math.min(lo, v);
  const c = [0, 0, 0];
  let s = 0;
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++)
      for (let x = 0; x < shape[2]; x++) {
        const w = (data[(z * shape[1] + y) * shape[2] + x]! - lo) ** 2;
        c[0]! += w * z;
        c[1]! += w * y;
        c[2]! += w * x;
        s += w;
      }
  return c.map((v) => v / s) as [number, number, number];
}

export function fitPupilToBead(bead: Volume, optics: BeadOptics, opts: PupilFitOptions = {}): PupilFitResult {
  const toUm = unitToMicrons(bead.voxelSize.unit);
  if (toUm === undefined)
    throw new InvalidVolumeError(
      `the bead stack's voxel size is in "${bead.voxelSize.unit}", not a length: give --voxel-size X,Y,Zum`,
    );
  const dxy = bead.voxelSize.x * toUm,
    dy = bead.voxelSize.y * toUm,
    dz = bead.voxelSize.z * toUm;
  if (!(dxy > 0 && dz > 0)) throw new InvalidVolumeError('the bead stack has no voxel size: give --voxel-size X,Y,Zum');
  if (Math.abs(dxy - dy) > 1e-3 * dxy)
    throw new InvalidParameterError('voxel size', `x ${dxy} and y ${dy} differ: the pupil model needs square pixels`);
  if (bead.shape.some((s) => s < 5))
    throw new InvalidVolumeError(`the bead stack ${bead.shape.join('×')} needs at least 5 voxels per axis`);
  const airy = (0.61 * optics.wavelength) / optics.na / dxy;
  const half = Math.max(6, Math.ceil(4 * airy));
  const box = opts.box ?? [43, 2 * half + 1, 2 * half + 1];
  const crop = cropBead(bead, box);
  const psfSize = opts.psfSize ?? crop.shape;
  if (psfSize.some((k) => !Number.isInteger(k) || k < 1 || k % 2 === 0))
    throw new InvalidParameterError(
      'PSF size',
      `${psfSize.join(',')} must be odd on every axis (the PSF's centre on a voxel)`,
    );
  const grid = { dxy, dz, oversampling: opts.oversampling ?? 2, defocus: opts.defocus };
  const model = new BeadPsf({ ...optics, ...grid, size: crop.shape });
  const free = BEAD_PARAM_NAMES.map((name) => name !== 'sheet' || opts.lightSheet === true);
  const c = centroid(crop.data, crop.shape);
  const theta0 = new Array<number>(P_COUNT).fill(0);
  theta0[P_COUNT - 2] = BEAD_SIGMA_START;
  if (opts.lightSheet) theta0[P_COUNT - 1] = SHEET_START;
  theta0[0] = (c[2] - Math.floor(crop.shape[2] / 2)) * dxy;
  theta0[1] = (c[1] - Math.floor(crop.shape[1] / 2)) * dxy;
  theta0[2] = (c[0] - Math.floor(crop.shape[0] / 2)) * dz;
  const toTheta = (u: number[]) => u.map((v, p) => v * SCALE[p]!);
  const objective = (u: number[]) => {
    const m = model.forward(toTheta(u));
    const { loss, grad } = correlationLoss(m, crop.data);
    return { value: loss, grad: model.gradient(grad).map((g, p) => (free[p] ? g * SCALE[p]! : 0)) };
  };
  const opt = minimiseLbfgs(objective, bestStart(objective, theta0, optics), opts.iterations ?? 60);
  const theta = toTheta(opt.x);
  const m = model.forward(theta);
  const { r } = correlationLoss(m, crop.data);
  const sigma = gaussNewtonSigma(model, theta, m, crop.data, free);
  // The PSF proper: centred, without the bead's size (the sheet, when fitted, is part of the system PSF).
  const centred = theta.map((v, p) => (p <= 2 || p === P_COUNT - 2 ? 0 : v));
  const psf = new BeadPsf({ ...optics, ...grid, size: psfSize }).forward(centred);
  return summarise(bead, optics, crop, theta, m, psf, psfSize, r, sigma, opt.iterations);
}

/**
 * The depth aberration has local minima a few µm apart (the fit from depth 0 stalls on a deep bead): with
 * ns ≠ ni, a short fit from each of several depths picks the start. Returns the start in scaled units.
 */
function bestStart(objective: (u: number[]) => { value: number }, theta0: number[], optics: BeadOptics): number[] {
  const u0 = theta0.map((v, p) => v / SCALE[p]!);
  if (Math.abs(optics.ns - optics.ni) < 1e-3) return u0;
  let best = u0,
    value = Infinity;
  for (const depth of DEPTH_STARTS) {
    const u = [...u0];
    u[3] = depth / SCALE[3]!;
    const r = minimiseLbfgs(objective as Objective, u, 8);
    if (r.value < value) {
      value = r.value;
      best = r.x;
    }
  }
  return best;
}

/** Standard deviations from σ²·(JᵀJ)⁻¹ with the amplitude and background as two extra columns. */
function gaussNewtonSigma(
  model: BeadPsf,
  theta: number[],
  m: Float64Array,
  d: Float64Array,
  free: boolean[],
): number[] {
  const n = m.length,
    P = P_COUNT;
  const { a, b } = affineFit(m, d);
  const cols: Float64Array[] = [];
  for (let p = 0; p < P; p++) {
    if (!free[p]) {
      cols.push(new Float64Array(n));
      continue;
    }
    const h = 1e-3 * SCALE[p]!;
    const tp = [...theta],
      tm = [...theta];
    tp[p]! += h;
    tm[p]! -= h;
    const fp = model.forward(tp),
      fm = model.forward(tm);
    cols.push(Float64Array.from(fp, (v, i) => (a * (v - fm[i]!)) / (2 * h)));
  }
  // A parameter held fixed, or one the model does not depend on here (depth when ns = ni), has a zero column: left out, σ NaN.
  const used = cols.map((c) => c.some((v) => Math.abs(v) > 0));
  const kept = cols.filter((_, p) => used[p]);
  kept.push(m, new Float64Array(n).fill(1));
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (d[i]! - a * m[i]! - b) ** 2;
  const s2 = rss / Math.max(1, n - kept.length);
  const k = kept.length,
    jtj = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = i; j < k; j++) {
      let s = 0;
      const ci = kept[i]!,
        cj = kept[j]!;
      for (let t = 0; t < n; t++) s += ci[t]! * cj[t]!;
      jtj[i * k + j] = jtj[j * k + i] = s;
    }
  // Columns scaled to unit norm before inverting (Jacobi equilibration): the amplitude column is the model itself
  // and dwarfs the derivative columns by ~10¹⁷ when the data are small numbers (a unit-sum PSF), which a pivot
  // threshold relative to the largest entry would take for singular. (JᵀJ)⁻¹ = D⁻¹ (D⁻¹JᵀJD⁻¹)⁻¹ D⁻¹.
  const norm = Array.from({ length: k }, (_, i) => Math.sqrt(jtj[i * k + i]!) || 1);
  const inv = invertSymmetric(
    jtj.map((v, ij) => v / (norm[Math.floor(ij / k)]! * norm[ij % k]!)),
    k,
  );
  const sigma: number[] = [];
  let col = 0;
  for (let p = 0; p < P; p++) {
    if (!used[p]) {
      sigma.push(NaN);
      continue;
    }
    sigma.push(inv ? Math.sqrt(Math.max(0, s2 * inv[col * k + col]!)) / norm[col]! : NaN);
    col++;
  }
  return sigma;
}

function affineFit(m: Float64Array, d: Float64Array): { a: number; b: number } {
  const n = m.length;
  let mm = 0,
    md = 0;
  for (let i = 0; i < n; i++) {
    mm += m[i]!;
    md += d[i]!;
  }
  mm /= n;
  md /= n;
  let smd = 0,
    smm = 0;
  for (let i = 0; i < n; i++) {
    smd += (m[i]! - mm) * (d[i]! - md);
    smm += (m[i]! - mm) ** 2;
  }
  const a = smd / smm;
  return { a, b: md - a * mm };
}

function summarise(
  bead: Volume,
  optics: BeadOptics,
  crop: ReturnType<typeof cropBead>,
  theta: number[],
  m: Float64Array,
  psfData: Float64Array,
  psfSize: [number, number, number],
  r: number,
  sigma: number[],
  iterations: number,
): PupilFitResult {
  const unitSum = (d: Float64Array, shape: [number, number, number]) => {
    let s = 0;
    for (const v of d) s += v;
    return makeVolume(
      Float32Array.from(d, (v) => v / s),
      shape,
      { ...bead.voxelSize },
      'computed',
    );
  };
  const psf = unitSum(psfData, psfSize);
  psf.metadata.intensityScale = 'PSF, sum 1';
  psf.metadata.extra = {
    psfModel: 'pupil (fitted to a bead)',
    na: String(optics.na),
    wavelength: String(optics.wavelength),
    ni: String(optics.ni),
    ns: String(optics.ns),
  };
  const measuredVol = makeVolume(Float32Array.from(crop.data), crop.shape, { ...bead.voxelSize }, 'computed');
  const measured = analysePsf(measuredVol, { background: 'auto' }).fwhm;
  const fitted = analysePsf(unitSum(m, crop.shape)).fwhm,
    psfFwhm = analysePsf(psf).fwhm;
  const params: PupilFitResult['params'] = {};
  BEAD_PARAM_NAMES.forEach((name, p) => {
    params[name] = { value: theta[p]!, sigma: sigma[p]!, unit: UNITS[p]! };
  });
  return {
    params,
    ncc: r,
    fwhm: { measured, fitted, psf: psfFwhm },
    naEffective: (0.51 * optics.wavelength) / ((psfFwhm.x + psfFwhm.y) / 2),
    box: crop.shape,
    iterations,
    psf,
  };
}
