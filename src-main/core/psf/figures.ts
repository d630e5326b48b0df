// PSF figures for the UI: peak, sum, intensity centroid and FWHM along z, y, x through the peak.
import type { Volume } from '../io/volume';
import type { PsfAnalysis } from '../../contract/schemas';

function fwhm1d(profile: number[]): number {
  let peak = 0;
  for (let i = 1; i < profile.length; i++) if (profile[i]! > profile[peak]!) peak = i;
  const half = profile[peak]! / 2;
  let l = peak;
  while (l > 0 && profile[l - 1]! > half) l--;
  let r = peak;
  while (r < profile.length - 1 && profile[r + 1]! > half) r++;
  const left = l > 0 ? l - (profile[l]! - half) / (profile[l]! - profile[l - 1]!) : l - 0.5;
  const right = r < profile.length - 1 ? r + (profile[r]! - half) / (profile[r]! - profile[r + 1]!) : r + 0.5;
  return right - left;
}

export function analyzePsf(psf: Volume): PsfAnalysis {
  const [nz, ny, nx] = psf.shape;
  let peak = 0;
  let sum = 0;
  let cz = 0;
  let cy = 0;
  let cx = 0;
  for (let i = 0; i < psf.data.length; i++) {
    const v = psf.data[i]!;
    sum += v;
    if (v > psf.data[peak]!) peak = i;
    const z = Math.floor(i / (ny * nx));
    const y = Math.floor(i / nx) % ny;
    cz += v * z;
    cy += v * y;
    cx += v * (i % nx);
  }
  const pz = Math.floor(peak / (ny * nx));
  const py = Math.floor(peak / nx) % ny;
  const px = peak % nx;
  const at = (z: number, y: number, x: number) => psf.data[(z * ny + y) * nx + x]!;
  const vs = psf.voxelSize;
  return {
    fwhm: {
      z: fwhm1d(Array.from({ length: nz }, (_, z) => at(z, py, px))) * vs.z,
      y: fwhm1d(Array.from({ length: ny }, (_, y) => at(pz, y, px))) * vs.y,
      x: fwhm1d(Array.from({ length: nx }, (_, x) => at(pz, py, x))) * vs.x,
    },
    unit: vs.unit,
    centre: sum > 0 ? [cz / sum, cy / sum, cx / sum] : [pz, py, px],
    peak: psf.data[peak]!,
    sum,
  };
}
