// Training runs as the app lists and reopens them (runs.list / runs.get): the project's record of each run
// (project.runs) joined with what its folder holds — config.json (preset, schedule), history.json (losses),
// psf.json (the learned PSF with the run's own voxel size). Read without tfjs: file names as in
// core/run/layout.ts. A folder that cannot be read gives a run with less, never an error
// for the whole list: one damaged run must not hide the others.
import { promises as fs } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Project, TrainRun } from '../contract/schemas';
import type { RunDetail, RunSummary } from '../contract/runs';
import { FileNotFoundError, InvalidParameterError } from '../core/errors';

const FILES = { config: 'config.json', history: 'history.json', psf: 'psf.json' } as const;
/** Terms of history.json that are not losses (events.ts HistoryRow). */
const NOT_LOSSES = new Set(['step', 'epoch', 'lr', 'seconds']);
const MAX_PSF = 64 ** 3;

/** The run's folder, refused when its recorded path leaves the project (a hand-edited project.json). */
export async function runFolder(projectDir: string, run: Pick<TrainRun, 'dir'>): Promise<string> {
  const abs = resolve(projectDir, run.dir);
  const rel = relative(projectDir, abs);
  if (rel.startsWith('..') || isAbsolute(rel))
    throw new InvalidParameterError('run.dir', `${run.dir} is outside the project`);
  // The real path too: a symlinked run folder must not lead out of the project.
  const [realProject, realRun] = await Promise.all([fs.realpath(projectDir), fs.realpath(abs).catch(() => abs)]);
  const realRel = relative(realProject, realRun);
  if (realRel.startsWith('..') || isAbsolute(realRel))
    throw new InvalidParameterError('run.dir', `${run.dir} leads outside the project`);
  return abs;
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(path, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** history.json → chart points: each row's finite numeric loss terms. Rows without a step are skipped. */
export function historyPoints(raw: unknown): RunDetail['history'] {
  if (!Array.isArray(raw)) return [];
  const out: RunDetail['history'] = [];
  for (const row of raw) {
    if (!isRecord(row) || typeof row.step !== 'number' || !Number.isInteger(row.step) || row.step < 0) continue;
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(row))
      if (!NOT_LOSSES.has(k) && typeof v === 'number' && Number.isFinite(v)) values[k] = v;
    out.push({ step: row.step, values });
  }
  return out;
}

/** The schedule's length from config.json: maxSteps when set (events.ts: totalSteps), else unknown. */
function totalSteps(cfg: unknown): number | undefined {
  const n = isRecord(cfg) ? cfg.maxSteps : undefined;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

function shortDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const month = d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  return `${d.getUTCDate()} ${month} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

/** A label that tells two runs of one preset apart: preset · date · first dataset (· run id when that collides). */
export function runLabel(run: Pick<TrainRun, 'preset' | 'createdAt' | 'id'>, datasetNames: readonly string[]): string {
  const data = datasetNames.length
    ? ` · ${datasetNames[0]}${datasetNames.length > 1 ? ` +${datasetNames.length - 1}` : ''}`
    : '';
  return `${run.preset} · ${shortDate(run.createdAt)}${data}`;
}

async function summarise(project: Project, projectDir: string, run: TrainRun): Promise<RunSummary> {
  const names = run.datasetIds.map((id) => project.datasets.find((d) => d.id === id)?.name ?? `${id} (removed)`);
  let steps = 0;
  let total: number | undefined;
  try {
    const dir = await runFolder(projectDir, run);
    const history = historyPoints(await readJson(join(dir, FILES.history)));
    steps = history.reduce((m, p) => Math.max(m, p.step), 0);
    total = totalSteps(await readJson(join(dir, FILES.config)));
  } catch {
    /* a folder outside the project: listed with what project.json says */
  }
  return { ...run, label: runLabel(run, names), datasetNames: names, steps, ...(total ? { totalSteps: total } : {}) };
}

/** Every run of the project, newest first; runs with the same label get their id appended. */
export async function listRuns(project: Project, projectDir: string): Promise<RunSummary[]> {
  const runs = await Promise.all(project.runs.map((r) => summarise(project, projectDir, r)));
  runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const seen = new Map<string, number>();
  for (const r of runs) seen.set(r.label, (seen.get(r.label) ?? 0) + 1);
  return runs.map((r) => ((seen.get(r.label) ?? 0) > 1 ? { ...r, label: `${r.label} · ${r.id}` } : r));
}

/** psf.json → the contract's PSF, or null when absent, malformed or larger than the contract carries. */
export function psfOf(raw: unknown): RunDetail['psf'] {
  if (!isRecord(raw) || !Array.isArray(raw.shape) || !Array.isArray(raw.data) || !isRecord(raw.voxelSize)) return null;
  const shape = raw.shape as unknown[];
  if (shape.length !== 3 || !shape.every((n) => typeof n === 'number' && Number.isInteger(n) && n > 0)) return null;
  const n = (shape as number[]).reduce((a, b) => a * b, 1);
  const data = raw.data as unknown[];
  if (n > MAX_PSF || data.length !== n || !data.every((v) => typeof v === 'number' && Number.isFinite(v))) return null;
  const vs = raw.voxelSize;
  if (
    ![vs.x, vs.y, vs.z].every((v) => typeof v === 'number' && v > 0) ||
    typeof vs.unit !== 'string' ||
    vs.unit.length < 1 ||
    vs.unit.length > 16
  )
    return null;
  const step = typeof raw.step === 'number' && Number.isInteger(raw.step) && raw.step >= 0 ? raw.step : 0;
  return {
    shape: shape as [number, number, number],
    voxelSize: { x: vs.x as number, y: vs.y as number, z: vs.z as number, unit: vs.unit },
    step,
    data: data as number[],
  };
}

/** One run's summary, loss history and learned PSF. */
export async function getRun(project: Project, projectDir: string, id: string): Promise<RunDetail> {
  const run = (await listRuns(project, projectDir)).find((r) => r.id === id);
  if (!run) throw new FileNotFoundError(`training run ${id}`);
  const dir = await runFolder(projectDir, run);
  const [history, psf] = await Promise.all([readJson(join(dir, FILES.history)), readJson(join(dir, FILES.psf))]);
  return { run, history: historyPoints(history), psf: psfOf(psf) };
}
