// Beyond the paper: a spectral term for the PSF layer (config loss.lambdaSpectral). The paper's D_A should make
// G_BA(b) = PSF ⊛ b look like the real blurred data; what it can learn about the PSF's width from second-order
// statistics is the power spectrum, S_A = c·|OTF|²·S_B + N (core/psf/spectral-fit.ts). This term asks that of
// the learned kernel directly, from the whole training set's spectra (computed once, before training):
//     L_spec = Σ_b w_b [log m_b + S_A,b / m_b] / Σ w_b − Σ_b w_b [log S_A,b + 1] / Σ w_b,   m_b = c·⟨|H|²⟩_b·S_B,b + N,
// the Whittle deviance per effective frequency (0 when the model spectrum equals the data's, > 0 otherwise).
// H is the kernel's DFT on the blurred grid's half-spectrum frequencies (three real matrix products, one per
// axis); ⟨|H|²⟩_b its mean over each (k_lateral, k_z) bin. The scale c is re-fitted at every evaluation by
// fixed-point iterations (no gradient through it: at the optimum its derivative does not change the gradient).
import * as tf from '@tensorflow/tfjs';
import type { Volume } from '../io/volume';
import { detach } from './losses';
import {
  freqIndex,
  halfSpectrumBins,
  LATERAL_BINS,
  lowFrequencyScale,
  spectralData,
  type SpectralData,
} from '../psf/binned-spectrum';

const SCALE_ITERATIONS = 8;

export interface SpectralTarget {
  kernelShape: [number, number, number];
  /** DFT matrices per axis, [kernel index, frequency]: cos and sin of 2π f (i − centre). */
  cz: tf.Tensor2D;
  sz: tf.Tensor2D;
  cy: tf.Tensor2D;
  sy: tf.Tensor2D;
  cx: tf.Tensor2D;
  sx: tf.Tensor2D;
  /**
   * The bins are separable, (k_lateral bin) × (k_z bin): binning is two products with 0/1 matrices, lateral
   * [fx·fy, lateral bins] (rows outside the Nyquist circle all 0) and axial [fz, axial bins].
   */
  lateralBins: tf.Tensor2D;
  axialBins: tf.Tensor2D;
  nb: number;
  /** 1 / (frequencies per bin), 0 for empty bins. */
  invCount: tf.Tensor1D;
  sa: tf.Tensor1D;
  sb: tf.Tensor1D;
  w: tf.Tensor1D;
  noise: number;
  /** Σ w (log S_A + 1) / Σ w: the deviance's zero. */
  floor: number;
  /** Start of the scale's fixed-point iterations (the domains' low-frequency power ratio). */
  scale0: number;
}

function dftMatrices(k: number, n: number, halfOnly: boolean): { c: tf.Tensor2D; s: tf.Tensor2D } {
  const nf = halfOnly ? Math.floor(n / 2) + 1 : n;
  const c = new Float32Array(k * nf),
    s = new Float32Array(k * nf),
    centre = Math.floor(k / 2);
  for (let i = 0; i < k; i++)
    for (let f = 0; f < nf; f++) {
      const phase = (2 * Math.PI * (halfOnly ? f : freqIndex(f, n)) * (i - centre)) / n;
      c[i * nf + f] = Math.cos(phase);
      s[i * nf + f] = Math.sin(phase);
    }
  return { c: tf.tensor2d(c, [k, nf]), s: tf.tensor2d(s, [k, nf]) };
}

/**
 * The fixed data of the term, from the raw (not normalised) training stacks, or from their spectra when already
 * computed (`data`: spectralData of the same stacks). Dispose with disposeSpectralTarget.
 */
export function spectralTarget(
  blurred: Volume[],
  sharp: Volume[],
  kernelShape: [number, number, number],
  data?: SpectralData,
  opts: { taperLeakage?: boolean } = {},
): SpectralTarget {
  const d = data ?? spectralData(blurred, sharp);
  const [nz, ny, nx] = d.grid.shape,
    nxh = Math.floor(nx / 2) + 1,
    nb = d.sa.length;
  const zyx = halfSpectrumBins(d.grid),
    nLat = LATERAL_BINS,
    nAx = nb / nLat;
  const lat = new Float32Array(nxh * ny * nLat),
    ax = new Float32Array(nz * nAx),
    count = new Float32Array(nb);
  for (let x = 0; x < nxh; x++)
    for (let y = 0; y < ny; y++) {
      const b = zyx[y * nxh + x]!; // z = 0: the lateral bin alone
      if (b >= 0) lat[(x * ny + y) * nLat + (b % nLat)] = 1;
    }
  for (let z = 0; z < nz; z++) ax[z * nAx + Math.floor(zyx[z * ny * nxh]! / nLat)] = 1; // y = x = 0 is always inside
  if (opts.taperLeakage) foldAxialLeakage(ax, nz, nAx);
  for (const b of zyx) if (b >= 0) count[b]! += 1;
  let sw = 0,
    fl = 0;
  for (let b = 0; b < nb; b++)
    if (d.weight[b]! > 0) {
      sw += d.weight[b]!;
      fl += d.weight[b]! * (Math.log(d.sa[b]!) + 1);
    }
  const w = Float32Array.from(d.weight, (v) => v / sw);
  const [z, y, x] = [
    dftMatrices(kernelShape[0], nz, false),
    dftMatrices(kernelShape[1], ny, false),
    dftMatrices(kernelShape[2], nx, true),
  ];
  return {
    kernelShape,
    cz: z.c,
    sz: z.s,
    cy: y.c,
    sy: y.s,
    cx: x.c,
    sx: x.s,
    lateralBins: tf.tensor2d(lat, [nxh * ny, nLat]),
    axialBins: tf.tensor2d(ax, [nz, nAx]),
    nb,
    invCount: tf.tensor1d(count.map((c) => (c > 0 ? 1 / c : 0))),
    sa: tf.tensor1d(Float32Array.from(d.sa)),
    sb: tf.tensor1d(Float32Array.from(d.sb)),
    w: tf.tensor1d(w),
    noise: d.noise,
    floor: fl / sw,
    scale0: lowFrequencyScale(d),
  };
}

/**
 * The data's spectra are taken through a Hann taper (psf/spectral-fit.ts), whose DFT is (½, −¼, −¼) at the
 * frequency and its two neighbours: the expected periodogram is the spectrum smoothed by (1/6, 2/3, 1/6) along
 * each axis. Along k_z (32 planes: 2 samples per bin) this smoothing is as wide as the widefield OTF's axial
 * extent at low lateral frequency, so the model's |H|² is smoothed the same way before binning (folded into the
 * axial binning matrix: P'(z) = Σ_t k_t P(z + t), binned = Σ_z A[z, b] P'(z) = Σ_s P(s) Σ_t k_t A[s − t, b]).
 */
function foldAxialLeakage(ax: Float32Array, nz: number, nAx: number): void {
  const taps: [number, number][] = [
    [-1, 1 / 6],
    [0, 2 / 3],
    [1, 1 / 6],
  ];
  const src = Float32Array.from(ax);
  ax.fill(0);
  for (let s = 0; s < nz; s++)
    for (const [t, k] of taps) {
      const z = (((s - t) % nz) + nz) % nz;
      for (let b = 0; b < nAx; b++) ax[s * nAx + b]! += k * src[z * nAx + b]!;
    }
}

export function disposeSpectralTarget(t: SpectralTarget): void {
  tf.dispose([t.cz, t.sz, t.cy, t.sy, t.cx, t.sx, t.lateralBins, t.axialBins, t.invCount, t.sa, t.sb, t.w]);
}

/** ⟨|H|²⟩ per bin of a [z, y, x] kernel. */
export function binnedOtf2(kernel: tf.Tensor3D, t: SpectralTarget): tf.Tensor1D {
  return tf.tidy(() => {
    const [kz, ky, kx] = t.kernelShape;
    // x: real kernel → complex A[z, y, fx] = Σ_x p (cos − i sin)
    const p = tf.reshape(kernel, [kz * ky, kx]) as tf.Tensor2D;
    const ar = tf.matMul(p, t.cx) as tf.Tensor2D,
      ai = tf.neg(tf.matMul(p, t.sx)) as tf.Tensor2D;
    const nxh = t.cx.shape[1];
    // y: [z, y, fx] → [z·fx, y] · E_y → [z, fx, fy]
    const toY = (m: tf.Tensor2D) =>
      tf.reshape(tf.transpose(tf.reshape(m, [kz, ky, nxh]), [0, 2, 1]), [kz * nxh, ky]) as tf.Tensor2D;
    const [yr, yi] = [toY(ar), toY(ai)];
    const br = tf.add(tf.matMul(yr, t.cy), tf.matMul(yi, t.sy)) as tf.Tensor2D,
      bi = tf.sub(tf.matMul(yi, t.cy), tf.matMul(yr, t.sy)) as tf.Tensor2D;
    const ny = t.cy.shape[1];
    // z: [z, fx, fy] → [fx·fy, z] · E_z → [fx, fy, fz]
    const toZ = (m: tf.Tensor2D) =>
      tf.reshape(tf.transpose(tf.reshape(m, [kz, nxh * ny]), [1, 0]), [nxh * ny, kz]) as tf.Tensor2D;
    const [zr, zi] = [toZ(br), toZ(bi)];
    const hr = tf.add(tf.matMul(zr, t.cz), tf.matMul(zi, t.sz)),
      hi = tf.sub(tf.matMul(zi, t.cz), tf.matMul(zr, t.sz));
    const power = tf.add(tf.square(hr), tf.square(hi)) as tf.Tensor2D; // [fx·fy, fz]
    const sums = tf.matMul(t.lateralBins, tf.matMul(power, t.axialBins), true, false); // [lateral bin, axial bin]
    return tf.mul(tf.reshape(tf.transpose(sums), [-1]), t.invCount) as tf.Tensor1D; // bin = axial · lateral bins + lateral
  });
}

/** L_spec of a [z, y, x] kernel (see the header); differentiable in the kernel. */
export function spectralLoss(kernel: tf.Tensor3D, t: SpectralTarget): tf.Scalar {
  return tf.tidy(() => {
    const gsb = tf.mul(binnedOtf2(kernel, t), t.sb);
    // Scale: c ← c · Σ w q S_A/m / Σ w q, q = c g S_B / m (the Whittle optimum's fixed point), on detached values.
    const g0 = detach(gsb);
    let c: tf.Tensor = tf.scalar(t.scale0);
    for (let i = 0; i < SCALE_ITERATIONS; i++) {
      const cg = tf.mul(c, g0),
        m = tf.add(cg, t.noise),
        q = tf.mul(t.w, tf.div(cg, m));
      c = tf.mul(c, tf.div(tf.sum(tf.mul(q, tf.div(t.sa, m))), tf.maximum(tf.sum(q), 1e-30)));
    }
    const m = tf.add(tf.mul(detach(c), gsb), t.noise);
    return tf.sub(tf.sum(tf.mul(t.w, tf.add(tf.log(m), tf.div(t.sa, m)))), t.floor) as tf.Scalar;
  });
}
