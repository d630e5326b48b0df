// Simple PSF kernels on a voxel grid, centred on voxel floor(k/2) of each axis (the PSF layer's and the
// deconvolution's zero-shift voxel) and normalised to sum 1: a delta and an anisotropic Gaussian.
import { psfCentre } from '../deconv/grid';

export function deltaPsf(shape: [number, number, number]): Float32Array {
  const out = new Float32Array(shape[0] * shape[1] * shape[2]);
  const [cz, cy, cx] = psfCentre(shape);
  out[(cz * shape[1] + cy) * shape[2] + cx] = 1;
  return out;
}

/** A Gaussian of standard deviation `sigma` voxels (one number, or [z, y, x]). */
export function gaussianPsf(shape: [number, number, number], sigma: number | [number, number, number]): Float32Array {
  const s = typeof sigma === 'number' ? [sigma, sigma, sigma] : sigma;
  const c = psfCentre(shape);
  const out = new Float32Array(shape[0] * shape[1] * shape[2]);
  let sum = 0;
  for (let z = 0, i = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++)
      for (let x = 0; x < shape[2]; x++, i++) {
        const r2 = ((z - c[0]) / s[0]!) ** 2 + ((y - c[1]) / s[1]!) ** 2 + ((x - c[2]) / s[2]!) ** 2;
        out[i] = Math.exp(-0.5 * r2);
        sum += out[i]!;
      }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}
