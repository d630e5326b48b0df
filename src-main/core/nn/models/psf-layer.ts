// G_BA of the paper: ONE single-channel 3D convolution whose kernel is the PSF (blur = sharp ⊛ psf).
//
// Convention: apply() is a true convolution (the kernel is flipped before tfjs' cross-correlation), so psf()
// is the PSF itself, not its mirror image. "Same" output: the input is reflect-padded by floor((k−1)/2)
// before and the rest after on each axis, then convolved 'valid'. The PSF's zero-shift voxel is therefore
// index floor(k/2) on every axis. For odd k that is the geometric centre; for even k (the paper's 20) the
// geometric centre is (k−1)/2 = k/2 − ½, i.e. an even-sized PSF is centred HALF A VOXEL off its array centre.
//
// Applied by conv3d, or with config experimental.psfConvolution 'fft' by FFT (ops/fft-conv.ts; same values, for large kernels).
//
// Constraints (project(), after every optimiser step; each optional): non-negative (clip at 0); centred
// (the centre of mass is moved to floor(k/2) by an INTEGER circular shift — sub-voxel offsets remain, at
// most ½ voxel); sum to one (divide by the sum; an all-zero kernel is reset to a delta).
import * as tf from '@tensorflow/tfjs';
import { InvalidParameterError } from '../../errors';
import { conv3d, reflectPad3d, samePads } from '../ops';
import { fftConv3dValid, fftConvSupported } from '../ops/fft-conv';
import { ParamFactory } from './init';
import type { PsfConfig, PsfModule } from './types';
import { deltaPsf, gaussianPsf } from '../../psf/kernels';

export { deltaPsf, gaussianPsf };

export interface PsfLayerOptions {
  seed: number;
  /** Initial PSF for init 'bornwolf' and 'spectral' (computed from the stacks by train/theory.ts), [z, y, x] row-major, same size as the layer. */
  initialPsf?: Float32Array;
  /** Standard deviation in voxels for init 'gaussian' (default: size / 8 per axis). */
  gaussianSigma?: number | [number, number, number];
  name?: string;
}

export function psfShape(size: PsfConfig['size']): [number, number, number] {
  const s: [number, number, number] = typeof size === 'number' ? [size, size, size] : size;
  if (s.some((n) => !Number.isInteger(n) || n < 1 || n > 128))
    throw new InvalidParameterError('psf size', `${s.join('×')} must be whole numbers from 1 to 128`);
  return s;
}

/** The zero-shift voxel of the PSF: floor(k/2) per axis (see the header for even sizes). */
export function psfCentre(shape: [number, number, number]): [number, number, number] {
  return shape.map((k) => Math.floor(k / 2)) as [number, number, number];
}

function initialPsf(cfg: PsfConfig, shape: [number, number, number], opts: PsfLayerOptions): Float32Array {
  const n = shape[0] * shape[1] * shape[2];
  if (cfg.init === 'delta') return deltaPsf(shape);
  if (cfg.init === 'gaussian')
    return gaussianPsf(shape, opts.gaussianSigma ?? (shape.map((k) => k / 8) as [number, number, number]));
  if (!opts.initialPsf)
    throw new InvalidParameterError(
      'psf init',
      `${cfg.init} needs the initial PSF array`,
      'Compute it from the stacks (train/theory.ts) and pass it as initialPsf.',
    );
  if (opts.initialPsf.length !== n)
    throw new InvalidParameterError(
      'psf init',
      `the initial PSF has ${opts.initialPsf.length} values, the layer needs ${shape.join('×')} = ${n}`,
    );
  return Float32Array.from(opts.initialPsf);
}

/**
 * Circular shift of a [z, y, x] tensor along each axis by integer amounts held in a tensor (positive moves
 * content to higher indices). Done as products with 0/1 permutation matrices, so the shift never leaves the
 * device (no dataSync: WebGPU in Node cannot read back synchronously) and the values are moved exactly.
 */
export function roll3d(k: tf.Tensor3D, shift: tf.Tensor1D | [number, number, number]): tf.Tensor3D {
  return tf.tidy(() => {
    const s = Array.isArray(shift) ? tf.tensor1d(shift, 'int32') : tf.cast(shift, 'int32');
    const [nz, ny, nx] = k.shape;
    // P[i, j] = 1 where j = (i − shift) mod n, so (P · v)[i] = v[i − shift].
    const perm = (axis: number, n: number) => {
      const i = tf.range(0, n, 1, 'int32').reshape([n, 1]);
      const j = tf.range(0, n, 1, 'int32').reshape([1, n]);
      const src = tf.mod(tf.add(tf.sub(i, tf.slice(s, [axis], [1])), n), n);
      return tf.cast(tf.equal(src, j), 'float32') as tf.Tensor2D;
    };
    let out = tf.matMul(perm(0, nz), tf.reshape(k, [nz, ny * nx])).reshape([nz, ny, nx]);
    out = tf
      .matMul(perm(1, ny), tf.reshape(tf.transpose(out, [1, 0, 2]), [ny, nz * nx]))
      .reshape([ny, nz, nx])
      .transpose([1, 0, 2]);
    out = tf.matMul(tf.reshape(out, [nz * ny, nx]), perm(2, nx), false, true).reshape([nz, ny, nx]);
    return out as tf.Tensor3D;
  });
}

/** Integer shift per axis that moves the centre of mass of |k| to psfCentre, as an int32 tensor (stays on device). */
export function centringShift(k: tf.Tensor3D): tf.Tensor1D {
  return tf.tidy(() => {
    const w = tf.abs(k);
    const total = tf.maximum(tf.sum(w), 1e-30);
    const centre = psfCentre(k.shape);
    const shifts = [0, 1, 2].map((axis) => {
      const others = [0, 1, 2].filter((a) => a !== axis);
      const profile = tf.sum(w, others);
      const com = tf.div(tf.sum(tf.mul(profile, tf.range(0, k.shape[axis]!))), total);
      return tf.sub(centre[axis]!, tf.round(com));
    });
    return tf.cast(tf.stack(shifts), 'int32') as tf.Tensor1D;
  });
}

export function buildPsfLayer(cfg: PsfConfig, opts: PsfLayerOptions): PsfModule {
  const shape = psfShape(cfg.size);
  const name = opts.name ?? 'G_BA';
  const p = new ParamFactory(name, opts.seed);
  const kernel = p.fromValues('psf', initialPsf(cfg, shape, opts), shape);
  const pads = samePads(shape);

  const module: PsfModule = {
    name,
    variables: () => [kernel],
    psf: () => tf.clone(kernel) as tf.Tensor3D,
    apply(x: tf.Tensor5D): tf.Tensor5D {
      return tf.tidy(() => {
        if (cfg.convolution === 'fft' && fftConvSupported())
          return fftConv3dValid(reflectPad3d(x, pads), kernel as tf.Tensor3D);
        const w = tf.reshape(tf.reverse(kernel, [0, 1, 2]), [...shape, 1, 1]) as tf.Tensor5D;
        return conv3d(reflectPad3d(x, pads), w, 1, 'valid');
      });
    },
    l1: () => tf.tidy(() => tf.sum(tf.abs(kernel))) as tf.Scalar,
    project(): void {
      const next = tf.tidy(() => {
        let k = kernel as tf.Tensor3D;
        if (cfg.nonNegative) k = tf.relu(k);
        if (cfg.centred) k = roll3d(k, centringShift(k));
        if (cfg.sumToOne) {
          // An all-zero (or non-finite) kernel cannot be normalised: reset it to a delta instead.
          const sum = tf.sum(k);
          const usable = tf.logicalAnd(tf.greater(sum, 0), tf.isFinite(sum));
          k = tf.where(usable, tf.div(k, tf.where(usable, sum, 1)), tf.tensor3d(deltaPsf(shape), shape)) as tf.Tensor3D;
        }
        return k;
      });
      if (next === (kernel as tf.Tensor)) return; // no constraint configured
      kernel.assign(next);
      next.dispose();
    },
  };
  module.project();
  return module;
}
