// The files of a run directory besides checkpoints: config.json, the loss history (CSV + JSON), the trained
// generators in tfjs format (weights/), and the learned PSF with the stacks' voxel size.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { writeBytesAtomic } from '../io/atomic';
import { CheckpointError, FileNotFoundError, IoError } from '../errors';
import type { VoxelSize } from '../io/volume';
import type { SpectralFit } from '../psf/spectral-fit';
import { generatorConfig, parseTrainConfig, type TrainConfig } from './config';
import { buildUNet, type Module } from '../nn/models';
import { loadWeights, saveWeights } from '../nn/weights';
import type { HistoryRow } from './events';
import { LOSS_KEYS } from './step';
import { RUN_FILES } from '../run/layout';

export { RUN_FILES };

export async function writeConfig(runDir: string, cfg: TrainConfig): Promise<void> {
  await writeBytesAtomic(join(runDir, RUN_FILES.config), JSON.stringify(cfg, null, 2) + '\n', { force: true });
}

export async function readConfig(runDir: string): Promise<TrainConfig> {
  const path = join(runDir, RUN_FILES.config);
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FileNotFoundError(path);
    throw new IoError(path, `could not read (${(e as Error).message})`, e);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseTrainConfig(raw);
}

const COLUMNS = ['step', 'epoch', 'lr', ...LOSS_KEYS, 'seconds'] as const;

export async function writeHistory(runDir: string, rows: HistoryRow[]): Promise<void> {
  const csv =
    [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => String(r[c] ?? 0)).join(','))].join('\n') + '\n';
  await writeBytesAtomic(join(runDir, RUN_FILES.historyCsv), csv, { force: true });
  await writeBytesAtomic(join(runDir, RUN_FILES.historyJson), JSON.stringify(rows), { force: true });
}

export async function readHistory(runDir: string): Promise<HistoryRow[]> {
  try {
    return JSON.parse(await fs.readFile(join(runDir, RUN_FILES.historyJson), 'utf8')) as HistoryRow[];
  } catch {
    return [];
  }
}

export interface PsfFile {
  shape: [number, number, number];
  voxelSize: VoxelSize;
  step: number;
  /** z-major values. */
  data: number[];
  /** Runs with the removed psf.halo only: the halo's weight and Gaussian widths (voxels); `data` is core + halo. */
  halo?: { weight: number; sigmaLateral: number; sigmaAxial: number };
  /** With psf.model 'gaussian': the layer's two learned widths (σ, voxels); `data` is that Gaussian on the layer's box. */
  gaussian?: { sigmaLateral: number; sigmaAxial: number };
}

/** The learned PSF as JSON (always) — the ImageJ TIFF is written by the trainer through io.writeVolume. */
export async function writePsfJson(
  runDir: string,
  psf: Float32Array,
  shape: [number, number, number],
  voxelSize: VoxelSize,
  step: number,
  params: Pick<PsfFile, 'halo' | 'gaussian'> = {},
): Promise<void> {
  const f: PsfFile = {
    shape,
    voxelSize,
    step,
    data: Array.from(psf),
    ...(params.halo ? { halo: params.halo } : {}),
    ...(params.gaussian ? { gaussian: params.gaussian } : {}),
  };
  await writeBytesAtomic(join(runDir, RUN_FILES.psf), JSON.stringify(f), { force: true });
}

/** Save the generators (G_AB and, in cycle mode, G_BA) in tfjs format under weights/. */
export async function writePsfInit(runDir: string, fit: SpectralFit): Promise<void> {
  await writeBytesAtomic(
    join(runDir, RUN_FILES.psfInit),
    JSON.stringify({ method: 'spectral-fit (core/psf/spectral-fit.ts, Gaussian)', ...fit }, null, 2) + '\n',
    { force: true },
  );
}

export async function exportGenerators(runDir: string, gen: Module[], cfg: TrainConfig): Promise<void> {
  await saveWeights(
    join(runDir, RUN_FILES.weights),
    gen.flatMap((m) => m.variables()),
    { force: true, metadata: { config: cfg } },
  );
}

/** Rebuild G_AB from a finished run directory (config.json + weights/). Caller disposes its variables. */
export async function loadTrainedGenerator(runDir: string): Promise<{ gAB: Module; config: TrainConfig }> {
  const config = await readConfig(runDir);
  const gAB = buildUNet(generatorConfig(config), config.seed * 16 + 1, { name: 'G_AB' });
  await loadWeights(join(runDir, RUN_FILES.weights), gAB.variables(), { allowExtra: true });
  return { gAB, config };
}
