// What a report is built from: the volumes, the training run's outputs, and the measurements (injected).
import type { OutputCheckVerdict } from '../train/output-check-file';
import type { PupilFile } from '../train/pupil-file';
import type { Volume } from '../io/volume';
import type { LossHistory } from './loss';
import type { TrainingData } from './verdict';

/** Measurements supplied by the classic toolkit (kept injectable so tests can check them independently). */
export interface Measures {
  /** Same-size, centred convolution of a volume with a PSF (normalised to sum one by the callee). */
  convolve(data: Float32Array, shape: Volume['shape'], psf: Volume): Float32Array;
  /** FWHM through the peak in voxel-size units, and the normalised cross-correlation with a reference PSF. */
  psf(psf: Volume, reference?: Volume): { fwhm: { z: number; y: number; x: number }; ncc?: number };
  /** Quality against ground truth (after the toolkit's normalisation). */
  metrics(gt: Volume, pred: Volume): { psnr: number; nrmse: number; ssim3d: number | null; ssim2d: number };
}

export interface ReportSources {
  input: { path: string; volume: Volume };
  result: { path: string; volume: Volume };
  gt?: { path: string; volume: Volume };
  rl?: { path: string; volume: Volume };
  theoreticalPsf?: { path: string; volume: Volume };
  run?: {
    dir: string;
    config?: unknown;
    learnedPsf?: { path: string; volume: Volume };
    loss?: LossHistory;
    outputCheck?: OutputCheckVerdict | null;
    domainWarnings?: string[];
    domainNote?: string;
    trainingData?: TrainingData;
    pupil?: PupilFile | null;
  };
  /** The `deconvolve --json` summary of the result, when available (timing, backend, tiles). */
  summary?: Record<string, unknown>;
  clahe?: boolean;
  /** Page title (default "CycleDecon report"). */
  title?: string;
}

export interface PsfStats {
  path: string;
  shape: number[];
  voxelSize: Volume['voxelSize'];
  /** FWHM through the peak, in voxel-size units. */
  fwhm: { z: number; y: number; x: number };
  /** Normalised cross-correlation with the theoretical PSF (learned PSF only, when both are given). */
  nccWithTheoretical?: number;
}
