// Beyond the paper (config psf.model 'pupil', issue #24): G_BA as a PHYSICAL PSF, computed from the microscope's
// pupil function (core/psf/pupil.ts: the scalar Gibson–Lanni / Hanser model evaluated by FFT) with the known
// optics fixed (NA, emission wavelength, immersion and sample indices, the stacks' voxel size) and ten unknowns
// learned: the focal offset z0 (µm), the emitter depth below the coverslip (µm; the refractive-index mismatch's
// spherical aberration with its focal shift removed), a Gaussian pupil apodisation, and the Zernike phase
// coefficients Noll 5–11 (radians rms: astigmatism, coma, trefoil, primary spherical). The lateral position is
// held at the box's zero-shift voxel floor(k/2) (the layer must not translate the image). All zero is the
// aberration-free Born–Wolf-like PSF of the optics, the layer's start.
//
// Adam moves every variable by about lr·scale per step whatever its units, so the variable holds the parameters
// divided by PUPIL_PARAM_UNITS (depth in tens of µm, the rest as they are): at the fast preset's 2e-4 × 25 a
// step moves a Zernike coefficient by ≈ 5 mrad and the depth by ≈ 0.05 µm.
//
// The kernel is non-negative, sums to one and is centred by construction (project() has nothing to do). It is not
// separable, so it is applied by FFT (ops/fft-conv.ts) where the backend allows, else by conv3d; both with the
// free layer's reflect padding (psf-layer.ts), so this equals the free layer holding the same kernel.
import * as tf from '@tensorflow/tfjs';
import { InvalidParameterError } from '../../errors';
import { PupilPsf, PUPIL_PARAM_NAMES, type PupilOptics } from '../../psf/pupil';
import { conv3d, reflectPad3d, samePads } from '../ops';
import { fftConv3dValid, fftConvSupported } from '../ops/fft-conv';
import { pupilPsfOp } from '../pupil-psf';
import type { PsfModule } from './types';

/** The learned parameters, in the variable's order: θ of pupil.ts without the lateral position. */
export const PUPIL_LAYER_PARAMS = PUPIL_PARAM_NAMES.slice(2);
/** Each learned parameter's unit in the variable (θ_i = unit_i · v_i). */
export const PUPIL_PARAM_UNITS: readonly number[] = PUPIL_LAYER_PARAMS.map((n) => (n === 'depth' ? 10 : 1));
/** The pupil parameters move at this multiple of the optimiser's learning rate (like the Gaussian layer's widths). */
export const PUPIL_PSF_LR_SCALE = 25;
const VARIABLE_SUFFIX = 'psf_pupil';

/** The optics the layer needs: everything of PupilOptics but the box, which is the layer's. */
export type PupilLayerOptics = Omit<PupilOptics, 'size'>;

export interface PupilPsfOptions {
  shape: [number, number, number];
  optics: PupilLayerOptics;
  name: string;
  /** Start values of PUPIL_LAYER_PARAMS in their own units (default all zero: no aberration). */
  start?: readonly number[];
  /** 'direct' forces conv3d; otherwise FFT where the backend can read tensors synchronously. */
  convolution?: 'direct' | 'fft';
  /**
   * 'all' (default) learns every parameter; 'symmetric' only the rotationally symmetric ones (z0, depth, apodisation,
   * Z11): the others stay at their start (their gradient is masked, so Adam never moves them). 'depth' learns z0,
   * depth and apodisation only: the index mismatch carries all the spherical aberration (the blind fit's choice,
   * core/train/pupil-blind.ts: Z11 and depth trade against each other in the power spectra).
   */
  aberrations?: 'all' | 'symmetric' | 'depth';
}

/** The parameters that keep a PSF rotationally symmetric about the optical axis. */
export const SYMMETRIC_PUPIL_PARAMS: readonly string[] = ['z0', 'depth', 'apodisation', 'Z11'];
/** The symmetric parameters without Z11 (aberrations 'depth'). */
export const DEPTH_PUPIL_PARAMS: readonly string[] = ['z0', 'depth', 'apodisation'];

export function buildPupilPsfLayer(opts: PupilPsfOptions): PsfModule {
  const { shape, name } = opts;
  const model = new PupilPsf({ ...opts.optics, size: shape }); // validates the optics (typed errors); bases computed once
  const start = opts.start ?? PUPIL_LAYER_PARAMS.map(() => 0);
  if (start.length !== PUPIL_LAYER_PARAMS.length || start.some((v) => !Number.isFinite(v))) {
    throw new InvalidParameterError(
      'pupil start',
      `expected ${PUPIL_LAYER_PARAMS.length} finite values (${PUPIL_LAYER_PARAMS.join(', ')}), got ${start.join(', ')}`,
    );
  }
  const init = tf.tensor1d(start.map((v, i) => v / PUPIL_PARAM_UNITS[i]!));
  const v = tf.variable(init, true, `${name}/${VARIABLE_SUFFIX}`);
  init.dispose(); // the variable keeps its own copy
  const op = pupilPsfOp(model);
  const learnedSet =
    opts.aberrations === 'symmetric'
      ? SYMMETRIC_PUPIL_PARAMS
      : opts.aberrations === 'depth'
        ? DEPTH_PUPIL_PARAMS
        : null;
  const learned = PUPIL_LAYER_PARAMS.map((n) => (learnedSet && !learnedSet.includes(n) ? 0 : 1));
  const fixed = start.map((s0, i) => (learned[i] ? 0 : s0));
  // θ = units·(mask·v) + fixed: a masked parameter's gradient is exactly 0 and its value its start.
  const theta = () =>
    tf.add(tf.mul(tf.mul(v, tf.tensor1d(learned)), tf.tensor1d(PUPIL_PARAM_UNITS as number[])), tf.tensor1d(fixed));
  const psf = (): tf.Tensor3D => tf.tidy(() => op(tf.concat([tf.zeros([2]), theta()]) as tf.Tensor1D));
  const pads = samePads(shape);
  const useFft = opts.convolution !== 'direct';
  const variables = () => [v];
  return {
    name,
    variables,
    lrScales: () => ({ [v.name]: PUPIL_PSF_LR_SCALE }),
    psf,
    apply: (x) =>
      tf.tidy(() => {
        const k = psf();
        if (useFft && fftConvSupported()) return fftConv3dValid(reflectPad3d(x, pads), k);
        return conv3d(
          reflectPad3d(x, pads),
          tf.reshape(tf.reverse(k, [0, 1, 2]), [...shape, 1, 1]) as tf.Tensor5D,
          1,
          'valid',
        );
      }),
    project: () => undefined, // non-negative, sum one and centred by construction
    l1: () => tf.tidy(() => tf.sum(psf()) as tf.Scalar), // = 1: the λ2 regulariser is a constant here
  };
}

/** The pupil layer's learned parameters by name in their own units (µm, radians), for reports; null for another layer. */
export function pupilPsfParams(m: PsfModule): Record<string, number> | null {
  const v = m.variables().find((x) => x.name.endsWith(`/${VARIABLE_SUFFIX}`));
  if (!v) return null;
  const values = v.dataSync();
  return Object.fromEntries(PUPIL_LAYER_PARAMS.map((n, i) => [n, values[i]! * PUPIL_PARAM_UNITS[i]!]));
}
