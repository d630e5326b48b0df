// Request/response work too heavy for the thread that serves requests: metrics over two stacks, a
// theoretical PSF written and measured, a PSF measured, a stack's header and thumbnail read for import. Each task is
// plain data in and out, so the same function runs inline or in a task worker (task-pool.ts).
import type { MetricName as MetricNameSchema, PsfAnalysis, PsfParams, Result, VoxelSize } from '../contract/schemas';
import type { z } from 'zod';
import { readVolume, type TiffInfo } from '../core/io/index';
import { computeMetrics, ncc } from '../core/metrics/index';
import { inspectForImport } from '../core/project/import';
import { analyzePsf } from '../core/psf/figures';
import { psfVolume, writePsfResult } from './runners/psf';

type MetricName = z.infer<typeof MetricNameSchema>;

export type Task =
  | {
      kind: 'metrics';
      referencePath: string;
      testPath: string;
      metrics: MetricName[];
      at?: { channel: number; frame: number };
    }
  | { kind: 'psf'; params: PsfParams; resultsDir: string; outputName?: string; jobId: string }
  | { kind: 'inspect'; path: string }
  /** A generated PSF (params) or a PSF stack on disk (path, with the project's voxel size when it has one). */
  | { kind: 'psf-analyze'; params?: PsfParams; path?: string; voxelSize?: VoxelSize | null };

export interface TaskOutputs {
  metrics: { values: Record<string, number>; shape: number[] };
  psf: { result: Result; analysis: PsfAnalysis };
  inspect: { info: TiffInfo; thumbnail: Uint8Array };
  'psf-analyze': PsfAnalysis;
}
export type TaskOutput<T extends Task> = TaskOutputs[T['kind']];

/** Runs tasks somewhere (this thread, a worker); `close` ends whatever it started. */
export interface TaskRunner {
  run<T extends Task>(task: T): Promise<TaskOutput<T>>;
  close(): Promise<void>;
}

async function metrics(t: Extract<Task, { kind: 'metrics' }>): Promise<TaskOutputs['metrics']> {
  const [ref, test] = [await readVolume(t.referencePath, t.at), await readVolume(t.testPath, t.at)];
  const m = computeMetrics(ref, test);
  const values: Record<string, number> = {};
  for (const name of t.metrics) {
    if (name === 'psnr') values.psnr = m.psnr;
    else if (name === 'nrmse') values.nrmse = m.nrmse;
    else if (name === 'ncc') values.ncc = ncc(ref.data, test.data);
    else {
      values.ssim = m.ssim3d ?? m.ssim2d;
      values.ssim2d = m.ssim2d;
    }
  }
  return { values, shape: [...ref.shape] };
}

async function psf(t: Extract<Task, { kind: 'psf' }>): Promise<TaskOutputs['psf']> {
  const job = { id: t.jobId, kind: 'psf' } as never;
  const volume = psfVolume(t.params); // computed once: written and measured
  const result = await writePsfResult(job, t.params, t.resultsDir, t.outputName, volume);
  result.jobId = t.jobId;
  return { result, analysis: analyzePsf(volume) };
}

async function psfAnalyze(t: Extract<Task, { kind: 'psf-analyze' }>): Promise<PsfAnalysis> {
  if (t.params) return analyzePsf(psfVolume(t.params));
  if (!t.path) throw new Error('psf-analyze needs params or a path');
  const vol = await readVolume(t.path);
  if (t.voxelSize) vol.voxelSize = { ...t.voxelSize };
  return analyzePsf(vol);
}

export async function runTask<T extends Task>(task: T): Promise<TaskOutput<T>> {
  const t = task as Task;
  if (t.kind === 'metrics') return (await metrics(t)) as TaskOutput<T>;
  if (t.kind === 'psf') return (await psf(t)) as TaskOutput<T>;
  if (t.kind === 'inspect') return (await inspectForImport(t.path)) as TaskOutput<T>;
  if (t.kind === 'psf-analyze') return (await psfAnalyze(t)) as TaskOutput<T>;
  throw new Error(`unknown task ${(t as { kind: string }).kind}`);
}

/** Runs every task on the calling thread (the Electron shell and tests that do not need a worker). */
export const inlineTasks: TaskRunner = { run: runTask, close: async () => undefined };
