// Shared shapes of the engine's networks. Tensors are NDHWC: [batch, z, y, x, channels].
import type * as tf from '@tensorflow/tfjs';

/** A trainable network built from plain tf.Variables (no tf.layers), so every op and gradient is ours to check. */
export interface Module {
  readonly name: string;
  /** All trainable variables, with stable unique names (used by checkpoints and weight files). */
  variables(): tf.Variable[];
  /** Forward pass. Must be called inside tf.tidy / tf.variableGrads by the caller. */
  apply(x: tf.Tensor5D): tf.Tensor5D;
}

/** G_BA of the paper: one 3D convolution whose kernel IS the PSF. */
export interface PsfModule extends Module {
  /** The current PSF as [z, y, x] (a new tensor; caller disposes). */
  psf(): tf.Tensor3D;
  /** Re-impose the configured constraints (non-negative, sum to one, centred) after an optimiser step. */
  project(): void;
  /** L1 norm of the kernel, for the λ2 regulariser. */
  l1(): tf.Scalar;
  /** Learning-rate multipliers of extra variables (the halo's), by variable name; they override psf.lrScale. */
  lrScales?(): Record<string, number>;
}

export interface UNetConfig {
  /** Number of resolution levels (paper: 4 → 64,128,256,512 channels). */
  levels: number;
  /** Channels of the first level (paper: 64), doubling per level. */
  baseChannels: number;
  /** conv–norm–ReLU blocks per level (paper/3D U-Net: 2). */
  convsPerLevel: number;
  /**
   * Beyond the paper: output = input + U-Net(input), with the last 1×1×1 convolution started at zero, so the network
   * starts as the identity instead of an output unrelated to its input (single-channel input and output only).
   */
  residual?: boolean;
  /** Beyond the paper: 'nearest-conv' up-samples by nearest ×2 then a 3³ conv instead of the 2³ transposed conv (default 'transpose'). */
  upsample?: 'transpose' | 'nearest-conv';
  /** Beyond the paper: 'softplus' makes the output non-negative (models/unet.ts softplusHead); default 'linear'. */
  output?: 'linear' | 'softplus';
}

export interface DiscriminatorConfig {
  /** Channels of the first module, doubling per module. */
  baseChannels: number;
  /** Number of conv3³ stride-2 – InstanceNorm – ReLU modules (paper: 4). */
  modules: number;
}

export type PsfInit = 'delta' | 'gaussian' | 'bornwolf' | 'spectral';

export interface PsfConfig {
  /** Kernel edge length in voxels (paper: 20; odd recommended). Either a number (cube) or [z, y, x]. */
  size: number | [number, number, number];
  init: PsfInit;
  nonNegative: boolean;
  sumToOne: boolean;
  centred: boolean;
  /**
   * How the kernel is applied: 'direct' conv3d (default) or 'fft' (ops/fft-conv.ts: same result, cost nearly
   * independent of the kernel size; on backends that cannot read tensors synchronously, e.g. webgpu, the layer
   * uses 'direct').
   */
  convolution?: 'direct' | 'fft';
  /** 'free' (default): every voxel learned; 'gaussian': two learned widths (models/psf-gaussian.ts); 'pupil': models/psf-pupil.ts. */
  model?: 'free' | 'gaussian' | 'pupil';
  /** psf.model 'pupil': which aberrations are learned (models/psf-pupil.ts). */
  pupilAberrations?: 'all' | 'symmetric';
}
