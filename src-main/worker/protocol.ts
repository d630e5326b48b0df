// Typed messages between the main side and the training worker (worker_threads). Plain data only.
import type { TrainConfig } from '../core/train/config';
import type { TrainEvent } from '../core/train/events';
import type { VoxelSize } from '../core/io/volume';
import type { WireError } from './wire-error';

export interface TrainStartMessage {
  type: 'train-start';
  config: TrainConfig;
  /** TIFF files or folders of the blurred (domain A) and sharp (domain B) stacks. */
  blurred: string[];
  sharp: string[];
  outDir: string;
  resume: boolean;
  force: boolean;
  /** Backend to force ('cpu', 'webgpu', …); omitted = automatic choice. */
  backend?: string;
  /** PSF TIFF for the Richardson–Lucy of sharpSource 'rl' (omitted: Born–Wolf from config.optics). */
  rlPsf?: string;
  /** Voxel size to use instead of the files' (`--voxel-size`). */
  voxelSize?: VoxelSize;
}

/** Main → worker. */
export type TrainCommandMessage =
  TrainStartMessage | { type: 'train-pause' } | { type: 'train-resume' } | { type: 'train-cancel' };

export interface TrainSummary {
  runDir: string;
  steps: number;
  cancelled: boolean;
}

/** Worker → main. */
export type TrainWorkerMessage =
  | { type: 'train-backend'; name: string; reason: string }
  | { type: 'train-event'; event: TrainEvent }
  | { type: 'train-result'; result: TrainSummary }
  | { type: 'train-error'; error: WireError };
