// Theoretical widefield PSFs computed in the renderer so their parameters can be edited live:
// Born–Wolf (paraxial defocus, matched media) and Gibson–Lanni (non-paraxial, refractive-index
// mismatch between immersion and sample with the emitter at depth zp). Radially symmetric: a radial
// profile per plane is integrated over the pupil, then resampled onto the voxel grid.

export interface TheoryPsfParams {
  model: 'born-wolf' | 'gibson-lanni';
  numericalAperture: number;
  /** Emission wavelength, nm. */
  wavelength: number;
  /** Immersion refractive index (design = actual). */
  immersionIndex: number;
  /** Sample refractive index (Gibson–Lanni). */
  sampleIndex: number;
  /** Emitter depth below the coverslip, µm (Gibson–Lanni). */
  particleDepth: number;
  /** Voxel size in µm. */
  voxelSize: { x: number; y: number; z: number };
  /** [z, y, x] */
  shape: [number, number, number];
  /** Centre [z, y, x] in voxels (default: the middle of the grid), e.g. a measured PSF's peak. */
  centre?: [number, number, number];
}

/** Bessel J0 (Abramowitz & Stegun 9.4.1 / 9.4.3, |error| < 1e-7). */
export function besselJ0(x: number): number {
  const ax = Math.abs(x);
  if (ax <= 3) {
    const y = (x / 3) ** 2;
    return 1 + y * (-2.2499997 + y * (1.2656208 + y * (-0.3163866 + y * (0.0444479 + y * (-0.0039444 + y * 0.00021)))));
  }
  const y = 3 / ax;
  const f0 =
    0.79788456 +
    y * (-0.00000077 + y * (-0.0055274 + y * (-0.00009512 + y * (0.00137237 + y * (-0.00072805 + y * 0.00014476)))));
  const t0 =
    ax -
    0.78539816 +
    y * (-0.04166397 + y * (-0.00003954 + y * (0.00262573 + y * (-0.00054125 + y * (-0.00029333 + y * 0.00013558)))));
  return (f0 * Math.cos(t0)) / Math.sqrt(ax);
}

/** Optical path difference (µm) at normalised pupil radius rho for defocus z (µm). */
function opd(p: TheoryPsfParams, rho: number, z: number): number {
  const s = p.numericalAperture * rho;
  if (p.model === 'born-wolf') return (z * s * s) / (2 * p.immersionIndex);
  const ni = p.immersionIndex,
    ns = p.sampleIndex;
  const rootS = Math.sqrt(Math.max(ns * ns - s * s, 0));
  const rootI = Math.sqrt(Math.max(ni * ni - s * s, 0));
  // Emitter at depth zp in the sample; the stage is moved by (z − zp) in the immersion medium so that,
  // with matched indices, z = 0 is the nominal focus (Gibson & Lanni 1991; Li, Xue & Blu 2017, eq. 2).
  const zp = p.particleDepth;
  return -(zp * rootS + (z - zp) * rootI);
}

/** Intensity at lateral radius r (µm) and defocus z (µm). */
function intensity(p: TheoryPsfParams, r: number, z: number, samples = 96): number {
  const k = (2 * Math.PI) / (p.wavelength / 1000);
  let re = 0,
    im = 0;
  for (let i = 0; i < samples; i++) {
    const rho = (i + 0.5) / samples;
    const j0 = besselJ0(k * p.numericalAperture * r * rho);
    const phase = k * opd(p, rho, z);
    re += j0 * Math.cos(phase) * rho;
    im += j0 * Math.sin(phase) * rho;
  }
  return re * re + im * im;
}

/** The PSF on the voxel grid, centred, normalised to unit sum. */
export function theoreticalPsf(p: TheoryPsfParams): Float32Array {
  const [nz, ny, nx] = p.shape;
  const { x: vx, y: vy, z: vz } = p.voxelSize;
  const dr = Math.min(vx, vy) / 4;
  const rMax = Math.hypot((nx / 2) * vx, (ny / 2) * vy) + dr;
  const nr = Math.ceil(rMax / dr) + 2;
  const out = new Float32Array(nz * ny * nx);
  const [cz, cy, cx] = p.centre ?? [(nz - 1) / 2, (ny - 1) / 2, (nx - 1) / 2];
  const radial = new Float32Array(nr);
  let sum = 0;
  for (let z = 0; z < nz; z++) {
    const zUm = (z - cz) * vz;
    for (let i = 0; i < nr; i++) radial[i] = intensity(p, i * dr, zUm);
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const r = Math.hypot((x - cx) * vx, (y - cy) * vy) / dr;
        const i0 = Math.floor(r),
          f = r - i0;
        const v = radial[Math.min(i0, nr - 1)]! * (1 - f) + radial[Math.min(i0 + 1, nr - 1)]! * f;
        out[(z * ny + y) * nx + x] = v;
        sum += v;
      }
    }
  }
  if (sum > 0) for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}
