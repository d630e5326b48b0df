// Domain schemas shared by every request, response and event of the contract.
// This folder is imported by the renderer: zod only, no Node modules.
import { z } from 'zod';
import { boundedJson } from './json-bounds';
import { SafeName } from './names';
import { VoxelSizeSource } from './calibration';
import { TrainConfigOverridesSchema } from './train-config';

export const Id = z.string().regex(/^[a-z]{1,8}_[A-Za-z0-9_-]{4,64}$/, 'expected an id such as "ds_1a2b3c4d"');
/** A file-system path. Transports confine every such field to the folders the user allowed. */
export const FsPath = z
  .string()
  .min(1, 'path is empty')
  .max(4096, 'path is longer than 4096 characters')
  .refine((p) => !p.includes('\0'), 'path contains a NUL byte');
export const IsoDate = z.string().min(10).max(40);

export const Shape3 = z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]);
export type Shape3 = z.infer<typeof Shape3>;

export const VoxelSize = z.object({
  x: z.number().positive().finite(),
  y: z.number().positive().finite(),
  z: z.number().positive().finite(),
  unit: z.string().min(1).max(16),
});
export type VoxelSize = z.infer<typeof VoxelSize>;

export const ExternalTool = z.enum(['autoquant', 'huygens', 'rl', 'other']);
/** What a dataset is: a blurred acquisition, a sharp reference, or a result of another tool linked to its input. */
export const DatasetRole = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('blurred') }),
  z.object({ kind: z.literal('sharp') }),
  z.object({ kind: z.literal('external'), tool: ExternalTool, linkedTo: Id.optional() }),
]);
export type DatasetRole = z.infer<typeof DatasetRole>;

export const SampleType = z.enum(['uint8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64']);

export const Dataset = z.object({
  id: Id,
  name: z.string(),
  /** Absolute path of the referenced file (datasets are never copied). */
  path: FsPath,
  size: z.number().int().nonnegative(),
  /** sha256 of the first MiB + size: duplicate and moved-file detection. */
  contentHash: z.string(),
  mtimeMs: z.number(),
  role: DatasetRole,
  shape: Shape3,
  dtype: SampleType,
  /** Voxel size stored in the file (unit 'px' when absent). */
  voxelSize: VoxelSize,
  /** User override; when set it wins over `voxelSize`. */
  voxelSizeOverride: VoxelSize.nullable(),
  sourceFormat: z.string(),
  channels: z.number().int().positive().optional(),
  frames: z.number().int().positive().optional(),
  /** Where `voxelSize` came from when imported: the file, or nowhere (1 px); the override's source is 'project'. */
  voxelSizeSource: VoxelSizeSource.optional(),
  /** What the reader said about the file when imported (a guessed axis order, an implausible calibration…). */
  warnings: z.array(z.string().max(4000)).max(20).optional(),
  /** Project-relative path of the cached thumbnail (max projection, PNG). */
  thumbnail: z.string().nullable(),
  status: z.enum(['ok', 'missing']),
  addedAt: IsoDate,
});
export type Dataset = z.infer<typeof Dataset>;

export const TrainRun = z.object({
  id: Id,
  jobId: Id,
  /** Project-relative run folder (config.json, checkpoints, losses). */
  dir: z.string(),
  datasetIds: z.array(Id),
  preset: z.string(),
  createdAt: IsoDate,
  status: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
  /** The verdict of the run's output check once it has ended (core/train/output-check.ts); absent: none (older run). */
  outputCheck: z.enum(['passed', 'flagged']).optional(),
  /** What the output check raised when flagged: the model's output should not be trusted. */
  warnings: z.array(z.string().max(4000)).max(20).optional(),
  /** What the run was trained on (domain.json; contract/domain.ts); absent for runs that predate the record. */
  domain: z.object({ voxelSize: VoxelSize, dimensionality: z.union([z.literal(2), z.literal(3)]) }).optional(),
});
export type TrainRun = z.infer<typeof TrainRun>;

/** The run a model deconvolution uses when none is named: the newest finished one (runner and UI agree on it). */
export function latestFinishedRun<R extends Pick<TrainRun, 'status' | 'createdAt'>>(runs: readonly R[]): R | undefined {
  return runs.filter((r) => r.status === 'done').sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}

export const ResultKind = z.enum(['deconvolved', 'psf', 'report']);
export const Result = z.object({
  id: Id,
  jobId: Id,
  kind: ResultKind,
  /** Absolute path of the output file. */
  path: FsPath,
  inputDatasetId: Id.nullable(),
  method: z.string(),
  shape: Shape3.nullable(),
  createdAt: IsoDate,
  /** Why this result should be read with care (e.g. made by a model whose output check failed). */
  warnings: z.array(z.string().max(4000)).max(20).optional(),
});
export type Result = z.infer<typeof Result>;

export const Comparison = z.object({
  id: Id,
  /** Dataset or result ids shown side by side; the first is the reference when metrics are computed. */
  itemIds: z.array(Id).min(2),
  note: z.string(),
  createdAt: IsoDate,
});
export type Comparison = z.infer<typeof Comparison>;

export const Project = z.object({
  version: z.number().int().positive(),
  id: Id,
  name: z.string(),
  /** Absolute path of the project folder. */
  dir: FsPath,
  createdAt: IsoDate,
  updatedAt: IsoDate,
  datasets: z.array(Dataset),
  runs: z.array(TrainRun),
  results: z.array(Result),
  comparisons: z.array(Comparison),
  notes: z.string(),
});
export type Project = z.infer<typeof Project>;

// ---- PSF ----
export const PsfModel = z.enum(['born-wolf', 'gibson-lanni']);
const OddSize = z
  .number()
  .int()
  .positive()
  .max(255)
  .refine((n) => n % 2 === 1, 'must be odd so the PSF centre is a voxel');
export const PsfParams = z.object({
  model: PsfModel,
  /** [z, y, x], each odd. */
  shape: z.tuple([OddSize, OddSize, OddSize]),
  /** Voxel size in µm. */
  voxelSize: VoxelSize,
  numericalAperture: z.number().positive().max(1.7),
  /**
   * Emission wavelength in µm (0.2–2), the unit of the CLI, the training optics and every form. Job records written
   * before this was µm carry nm (200–2000); the two ranges do not overlap, so such a value is read as nm.
   */
  wavelength: z.preprocess(
    (v) => (typeof v === 'number' && v >= 200 && v <= 2000 ? v / 1000 : v),
    z.number().min(0.2).max(2),
  ),
  /** Immersion medium refractive index (oil 1.515, water 1.333). */
  refractiveIndex: z.number().min(1).max(2).default(1.515),
  /** Sample refractive index. */
  sampleIndex: z.number().min(1).max(2).default(1.33),
  confocal: z.boolean().default(false),
});
export type PsfParams = z.infer<typeof PsfParams>;
export const PsfAnalysis = z.object({
  /** Full width at half maximum along each axis, in the voxel-size unit. */
  fwhm: z.object({ x: z.number(), y: z.number(), z: z.number() }),
  unit: z.string(),
  centre: Shape3.or(z.tuple([z.number(), z.number(), z.number()])),
  peak: z.number(),
  sum: z.number(),
});
export type PsfAnalysis = z.infer<typeof PsfAnalysis>;

// ---- Jobs ----
export const JobKind = z.enum(['train', 'deconvolve', 'psf', 'report']);
/** `paused`: held by the user (not picked, dependents wait) until jobs.resume puts it back in the queue. */
export const JobState = z.enum(['queued', 'waiting', 'running', 'paused', 'done', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;

export const PsfRef = z.discriminatedUnion('from', [
  z.object({ from: z.literal('dataset'), id: Id }),
  z.object({ from: z.literal('result'), id: Id }),
  z.object({ from: z.literal('generate'), params: PsfParams }),
]);

export const TrainSpec = z.object({
  kind: z.literal('train'),
  blurredIds: z.array(Id).min(1),
  sharpIds: z.array(Id).default([]),
  preset: z.enum(['paper', 'fast', 'tiny']).default('fast'),
  /** Overrides of TrainConfig fields (contract/train-config.ts; unknown keys refused here, the cross-field rules
   * checked when the job is submitted). Bounded too (depth, size, plain JSON): the job is journalled and cloned. */
  config: boundedJson(TrainConfigOverridesSchema).default({}),
  /** PSF dataset for the Richardson–Lucy of config.sharpSource 'rl' (omitted: Born–Wolf from config.optics). */
  rlPsfId: Id.optional(),
  /** Which channel of multichannel stacks to train on (required for them: never channel 0 unasked), and which frame. */
  channel: z.number().int().nonnegative().max(1023).optional(),
  frame: z.number().int().nonnegative().max(1_000_000).optional(),
});
/** Richardson–Lucy's boundary model, forward-model background (input units or 'auto'), momentum and total-variation
 * weight λ (RL–TV, Dey et al. 2006; 0 = plain RL); absent: the core defaults (extend, auto, none, 0). */
export const RlJobOptions = z
  .object({
    boundary: z.enum(['extend', 'reflect', 'zero']).optional(),
    background: z.union([z.literal('auto'), z.number().min(0).max(1e12)]).optional(),
    acceleration: z.enum(['none', 'shb']).optional(),
    tv: z.number().min(0).lt(1).optional(),
  })
  .strict();
export type RlJobOptions = z.infer<typeof RlJobOptions>;
export const DeconvolveSpec = z.discriminatedUnion('method', [
  z.object({
    kind: z.literal('deconvolve'),
    method: z.literal('rl'),
    datasetId: Id,
    psf: PsfRef,
    iterations: z.number().int().min(1).max(10_000).default(20),
    rl: RlJobOptions.optional(),
    outputName: SafeName.optional(),
  }),
  z.object({
    kind: z.literal('deconvolve'),
    method: z.literal('model'),
    datasetId: Id,
    runId: Id.optional(),
    trainJobId: Id.optional(),
    /** A run folder written by `cycledecon train` outside the project (must be in an allowed folder). */ runDir:
      FsPath.optional(),
    outputName: SafeName.optional(),
  }),
]);
export const PsfSpec = z.object({ kind: z.literal('psf'), params: PsfParams, outputName: SafeName.optional() });
export const ReportSpec = z.object({
  kind: z.literal('report'),
  itemIds: z.array(Id).min(1),
  title: z.string().max(200).optional(),
});
/** What a job does, by kind (so a bad field is named, not "invalid input"); `deconvolve` is a union on `method`. */
export const JobSpec = z.discriminatedUnion('kind', [TrainSpec, DeconvolveSpec, PsfSpec, ReportSpec]);
export type JobSpec = z.infer<typeof JobSpec>;

export const JobError = z.object({ code: z.string(), message: z.string(), hint: z.string().optional() });
export const Job = z.object({
  id: Id,
  kind: JobKind,
  spec: JobSpec,
  state: JobState,
  /** Higher runs first; ties run in submission order. */
  priority: z.number().int(),
  dependsOn: z.array(Id),
  attempts: z.number().int().nonnegative(),
  progress: z.number().min(0).max(1),
  message: z.string(),
  createdAt: IsoDate,
  startedAt: IsoDate.nullable(),
  finishedAt: IsoDate.nullable(),
  /** Ids of results (Result.id) or the run (TrainRun.id) this job produced. */
  outputs: z.array(Id),
  error: JobError.nullable(),
  /** The worker process running (or that ran) the job, on a shared queue (`cycledecon worker --name`). */
  worker: z.string().max(200).optional(),
});
export type Job = z.infer<typeof Job>;

export const MetricName = z.enum(['psnr', 'ssim', 'nrmse', 'ncc']);
