// 'Valid' true convolution of a single-channel NDHWC volume with one 3D kernel by FFT, with hand-written
// gradients for both arguments: G_BA's PSF layer with `experimental.psfConvolution: 'fft'`. A direct conv3d costs
// out-voxels × kernel-voxels multiply-adds (a 31³ PSF on a 32³ patch: 0.98 G per pass, three passes per
// application with the gradients), the FFT route a few transforms of the padded grid, whatever the kernel size;
// this is what makes a PSF box large enough for a widefield PSF's defocus haze affordable on a CPU.
//
// Maths (per batch item, per axis n = P − K + 1 outputs for a padded input of P voxels and a kernel of K):
//   y[o] = Σ_j P[o + K − 1 − j] k[j]                     (= tfjs conv3d 'valid' with the kernel reversed)
// On a grid M ≥ P (circular, zero-filled), y_full = IFFT(FFT(P)·FFT(k)) and y[o] = y_full[o + K − 1]: the
// indices used never wrap. With D the upstream gradient placed at [K − 1, P − 1]:
//   dP[m] = Σ_j D[m + j] k[j] = IFFT(FFT(D)·conj(FFT(k)))[m],   dk[j] = Σ_m D[m + j] P[m] = IFFT(FFT(D)·conj(FFT(P)))[j]
// (again no index wraps onto a non-zero value because M ≥ P). Transforms: the WebAssembly SIMD FFT of
// Richardson–Lucy (core/fft/wasm-fft.ts, float32, one workspace per grid, kept), else core/fft's JavaScript FFT
// (float64). The data must be readable synchronously (cpu, wasm and tfjs-node backends); the PSF layer falls back
// to the direct convolution elsewhere (psf-layer.ts).
import * as tf from '@tensorflow/tfjs';
import { halfSpectrumSize, irfft3d, nextSmoothSize, rfft3d, type HalfSpectrum } from '../../fft';
import { WasmFftWorkspace, wasmFftAvailable } from '../../fft/wasm-fft';
import { multiplySpectrum } from '../../deconv/grid';

type S3 = [number, number, number];

/** Backends whose tensors can be read synchronously: the ones this op runs on. */
export function fftConvSupported(backend: string = tf.getBackend()): boolean {
  return backend === 'cpu' || backend === 'wasm' || backend === 'tensorflow';
}

/** FFT grid for a padded input of `padded` voxels per axis: the next 2·3·5-smooth size on each. */
export function fftConvGrid(padded: S3): S3 {
  return padded.map(nextSmoothSize) as S3;
}

/** Copies the [z, y, x] block of `shape` at `srcAt` of `src` (a volume of `srcShape`) to `dstAt` of `dst` (of `dstShape`). */
function copyBlock(
  src: ArrayLike<number>,
  srcShape: S3,
  srcAt: S3,
  dst: Float32Array | Float64Array,
  dstShape: S3,
  dstAt: S3,
  shape: S3,
): void {
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++) {
      const s = ((srcAt[0] + z) * srcShape[1] + srcAt[1] + y) * srcShape[2] + srcAt[2];
      const d = ((dstAt[0] + z) * dstShape[1] + dstAt[1] + y) * dstShape[2] + dstAt[2];
      for (let x = 0; x < shape[2]; x++) dst[d + x] = src[s + x]!;
    }
}

const ORIGIN: S3 = [0, 0, 0];

/** Which FFT the op uses for this grid: 'wasm' (SIMD, float32) or 'js' (float64; also with CYCLEDECON_FFT=js). */
export function fftConvPath(grid: S3): 'wasm' | 'js' {
  return wasmFftAvailable(grid) ? 'wasm' : 'js';
}

interface Geometry {
  padded: S3;
  ks: S3;
  out: S3;
  lag: S3;
  grid: S3;
}

/** One batch item: y = x ⊛ k ('valid'), and the gradients dx (written) and dk (added to) for upstream dy. */
interface ItemConv {
  forward(x: ArrayLike<number>, k: ArrayLike<number>, y: Float32Array): void;
  backward(x: ArrayLike<number>, k: ArrayLike<number>, dy: ArrayLike<number>, dx: Float32Array, dk: Float32Array): void;
}

/** core/fft's JavaScript transforms in float64: the fallback where the WebAssembly kernel does not run. */
function jsConv({ padded, ks, out, lag, grid }: Geometry): ItemConv {
  const spectrum = (data: ArrayLike<number>, shape: S3, at: S3): HalfSpectrum<Float64Array> => {
    const buf = new Float64Array(grid[0] * grid[1] * grid[2]);
    copyBlock(data, shape, ORIGIN, buf, grid, at, shape);
    // support: rows beyond the block are zero, which rfft3d can skip when the block starts at the origin.
    return rfft3d(buf, grid, undefined, at === ORIGIN ? [shape[0], shape[1]] : undefined);
  };
  /** The block of `shape` at `at` of the inverse transform (irfft3d's support covers rows z < sz, y < sy). */
  const inverse = (spec: HalfSpectrum<Float64Array>, at: S3, shape: S3, dst: Float32Array): void => {
    copyBlock(irfft3d(spec, undefined, [at[0] + shape[0], at[1] + shape[1]]), grid, at, dst, shape, ORIGIN, shape);
  };
  return {
    forward(x, k, y) {
      const s = spectrum(x, padded, ORIGIN);
      multiplySpectrum(s, spectrum(k, ks, ORIGIN));
      inverse(s, lag, out, y);
    },
    backward(x, k, dy, dx, dk) {
      const d = spectrum(dy, out, lag);
      const forDx = { ...d, re: d.re.slice(), im: d.im.slice() }; // multiplySpectrum works in place; d is used twice
      multiplySpectrum(forDx, spectrum(k, ks, ORIGIN), true);
      inverse(forDx, ORIGIN, padded, dx);
      multiplySpectrum(d, spectrum(x, padded, ORIGIN), true);
      const part = new Float32Array(dk.length);
      inverse(d, ORIGIN, ks, part);
      for (let i = 0; i < dk.length; i++) dk[i]! += part[i]!;
    },
  };
}

/** The WebAssembly SIMD FFT (float32): one workspace per grid, kept for the next call (a step applies the PSF twice). */
const workspaces = new Map<string, WasmFftWorkspace>();

function wasmConv({ padded, ks, out, lag, grid }: Geometry): ItemConv {
  const key = grid.join('x');
  let ws = workspaces.get(key);
  if (!ws) {
    const nv = grid[0] * grid[1] * grid[2],
      nh = halfSpectrumSize(grid);
    ws = new WasmFftWorkspace(grid, { vol: nv, ar: nh, ai: nh, br: nh, bi: nh, cr: nh, ci: nh });
    workspaces.set(key, ws);
  }
  const w = ws;
  const A = { re: 'ar', im: 'ai' },
    B = { re: 'br', im: 'bi' },
    C = { re: 'cr', im: 'ci' };
  /** vol ← the block `data` (of `shape`) at `at`, zero elsewhere; then its spectrum into `spec`. */
  const transform = (data: ArrayLike<number>, shape: S3, at: S3, spec: typeof A): void => {
    const vol = w.view('vol');
    vol.fill(0);
    copyBlock(data, shape, ORIGIN, vol, grid, at, shape);
    w.rfft3d('vol', spec, [at[0] + shape[0], at[1] + shape[1]]);
  };
  /** Inverse of `spec` (overwritten), then its block of `shape` at `at` into dst. */
  const inverse = (spec: typeof A, at: S3, shape: S3, dst: Float32Array): void => {
    w.irfft3d(spec, 'vol', [at[0] + shape[0], at[1] + shape[1]]);
    copyBlock(w.view('vol'), grid, at, dst, shape, ORIGIN, shape);
  };
  return {
    forward(x, k, y) {
      transform(x, padded, ORIGIN, A);
      transform(k, ks, ORIGIN, B);
      w.multiply(A, B);
      inverse(A, lag, out, y);
    },
    backward(x, k, dy, dx, dk) {
      transform(dy, out, lag, A);
      transform(k, ks, ORIGIN, B);
      w.view(C.re).set(w.view(A.re));
      w.view(C.im).set(w.view(A.im));
      w.multiply(C, B, true);
      inverse(C, ORIGIN, padded, dx);
      transform(x, padded, ORIGIN, B);
      w.multiply(A, B, true);
      const part = new Float32Array(dk.length);
      inverse(A, ORIGIN, ks, part);
      for (let i = 0; i < dk.length; i++) dk[i]! += part[i]!;
    },
  };
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
  const out = padded.map((p, i) => p - ks[i]! + 1) as S3;
  if (out.some((n) => n < 1))
    throw new RangeError(`kernel ${ks.join('×')} larger than the padded input ${padded.join('×')}`);
  const geometry: Geometry = { padded, ks, out, lag: ks.map((k) => k - 1) as S3, grid: fftConvGrid(padded) };
  const conv = fftConvPath(geometry.grid) === 'wasm' ? wasmConv(geometry) : jsConv(geometry);
  const inVox = pz * py * px,
    outVox = out[0] * out[1] * out[2];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, ki] = args as [tf.Tensor5D, tf.Tensor3D];
    // Copies: the backward pass reads them after other ops may have run.
    const xd = Float32Array.from(xi.dataSync()),
      kd = Float32Array.from(ki.dataSync());
    const y = new Float32Array(b * outVox);
    for (let n = 0; n < b; n++)
      conv.forward(xd.subarray(n * inVox, (n + 1) * inVox), kd, y.subarray(n * outVox, (n + 1) * outVox));
    return {
      value: tf.tensor5d(y, [b, ...out, 1]),
      gradFunc: (dy: tf.Tensor5D) => {
        const g = dy.dataSync();
        const dx = new Float32Array(b * inVox),
          dk = new Float32Array(kd.length);
        for (let n = 0; n < b; n++) {
          conv.backward(
            xd.subarray(n * inVox, (n + 1) * inVox),
            kd,
            g.subarray(n * outVox, (n + 1) * outVox),
            dx.subarray(n * inVox, (n + 1) * inVox),
            dk,
          );
        }
        return [tf.tensor5d(dx, xi.shape), tf.tensor3d(dk, ks)];
      },
    };
  });
  return f(x, kernel) as tf.Tensor5D;
}
