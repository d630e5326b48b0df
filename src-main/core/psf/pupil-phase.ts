// The pupil phase of a pupil-model PSF (pupil.ts) as a map over the pupil, for figures: the aberration part
// Φ(ρ, θ) = depth·D(ρ) + Σ_j c_j·Z_j(ρ, θ) in radians, with D the depth term as pupil.ts defines it (Gibson–Lanni's
// sample-layer phase with its focal shift removed) and Z_j the Noll modes 5–11. The focal offset z0 and the
// lateral position are positions, not aberrations, and are left out. Samples outside the transmitted pupil
// (|k| > min(NA, ni, ns)/λ) are NaN.
import { InvalidParameterError } from '../errors';
import { depthBasis } from './pupil';
import { NOLL_MODES, zernike } from './zernike';

export interface PupilPhaseMap {
  /** n × n, row-major, row = y (as the PSF's y axis), NaN outside the pupil. */
  phase: Float64Array;
  n: number;
  /** Root mean square and peak-to-valley over the pupil, radians. */
  rms: number;
  pv: number;
}

export function pupilPhaseMap(
  optics: { na: number; wavelength: number; ni: number; ns: number },
  params: Record<string, number>,
  n = 96,
): PupilPhaseMap {
  const { na, wavelength: lam, ni, ns } = optics;
  if (!(na > 0 && lam > 0 && ni > na))
    throw new InvalidParameterError('optics', `NA ${na}, wavelength ${lam}, ni ${ni}: need 0 < NA < ni and λ > 0`);
  if (!Number.isInteger(n) || n < 8 || n > 1024)
    throw new InvalidParameterError('phase map size', `must be a whole number 8–1024, got ${n}`);
  const kCut = Math.min(na, ni, ns) / lam;
  const idx: number[] = [],
    rho: number[] = [],
    theta: number[] = [],
    kzs: number[] = [],
    kzi: number[] = [];
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const u = (x + 0.5 - n / 2) / (n / 2),
        v = (y + 0.5 - n / 2) / (n / 2);
      const r = Math.hypot(u, v),
        k = (r * na) / lam;
      if (r > 1 || k > kCut) continue;
      idx.push(y * n + x);
      rho.push(r);
      theta.push(Math.atan2(v, u));
      kzs.push(Math.sqrt((ns / lam) ** 2 - k * k));
      kzi.push(Math.sqrt((ni / lam) ** 2 - k * k));
    }
  const depth = depthBasis(kzs, kzi);
  const phase = new Float64Array(n * n).fill(NaN);
  let s = 0,
    s2 = 0,
    lo = Infinity,
    hi = -Infinity;
  idx.forEach((p, q) => {
    let ph = (params.depth ?? 0) * depth[q]!;
    for (const j of NOLL_MODES) ph += (params[`Z${j}`] ?? 0) * zernike(j, rho[q]!, theta[q]!);
    phase[p] = ph;
    s += ph;
    s2 += ph * ph;
    lo = Math.min(lo, ph);
    hi = Math.max(hi, ph);
  });
  const m = idx.length,
    mean = s / m;
  return { phase, n, rms: Math.sqrt(Math.max(0, s2 / m - mean * mean)), pv: hi - lo };
}
