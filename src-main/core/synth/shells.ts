// Membrane-like ground truth: thin hollow ellipsoidal shells (cell or vesicle membranes, nuclear envelopes).
// A shell is the hardest case for a deconvolution that invents texture or a pedestal: its inside is dark, so a
// grey fill or negative ring shows directly against the truth.
import type { Rng } from './random';

type Shape3 = [number, number, number];

/** Adds one shell of radius 4–14 lateral voxels, wall ~1 voxel thick (Gaussian profile), `aspect` = dz/dxy. */
export function addShell(out: Float32Array, shape: Shape3, rng: Rng, aspect: number): void {
  const r = [4 + 10 * rng.next(), 4 + 10 * rng.next(), 4 + 10 * rng.next()];
  const c = [rng.next() * shape[0], rng.next() * shape[1], rng.next() * shape[2]];
  const level = 0.4 + 0.6 * rng.next();
  const rz = r[0]! / aspect,
    reach = 3;
  for (let z = Math.max(0, Math.floor(c[0]! - rz - reach)); z < Math.min(shape[0], c[0]! + rz + reach); z++)
    for (let y = Math.max(0, Math.floor(c[1]! - r[1]! - reach)); y < Math.min(shape[1], c[1]! + r[1]! + reach); y++)
      for (let x = Math.max(0, Math.floor(c[2]! - r[2]! - reach)); x < Math.min(shape[2], c[2]! + r[2]! + reach); x++) {
        // Distance from the surface in lateral voxels, along the normalised radius (exact enough for a thin wall).
        const q = Math.sqrt(
          (((z - c[0]!) * aspect) / r[0]!) ** 2 + ((y - c[1]!) / r[1]!) ** 2 + ((x - c[2]!) / r[2]!) ** 2,
        );
        const d = (q - 1) * Math.min(r[0]!, r[1]!, r[2]!);
        out[(z * shape[1] + y) * shape[2] + x]! += level * Math.exp(-(d * d) / (2 * 0.6 * 0.6));
      }
}
