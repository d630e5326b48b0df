// A widefield PSF computed from its pupil function, with the aberrations as parameters and an exact gradient:
// the scalar model behind Gibson & Lanni (JOSA A 8 (1991) 1601) and Hanser et al. (J. Microsc. 216 (2004) 32),
// evaluated by FFT instead of a Hankel integral so that non-symmetric aberrations (astigmatism, coma) fit.
//
//   U_z(k) = A(ρ) · exp(i·[Φ(k) + 2π·(z − z0)·kz_i(k)]),   kz_n = √((n/λ)² − |k|²),   ρ = |k|·λ/NA ≤ 1
//   Φ(k)   = −2π(kx·x0 + ky·y0) + depth·D(k) + Σ_j c_j·Z_j(ρ, θ)       (Z_j: Noll 5–11, zernike.ts)
//   E_z    = IFFT2(U_z) on an oversampled lateral grid,   I_z = |E_z|²  binned os×os to the voxel grid.
// D is the phase per µm of emitter depth in a sample of index ns seen through immersion ni (Gibson–Lanni's
// ns-layer term, 2π·kz_s) with its least-squares projection on defocus removed, so that depth carries the
// spherical aberration only and z0 the focal position (otherwise the two would trade against each other).
// A(ρ) = exp(−a·ρ²): a Gaussian apodisation (a = 0: a uniform pupil). Rays with |k| beyond min(NA, ni, ns)/λ
// are evanescent and cut.
//
// The gradient of any loss L(I) with respect to the 12 parameters follows from dL = Re Σ conj(g_U)·dU with
// g_U = FFT2(2·(∂L/∂I)·E) (the adjoint of the unnormalised inverse transform), dU = i·U·dΦ for phase terms
// and dU = −ρ²·U·da for the apodisation. Tested against central differences.
import { InvalidParameterError } from '../errors';
import { fftPlan, nextSmoothSize } from '../fft';
import { NOLL_MODES, zernike } from './zernike';

export interface PupilOptics {
  na: number;
  /** Emission wavelength, µm. */
  wavelength: number;
  /** Immersion and sample refractive indices. */
  ni: number;
  ns: number;
  /** Voxel size, µm. */
  dxy: number;
  dz: number;
  /** Output box [z, y, x]. */
  size: [number, number, number];
  /** Lateral sub-samples per voxel edge (default 2). */
  oversampling?: number;
  /** Lateral field of view of the computation over the box's (default 2: the defocus haze wraps less). */
  padding?: number;
  /** 'exact' kz (default) or Born & Wolf's paraxial kz ≈ n/λ − λ|k|²/2n (to match PSFs made that way). */
  defocus?: 'exact' | 'paraxial';
}

export const PUPIL_PARAM_NAMES = ['x0', 'y0', 'z0', 'depth', 'apodisation', ...NOLL_MODES.map((j) => `Z${j}`)] as const;
export const PUPIL_PARAM_COUNT = PUPIL_PARAM_NAMES.length;
const FIRST_ZERNIKE = 5;

function validateOptics(o: PupilOptics): void {
  const positive: [string, number][] = [
    ['na', o.na],
    ['wavelength', o.wavelength],
    ['ni', o.ni],
    ['ns', o.ns],
    ['dxy', o.dxy],
    ['dz', o.dz],
  ];
  for (const [name, v] of positive)
    if (!(Number.isFinite(v) && v > 0)) throw new InvalidParameterError(name, `must be a positive number, got ${v}`);
  if (o.na >= o.ni) throw new InvalidParameterError('na', `NA ${o.na} must be below the immersion index ${o.ni}`);
  if (o.size.some((n) => !Number.isInteger(n) || n < 1))
    throw new InvalidParameterError('size', `must be positive integers, got ${o.size.join(',')}`);
  const os = o.oversampling ?? 2;
  if (!Number.isInteger(os) || os < 1 || os > 6)
    throw new InvalidParameterError('oversampling', `must be an integer 1–6, got ${os}`);
  const pad = o.padding ?? 2;
  if (!(pad >= 1 && pad <= 4)) throw new InvalidParameterError('padding', `must be within 1–4, got ${pad}`);
}

/** In-place 2D transform of an n×n complex array (rows, then columns). */
function fft2(
  re: Float64Array,
  im: Float64Array,
  n: number,
  inverse: boolean,
  colRe: Float64Array,
  colIm: Float64Array,
): void {
  const plan = fftPlan(n);
  for (let y = 0; y < n; y++) {
    const r = re.subarray(y * n, y * n + n),
      i = im.subarray(y * n, y * n + n);
    plan.transform(r, i, inverse);
  }
  for (let x = 0; x < n; x++) {
    for (let y = 0; y < n; y++) {
      colRe[y] = re[y * n + x]!;
      colIm[y] = im[y * n + x]!;
    }
    plan.transform(colRe, colIm, inverse);
    for (let y = 0; y < n; y++) {
      re[y * n + x] = colRe[y]!;
      im[y * n + x] = colIm[y]!;
    }
  }
}

/** The pupil model on one grid: the bases are computed once, each evaluation is nz pairs of 2D FFTs. */
export class PupilPsf {
  readonly n: number;
  readonly os: number;
  readonly size: [number, number, number];
  /** Pupil samples: flat grid index, ρ², kz_i, and the phase bases per parameter (x0, y0, depth, Zernikes). */
  private readonly index: Int32Array;
  private readonly rho2: Float64Array;
  private readonly kzi: Float64Array;
  private readonly bases: Float64Array[];
  private fields: { re: Float64Array; im: Float64Array }[] = [];
  private lastTheta: number[] | null = null;
  private readonly colRe: Float64Array;
  private readonly colIm: Float64Array;

  constructor(readonly optics: PupilOptics) {
    validateOptics(optics);
    this.size = [...optics.size];
    this.os = optics.oversampling ?? 2;
    const pad = optics.padding ?? 2;
    this.n = nextSmoothSize(Math.ceil(Math.max(this.size[1], this.size[2]) * this.os * pad));
    this.colRe = new Float64Array(this.n);
    this.colIm = new Float64Array(this.n);
    const { na, wavelength: lam, ni, ns } = optics,
      n = this.n;
    const dk = 1 / (n * (optics.dxy / this.os));
    const kCut = Math.min(na, ni, ns) / lam;
    const idx: number[] = [],
      r2: number[] = [],
      kz: number[] = [],
      kzs: number[] = [],
      kx: number[] = [],
      ky: number[] = [],
      th: number[] = [];
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++) {
        const fx = (x < n / 2 ? x : x - n) * dk,
          fy = (y < n / 2 ? y : y - n) * dk;
        const k2 = fx * fx + fy * fy;
        if (k2 > kCut * kCut) continue;
        idx.push(y * n + x);
        kx.push(fx);
        ky.push(fy);
        th.push(Math.atan2(fy, fx));
        r2.push((k2 * lam * lam) / (na * na));
        kz.push(optics.defocus === 'paraxial' ? ni / lam - (lam * k2) / (2 * ni) : Math.sqrt((ni / lam) ** 2 - k2));
        kzs.push(Math.sqrt((ns / lam) ** 2 - k2));
      }
    this.index = Int32Array.from(idx);
    this.rho2 = Float64Array.from(r2);
    this.kzi = Float64Array.from(kz);
    // Sub-pixel centring: output voxel centres sit (os − 1)/2 fine samples from the sample that maps to them.
    const half = ((this.os - 1) / 2) * (optics.dxy / this.os);
    const x0 = Float64Array.from(kx, (v) => -2 * Math.PI * v),
      y0 = Float64Array.from(ky, (v) => -2 * Math.PI * v);
    this.centring = Float64Array.from(kx, (v, i) => -2 * Math.PI * (v + ky[i]!) * half);
    this.bases = [
      x0,
      y0,
      depthBasis(kzs, kz),
      ...NOLL_MODES.map((j) => Float64Array.from(r2, (q, i) => zernike(j, Math.sqrt(q), th[i]!))),
    ];
  }

  private readonly centring: Float64Array;

  /** Which base belongs to parameter p (z0 and the apodisation have none). */
  private baseOf(p: number): Float64Array | null {
    if (p <= 1) return this.bases[p]!;
    if (p === 3) return this.bases[2]!;
    if (p >= FIRST_ZERNIKE) return this.bases[p - FIRST_ZERNIKE + 3]!;
    return null;
  }

  private planeZ(iz: number, z0: number): number {
    return (iz - Math.floor(this.size[0] / 2)) * this.optics.dz - z0;
  }

  /** Intensity on the voxel grid [z, y, x] (unnormalised); keeps the fields for gradient(). */
  forward(theta: readonly number[]): Float64Array {
    if (theta.length !== PUPIL_PARAM_COUNT)
      throw new InvalidParameterError('pupil parameters', `expected ${PUPIL_PARAM_COUNT}, got ${theta.length}`);
    const [nz, ny, nx] = this.size,
      n = this.n,
      m = this.index.length;
    const amp = new Float64Array(m),
      phase = new Float64Array(m);
    for (let q = 0; q < m; q++) {
      amp[q] = Math.exp(-theta[4]! * this.rho2[q]!);
      let ph = this.centring[q]!;
      for (let p = 0; p < PUPIL_PARAM_COUNT; p++) {
        const b = this.baseOf(p);
        if (b) ph += theta[p]! * b[q]!;
      }
      phase[q] = ph;
    }
    const out = new Float64Array(nz * ny * nx);
    this.fields = [];
    for (let iz = 0; iz < nz; iz++) {
      const re = new Float64Array(n * n),
        im = new Float64Array(n * n);
      const z = 2 * Math.PI * this.planeZ(iz, theta[2]!);
      for (let q = 0; q < m; q++) {
        const ph = phase[q]! + z * this.kzi[q]!;
        re[this.index[q]!] = amp[q]! * Math.cos(ph);
        im[this.index[q]!] = amp[q]! * Math.sin(ph);
      }
      fft2(re, im, n, true, this.colRe, this.colIm);
      this.fields.push({ re, im });
      this.eachSample((o, f) => {
        out[iz * ny * nx + o]! += re[f]! ** 2 + im[f]! ** 2;
      });
    }
    this.lastTheta = [...theta];
    return out;
  }

  /** Calls fn(output pixel within the plane, fine grid index) for every fine sample binned into the box. */
  private eachSample(fn: (o: number, f: number) => void): void {
    const [, ny, nx] = this.size,
      n = this.n,
      os = this.os;
    const cy = Math.floor(ny / 2),
      cx = Math.floor(nx / 2);
    for (let y = 0; y < ny; y++)
      for (let a = 0; a < os; a++) {
        const fy = ((((y - cy) * os + a) % n) + n) % n;
        for (let x = 0; x < nx; x++)
          for (let b = 0; b < os; b++) {
            const fx = ((((x - cx) * os + b) % n) + n) % n;
            fn(y * nx + x, fy * n + fx);
          }
      }
  }

  /** ∂L/∂θ for upstream ∂L/∂I (on the voxel grid) at the θ of the last forward(). */
  gradient(dLdI: Float64Array): number[] {
    if (!this.lastTheta) throw new InvalidParameterError('pupil gradient', 'call forward() first');
    const theta = this.lastTheta,
      [nz, ny, nx] = this.size,
      n = this.n,
      m = this.index.length;
    const sPhi = new Float64Array(m),
      sAmp = new Float64Array(m);
    let sZ0 = 0;
    for (let iz = 0; iz < nz; iz++) {
      const { re, im } = this.fields[iz]!;
      const gr = new Float64Array(n * n),
        gi = new Float64Array(n * n);
      this.eachSample((o, f) => {
        const g = 2 * dLdI[iz * ny * nx + o]!;
        gr[f] = g * re[f]!;
        gi[f] = g * im[f]!;
      });
      fft2(gr, gi, n, false, this.colRe, this.colIm);
      // U_z at the pupil samples, recomputed from θ (cheaper than storing it).
      const z = 2 * Math.PI * this.planeZ(iz, theta[2]!);
      for (let q = 0; q < m; q++) {
        const { ur, ui } = this.pupilValue(q, theta, z);
        const f = this.index[q]!;
        const cRe = gr[f]! * ur + gi[f]! * ui,
          cIm = gr[f]! * ui - gi[f]! * ur; // conj(g_U)·U
        sPhi[q]! += -cIm;
        sAmp[q]! += cRe;
        sZ0 += cIm * 2 * Math.PI * this.kzi[q]!; // ∂Φ/∂z0 = −2π·kz_i
      }
    }
    const grad = new Array<number>(PUPIL_PARAM_COUNT).fill(0);
    for (let p = 0; p < PUPIL_PARAM_COUNT; p++) {
      const b = this.baseOf(p);
      if (b) {
        let s = 0;
        for (let q = 0; q < m; q++) s += sPhi[q]! * b[q]!;
        grad[p] = s;
      }
    }
    grad[2] = sZ0;
    let sa = 0;
    for (let q = 0; q < m; q++) sa -= sAmp[q]! * this.rho2[q]!;
    grad[4] = sa;
    return grad;
  }

  private pupilValue(q: number, theta: readonly number[], z: number): { ur: number; ui: number } {
    const a = Math.exp(-theta[4]! * this.rho2[q]!);
    let ph = this.centring[q]! + z * this.kzi[q]!;
    for (let p = 0; p < PUPIL_PARAM_COUNT; p++) {
      const b = this.baseOf(p);
      if (b) ph += theta[p]! * b[q]!;
    }
    return { ur: a * Math.cos(ph), ui: a * Math.sin(ph) };
  }
}

/** 2π·kz_s minus its weighted least-squares fit by α·2π·kz_i + β over the pupil: the depth term without its focal shift. */
export function depthBasis(kzs: number[], kzi: number[]): Float64Array {
  const m = kzs.length;
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / m;
  const ms = mean(kzs),
    mi = mean(kzi);
  let cov = 0,
    vari = 0;
  for (let q = 0; q < m; q++) {
    cov += (kzs[q]! - ms) * (kzi[q]! - mi);
    vari += (kzi[q]! - mi) ** 2;
  }
  const alpha = vari > 0 ? cov / vari : 0;
  return Float64Array.from(kzs, (v, q) => 2 * Math.PI * (v - ms - alpha * (kzi[q]! - mi)));
}
