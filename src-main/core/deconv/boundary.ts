// Where Richardson–Lucy reconstructs, and how it treats the region beyond the measured stack.
//
// 'extend' (default): the boundary method of Bertero & Boccacci, "A simple method for the reduction
// of boundary effects in the Richardson-Lucy approach to image deconvolution", A&A 437:369 (2005).
// The object is estimated on the stack extended by the PSF's half-size on every side; the data
// term only covers the measured voxels (observation window M: 1 inside the stack, 0 on the
// extension), and the update is normalised by W = Hᵀ(M·1):
//     x ← x · Hᵀ(M · y / (Hx + b)) / W.
// Light that reaches the stack from outside it (a widefield PSF is far taller than a few tens of
// slices) is then explained by object outside the stack instead of being piled into the edge slices,
// which is what mirror padding does: it assumes the object continues mirrored beyond the stack.
// 'reflect' mirror-pads by half the PSF (numpy 'reflect'; equals skimage on the padded image);
// 'zero' assumes nothing outside the stack.
import { nextSmoothSize } from '../fft/fft1d';
import { padReflect, psfCentre, type Shape3 } from './grid';
import type { RlEngine } from './rl-engine';

export type RlBoundary = 'extend' | 'reflect' | 'zero';
export const RL_BOUNDARIES: readonly RlBoundary[] = ['extend', 'reflect', 'zero'];

/** The reconstruction domain (`box`, at the FFT grid's origin) and where the measured stack sits in it. */
export interface RlDomain {
  boundary: RlBoundary;
  /** Data on the box, dense: the image (padded for 'reflect', zero outside the stack for 'extend'). */
  data: Float32Array;
  box: Shape3;
  grid: Shape3;
  /** Offset of the measured stack inside the box (also the crop at the end). */
  offset: Shape3;
  shape: Shape3;
}

/**
 * Weights below this (the share of a voxel's light that lands in the stack) are not estimated:
 * the voxel stays 0. Bertero & Boccacci threshold W the same way; 1 % keeps 1/W bounded.
 */
export const MIN_WEIGHT = 0.01;

/** Lays out the domain for the boundary model. The PSF centre is voxel floor(size/2). */
export function planDomain(image: Float32Array, shape: Shape3, psfShape: Shape3, boundary: RlBoundary): RlDomain {
  const c = psfCentre(psfShape);
  if (boundary === 'extend') {
    const offset = c;
    const box = [0, 1, 2].map((a) => shape[a]! + 2 * c[a]!) as Shape3;
    // x on the box, Hx read on the measured stack only, Hᵀ of a ratio that is zero off the stack:
    // no voxel of either wraps around on a grid of the box's size (reach ≤ the half-size c).
    const grid = box.map((n) => nextSmoothSize(n)) as Shape3;
    return { boundary, data: embedAt(image, shape, box, offset), box, grid, offset, shape };
  }
  const pad: Shape3 =
    boundary === 'reflect' ? ([0, 1, 2].map((a) => Math.min(c[a]!, shape[a]! - 1)) as Shape3) : [0, 0, 0];
  const padded = padReflect(image, shape, pad);
  // Grid large enough that the circular convolution equals the linear one on the padded box.
  const grid = [0, 1, 2].map((a) =>
    nextSmoothSize(padded.shape[a]! + Math.max(c[a]!, psfShape[a]! - 1 - c[a]!)),
  ) as Shape3;
  return { boundary, data: padded.data, box: padded.shape, grid, offset: pad, shape };
}

/** `data` of `shape` placed at `offset` in a zero volume of size `box`. */
function embedAt(data: Float32Array, shape: Shape3, box: Shape3, offset: Shape3): Float32Array {
  const res = new Float32Array(box[0] * box[1] * box[2]);
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++) {
      const o = ((z + offset[0]) * box[1] + y + offset[1]) * box[2] + offset[2];
      res.set(data.subarray((z * shape[1] + y) * shape[2], (z * shape[1] + y + 1) * shape[2]), o);
    }
  return res;
}

/**
 * 1/W on the box (dense), W = Hᵀ(M·1), 0 where W < MIN_WEIGHT; computed with the engine's own
 * correlation so it matches the forward model exactly. Leaves the engine's ratio buffer zero.
 */
export function inverseWeights(engine: RlEngine, d: RlDomain): Float32Array {
  const { box, grid, offset, shape } = d;
  const r = engine.ratioBuffer;
  r.fill(0);
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++) {
      const g = ((z + offset[0]) * grid[1] + y + offset[1]) * grid[2] + offset[2];
      r.fill(1, g, g + shape[2]);
    }
  const w = engine.blur(true);
  r.fill(0);
  const inv = new Float32Array(box[0] * box[1] * box[2]);
  for (let z = 0; z < box[0]; z++)
    for (let y = 0; y < box[1]; y++) {
      const g = (z * grid[1] + y) * grid[2],
        m = (z * box[1] + y) * box[2];
      for (let x = 0; x < box[2]; x++) {
        const v = w[g + x]!;
        inv[m + x] = v >= MIN_WEIGHT ? 1 / v : 0;
      }
    }
  return inv;
}
