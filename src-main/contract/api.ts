// The table of every method and event of the app. Both transports (Electron IPC, devserver HTTP+WS)
// serve exactly this table; handlers are validated against it on the way in and out.
import { z } from 'zod';
import {
  Comparison,
  Dataset,
  DatasetRole,
  FsPath,
  Id,
  Job,
  JobSpec,
  JobState,
  MetricName,
  Project,
  PsfAnalysis,
  PsfParams,
  PsfRef,
  Result,
  Shape3,
  VoxelSize,
} from './schemas';
import { SafeName } from './names';
import { PupilInfo } from './pupil';
import { VoxelSizeSource } from './calibration';
import { RunDetail, RunSummary } from './runs';
import { AppSettings, QueueProbe, SettingsState } from './settings';

const Empty = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });

/** Metadata sent with every binary reply. HTTP: `X-Cycledecon-Meta` header (JSON) + octet-stream body; IPC: `{ meta, data: ArrayBuffer }`. */
export const BinaryMeta = z.object({
  dtype: z.literal('float32'),
  /** Shape of the array in the body: [y, x] for a slice, [z, y, x] for a volume. Row-major, x fastest. */
  shape: z.array(z.number().int().positive()).min(2).max(3),
  /** Voxel size of the returned array (already scaled by the downsampling factor). */
  voxelSize: VoxelSize,
  /** Integer downsampling factor applied per axis [z, y, x]. */
  factor: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
  min: z.number(),
  max: z.number(),
  /** Where the voxel size came from (file, project override, none…), and which channel/frame of how many this is. */
  voxelSizeSource: VoxelSizeSource.optional(),
  channel: z.number().int().nonnegative().optional(),
  frame: z.number().int().nonnegative().optional(),
  channels: z.number().int().positive().optional(),
  frames: z.number().int().positive().optional(),
});
export type BinaryMeta = z.infer<typeof BinaryMeta>;

/** Pointer to any viewable volume: an imported dataset or a result, at one channel and time point (from 0). */
export const VolumeRef = z.object({
  id: Id,
  channel: z.number().int().nonnegative().max(1023).default(0),
  frame: z.number().int().nonnegative().max(1_000_000).default(0),
});

export const ImportReport = z.object({
  imported: z.array(Dataset),
  duplicates: z.array(z.object({ path: FsPath, existingId: Id })),
  moved: z.array(z.object({ id: Id, from: FsPath, to: FsPath })),
  failed: z.array(z.object({ path: FsPath, code: z.string(), message: z.string() })),
});
export type ImportReport = z.infer<typeof ImportReport>;

/** One method: request and response schemas; `binary` is kept as a literal type so ResponseOf can tell binary methods apart. */
function method<Req extends z.ZodType, Res extends z.ZodType, const Binary extends boolean = false>(
  request: Req,
  response: Res,
  binary?: Binary,
) {
  return { request, response, binary: (binary ?? false) as Binary };
}

export const api = {
  'project.create': method(z.object({ dir: FsPath, name: z.string().min(1).max(200).optional() }).strict(), Project),
  'project.open': method(z.object({ dir: FsPath }).strict(), Project),
  'project.get': method(Empty, Project),
  'project.recent': method(
    Empty,
    z.object({ projects: z.array(z.object({ dir: FsPath, name: z.string(), openedAt: z.string() })) }),
  ),
  /** The folders paths may lie in: the project's, `serve --allow`, and those added below (absolute, resolved). */
  'folders.list': method(Empty, z.object({ folders: z.array(FsPath) })),
  /** Adds a folder the user names (made when `create`); refused for the file-system root, the home folder and
   * above, hidden and system folders, checked on the real path (services/user-folders.ts). */
  'folders.allow': method(
    z.object({ dir: FsPath, create: z.boolean().default(false) }).strict(),
    z.object({ folder: FsPath, folders: z.array(FsPath) }),
  ),
  'project.setNotes': method(z.object({ notes: z.string().max(1_000_000) }).strict(), Project),
  'project.addComparison': method(
    z.object({ itemIds: z.array(Id).min(2).max(16), note: z.string().max(10_000).default('') }).strict(),
    Comparison,
  ),

  'dataset.import': method(
    z
      .object({
        paths: z.array(FsPath).min(1).max(10_000),
        role: DatasetRole.default({ kind: 'blurred' }),
        recursive: z.boolean().default(true),
      })
      .strict(),
    ImportReport,
  ),
  'dataset.list': method(Empty, z.object({ datasets: z.array(Dataset) })),
  'dataset.update': method(
    z
      .object({
        id: Id,
        name: SafeName.optional(),
        role: DatasetRole.optional(),
        voxelSizeOverride: VoxelSize.nullable().optional(),
      })
      .strict(),
    Dataset,
  ),
  'dataset.remove': method(z.object({ id: Id }).strict(), Ok),
  /** One plane of a dataset or result, optionally downsampled in-plane. Binary. */
  'dataset.slice': method(
    VolumeRef.extend({
      axis: z.enum(['z', 'y', 'x']),
      index: z.number().int().nonnegative(),
      factor: z.number().int().min(1).max(64).default(1),
    }).strict(),
    BinaryMeta,
    true,
  ),
  /** A downsampled level of a whole volume for the 3D viewer: the smallest power-of-two factor keeping ≤ maxVoxels. Binary. */
  'dataset.volume': method(
    VolumeRef.extend({
      maxVoxels: z
        .number()
        .int()
        .min(1)
        .max(512 ** 3)
        .default(128 ** 3),
    }).strict(),
    BinaryMeta,
    true,
  ),

  'results.list': method(Empty, z.object({ results: z.array(Result) })),

  'psf.generate': method(
    z.object({ params: PsfParams, outputName: SafeName.optional() }).strict(),
    z.object({ result: Result, analysis: PsfAnalysis }),
  ),
  'psf.analyze': method(z.object({ psf: PsfRef }).strict(), PsfAnalysis),
  /** The pupil parameters beside a PSF (psf-pupil.json of its run, or <name>.pupil.json of a bead fit); null if none. */
  'psf.pupil': method(z.object({ id: Id }).strict(), z.object({ pupil: PupilInfo.nullable() })),

  'jobs.submit': method(
    z
      .object({
        spec: JobSpec,
        priority: z.number().int().min(-100).max(100).default(0),
        dependsOn: z.array(Id).max(100).default([]),
      })
      .strict(),
    Job,
  ),
  'jobs.list': method(z.object({ state: JobState.optional() }).strict(), z.object({ jobs: z.array(Job) })),
  'jobs.get': method(z.object({ id: Id }).strict(), Job),
  'jobs.cancel': method(z.object({ id: Id }).strict(), Job),
  'jobs.retry': method(z.object({ id: Id }).strict(), Job),
  /** Holds a queued/waiting job, or stops a running one at its next checkpoint-safe point; it stays `paused` (across restarts) until resumed. */
  'jobs.pause': method(z.object({ id: Id }).strict(), Job),
  /** Puts a paused job back in the queue; a job that had started continues from its checkpoint. */
  'jobs.resume': method(z.object({ id: Id }).strict(), Job),
  /** Log lines of a job from line `since` on. */
  'jobs.log': method(
    z.object({ id: Id, since: z.number().int().nonnegative().default(0) }).strict(),
    z.object({ lines: z.array(z.string()), next: z.number().int() }),
  ),

  /** The project's training runs, newest first, read back from their folders (contract/runs.ts). */
  'runs.list': method(Empty, z.object({ runs: z.array(RunSummary) })),
  /** One run's loss history and learned PSF, for the Training view to reopen it. */
  'runs.get': method(z.object({ id: Id }).strict(), RunDetail),

  /** App-level settings (which queue jobs run on); a queue change applies at the next start. */
  'settings.get': method(Empty, SettingsState),
  'settings.set': method(z.object({ settings: AppSettings }).strict(), SettingsState),
  /** Connects to a Redis queue URL and sends PING; a typed error says refused, timed out, unknown host or bad URL. */
  'settings.testQueue': method(
    z
      .object({ url: z.string().min(1).max(500), timeoutMs: z.number().int().min(100).max(30_000).default(2000) })
      .strict(),
    QueueProbe,
  ),

  'metrics.compute': method(
    /** Both volumes at one channel and time point (from 0; default 0, 0). */
    z
      .object({
        referenceId: Id,
        testId: Id,
        metrics: z.array(MetricName).min(1).default(['psnr', 'ssim', 'nrmse', 'ncc']),
        channel: VolumeRef.shape.channel,
        frame: VolumeRef.shape.frame,
      })
      .strict(),
    z.object({ values: z.record(z.string(), z.number()), shape: Shape3 }),
  ),
} as const;

export type Api = typeof api;
export type MethodName = keyof Api;
export type BinaryMethodName = { [K in MethodName]: Api[K]['binary'] extends true ? K : never }[MethodName];
/** What a caller sends (defaults optional). */
export type RequestOf<M extends MethodName> = z.input<Api[M]['request']>;
/** What a handler receives after validation (defaults filled in). */
export type ParsedRequestOf<M extends MethodName> = z.output<Api[M]['request']>;
/** A binary reply: metadata plus the float32 samples. */
export interface BinaryPayload {
  meta: BinaryMeta;
  data: Float32Array;
}
export type ResponseOf<M extends MethodName> = Api[M]['binary'] extends true
  ? BinaryPayload
  : z.output<Api[M]['response']>;

export const events = {
  'job.progress': z.object({
    jobId: Id,
    progress: z.number().min(0).max(1),
    message: z.string(),
    step: z.number().int().optional(),
    total: z.number().int().optional(),
    etaSeconds: z.number().optional(),
  }),
  'job.state': z.object({ job: Job }),
  'job.log': z.object({ jobId: Id, line: z.string() }),
  /** The PSF currently learned by a training run (small: ≤ 64³), for a live view. */
  'train.psfSnapshot': z.object({
    jobId: Id,
    runId: Id,
    iteration: z.number().int(),
    shape: Shape3,
    data: z.array(z.number()).max(64 ** 3),
  }),
  /** One training step of a running train job: its loss terms, learning rate, speed and time left. */
  'train.loss': z.object({
    jobId: Id,
    runId: Id,
    step: z.number().int().positive(),
    epoch: z.number().int().nonnegative(),
    losses: z.record(z.string(), z.number()),
    lr: z.number(),
    stepsPerSecond: z.number().nonnegative(),
    etaSeconds: z.number().nonnegative(),
  }),
  /** The project changed (datasets imported, results added): clients re-fetch project.get. */
  'project.changed': z.object({ projectId: Id }),
} as const;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventOf<E extends EventName> = z.output<Events[E]>;
