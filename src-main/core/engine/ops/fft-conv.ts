// 'Valid' true convolution of a single-channel NDHWC volume with one 3D kernel by FFT, with hand-written
// gradients for both arguments: G_BA's PSF layer with `psf.convolution: 'fft'`. A direct conv3d costs
// out-voxels × kernel-voxels multiply-adds (a 31³ PSF on a 32³ patch: 0.98 G per pass, three passes per
// application with the gradients), the FFT route a few transforms of the padded grid, whatever the kernel size;
// this is what makes a PSF box large enough for a widefield PSF's defocus haze affordable on a CPU.
//
// Maths (per batch item, per axis n = P − K + 1 outputs for a padded input of P voxels and a kernel of K):
//   y[o] = Σ_j P[o + K − 1 − j] k[j]                     (= tfjs conv3d 'valid' with the kernel reversed)
// On a grid M ≥ P (circular, zero-filled), y_full = IFFT(FFT(P)·FFT(k)) and y[o] = y_full[o + K − 1]: the
// indices used never wrap. With D the upstream gradient placed at [K − 1, P − 1]:
//   dP[m] = Σ_j D[m + j] k[j] = IFFT(FFT(D)·conj(FFT(k)))[m],   dk[j] = Σ_m D[m + j] P[m] = IFFT(FFT(D)·conj(FFT(P)))[j]
// (again no index wraps onto a non-zero value because M ≥ P). Transforms run in float64 (core/fft); the
// results are rounded to float32 once. The data must be readable synchronously (cpu, wasm and tfjs-node
// backends); the PSF layer falls back to the direct convolution elsewhere (psf-layer.ts).
import * as tf from '@tensorflow/tfjs';
import { irfft3d, nextSmoothSize, rfft3d, type HalfSpectrum } from '../../fft';

type S3 = [number, number, number];

/** Backends whose tensors can be read synchronously: the ones this op runs on. */
export function fftConvSupported(backend: string = tf.getBackend()): boolean {
  return backend === 'cpu' || backend === 'wasm' || backend === 'tensorflow';
}

/** FFT grid for a padded input of `padded` voxels per axis: the next 2·3·5-smooth size on each. */
export function fftConvGrid(padded: S3): S3 {
  return padded.map(nextSmoothSize) as S3;
}

/** Copies a [z, y, x] block of `shape` from `src` (at `srcAt` in a volume of `srcShape`) into `dst` (at `dstAt` in `dstShape`). */
function copyBlock(src: ArrayLike<number>, srcShape: S3, srcAt: S3, dst: Float32Array | Float64Array, dstShape: S3, dstAt: S3, shape: S3, srcOffset = 0, dstOffset = 0): void {
  for (let z = 0; z < shape[0]; z++) for (let y = 0; y < shape[1]; y++) {
    const s = srcOffset + ((srcAt[0] + z) * srcShape[1] + srcAt[1] + y) * srcShape[2] + srcAt[2];
    const d = dstOffset + ((dstAt[0] + z) * dstShape[1] + dstAt[1] + y) * dstShape[2] + dstAt[2];
    for (let x = 0; x < shape[2]; x++) dst[d + x] = src[s + x];
  }
}

function spectrum(data: ArrayLike<number>, shape: S3, at: S3, grid: S3, srcShape: S3, srcOffset: number): HalfSpectrum<Float64Array> {
  const buf = new Float64Array(grid[0] * grid[1] * grid[2]);
  copyBlock(data, srcShape, [0, 0, 0], buf, grid, at, shape, srcOffset);
  // support: rows beyond the block are zero, which rfft3d can skip when the block starts at the origin.
  return rfft3d(buf, grid, undefined, at[0] === 0 && at[1] === 0 ? [shape[0], shape[1]] : undefined);
}

/** a · b or a · conj(b), into a new spectrum. */
function product(a: HalfSpectrum<Float64Array>, b: HalfSpectrum<Float64Array>, conjB: boolean): HalfSpectrum<Float64Array> {
  const n = a.re.length, re = new Float64Array(n), im = new Float64Array(n);
  const s = conjB ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const ar = a.re[i], ai = a.im[i], br = b.re[i], bi = s * b.im[i];
    re[i] = ar * br - ai * bi;
    im[i] = ar * bi + ai * br;
  }
  return { re, im, shape: a.shape, nxh: a.nxh };
}

/** Inverse transform of `spec`, then the block of `shape` at `at` into `dst` (a volume of `dstShape`, at `dstOffset`). */
function inverseInto(spec: HalfSpectrum<Float64Array>, at: S3, shape: S3, dst: Float32Array, dstShape: S3, dstOffset: number, add: boolean): void {
  const grid = spec.shape;
  // irfft3d's support covers rows z < sz, y < sy: enough to hold the block.
  const full = irfft3d(spec, undefined, [at[0] + shape[0], at[1] + shape[1]]);
  if (!add) { copyBlock(full, grid, at, dst, dstShape, [0, 0, 0], shape, 0, dstOffset); return; }
  for (let z = 0; z < shape[0]; z++) for (let y = 0; y < shape[1]; y++) {
    const s = ((at[0] + z) * grid[1] + at[1] + y) * grid[2] + at[2];
    const d = dstOffset + (z * dstShape[1] + y) * dstShape[2];
    for (let x = 0; x < shape[2]; x++) dst[d + x] += full[s + x];
  }
}

/**
 * y = x ⊛ kernel, 'valid' (output P − K + 1 per axis), for x [B, Pz, Py, Px, 1] and kernel [Kz, Ky, Kx] (not
 * reversed: a true convolution). Differentiable in both arguments. Needs a synchronous backend (fftConvSupported).
 */
export function fftConv3dValid(x: tf.Tensor5D, kernel: tf.Tensor3D): tf.Tensor5D {
  const [b, pz, py, px, c] = x.shape;
  const ks = kernel.shape as S3;
  if (c !== 1) throw new RangeError(`fftConv3dValid takes one channel, got ${c}`);
  const padded: S3 = [pz, py, px];
  const out = padded.map((p, i) => p - ks[i] + 1) as S3;
  if (out.some((n) => n < 1)) throw new RangeError(`kernel ${ks.join('×')} larger than the padded input ${padded.join('×')}`);
  const grid = fftConvGrid(padded);
  const lag = ks.map((k) => k - 1) as S3;
  const inVox = pz * py * px, outVox = out[0] * out[1] * out[2];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, ki] = args as [tf.Tensor5D, tf.Tensor3D];
    const xd = xi.dataSync(), kd = ki.dataSync();
    const kSpec = spectrum(kd, ks, [0, 0, 0], grid, ks, 0);
    const xSpecs: HalfSpectrum<Float64Array>[] = [];
    const y = new Float32Array(b * outVox);
    for (let n = 0; n < b; n++) {
      const xs = spectrum(xd, padded, [0, 0, 0], grid, padded, n * inVox);
      xSpecs.push(xs);
      inverseInto(product(xs, kSpec, false), lag, out, y, out, n * outVox, false);
    }
    return {
      value: tf.tensor5d(y, [b, ...out, 1]),
      gradFunc: (dy: tf.Tensor5D) => {
        const g = dy.dataSync();
        const dx = new Float32Array(b * inVox), dk = new Float32Array(ks[0] * ks[1] * ks[2]);
        for (let n = 0; n < b; n++) {
          const dSpec = spectrum(g, out, lag, grid, out, n * outVox);
          inverseInto(product(dSpec, kSpec, true), [0, 0, 0], padded, dx, padded, n * inVox, false);
          inverseInto(product(dSpec, xSpecs[n], true), [0, 0, 0], ks, dk, ks, 0, true);
        }
        return [tf.tensor5d(dx, xi.shape), tf.tensor3d(dk, ks)];
      },
    };
  });
  return f(x, kernel) as tf.Tensor5D;
}
