// SIGKILL driver for `cycledecon train`: trains a tiny model on synthetic stacks, kills the CLI at seeded
// moments (random times, and the moment a checkpoint temp file appears), restarts it with --resume, and
// after every kill checks the run folder: no file a reader would take is half-written, the checkpoint
// loads, and the restart begins at the checkpoint's step. The finished run must equal an uninterrupted
// reference run (cpu backend: loss for loss) with every step present once and every loss finite.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrainConfig, resolveTrainConfig } from '../../src-main/core/train/config';
import { loadCheckpoint } from '../../src-main/core/train/checkpoint';
import { LOSS_KEYS } from '../../src-main/core/train/step';
import type { HistoryRow } from '../../src-main/core/train/events';
import { readVolume } from '../../src-main/core/io';
import { isTemp, isTempOf, listFiles, mulberry32, runCli, runKilled, type KillPlan } from './lib';

export interface TrainKillOptions {
  dir: string;
  seed: number;
  kills: number;
  /** Steps of the run (a multiple of 4; checkpoint every 2). */
  steps: number;
  log?: (line: string) => void;
}

export interface TrainKillReport {
  kills: number;
  launches: number;
  /** Kills whose leftovers show they landed inside the checkpoint routine (history, blob or manifest write, or the swap). */
  duringCheckpoint: number;
  killsBeforeFirstCheckpoint: number;
  staleTempsSeen: number;
  resumedSteps: number[];
  finalStep: number;
  finite: boolean;
  equalToReference: boolean;
  problems: string[];
}

/** Temp files of the checkpoint routine: history.csv/json, then the blob, then checkpoint.json. */
const CHECKPOINT_TEMP = /^\.(history\.(csv|json)|checkpoint-\d+\.bin|checkpoint\.json)\.\d+\.[0-9a-f]{8}\.tmp$/;

const hist = (run: string) => JSON.parse(readFileSync(join(run, 'history.json'), 'utf8')) as HistoryRow[];

/** What the kill left in the run folder: problems (must be none), the checkpoint step, and whether it hit a checkpoint write. */
export async function inspectRun(
  run: string,
  pid: number,
): Promise<{ problems: string[]; step: number | null; inCheckpoint: boolean; temps: number }> {
  const problems: string[] = [];
  const files = listFiles(run);
  const temps = files.filter(isTemp);
  const mine = files.filter((f) => isTempOf(f, pid));
  for (const f of files.filter((x) => !isTemp(x))) {
    const path = join(run, f);
    try {
      if (f.endsWith('.json')) JSON.parse(readFileSync(path, 'utf8'));
      else if (f.endsWith('.tif')) await readVolume(path);
    } catch (e) {
      problems.push(`${f} does not parse: ${(e as Error).message}`);
    }
  }
  let step: number | null = null;
  const blobs = files.filter((f) => /^checkpoint\/checkpoint-\d+\.bin$/.test(f));
  let unreferenced = false;
  if (existsSync(join(run, 'checkpoint', 'checkpoint.json'))) {
    try {
      const ck = await loadCheckpoint(run);
      step = ck.step;
      const blob = (JSON.parse(readFileSync(join(run, 'checkpoint', 'checkpoint.json'), 'utf8')) as { blob: string })
        .blob;
      unreferenced = blobs.some((b) => b !== `checkpoint/${blob}`);
      const rows = hist(run);
      if (rows.filter((r) => r.step <= ck.step).length !== ck.step)
        problems.push(`history.json lacks rows up to the checkpoint's step ${ck.step}`);
    } catch (e) {
      problems.push(`checkpoint does not load: ${(e as Error).message}`);
    }
  }
  const inCheckpoint = unreferenced || mine.some((t) => t.startsWith('checkpoint/') || /history\.(csv|json)/.test(t));
  return { problems, step, inCheckpoint, temps: temps.length };
}

export async function runTrainKills(o: TrainKillOptions): Promise<TrainKillReport> {
  const log = o.log ?? (() => undefined);
  const rand = mulberry32(o.seed);
  const data = join(o.dir, 'data');
  await runCli(['synth', data, '--shape', '16,32,32', '--seed', String(o.seed % 1000)]);
  const base = resolveTrainConfig('tiny');
  const cfg = parseTrainConfig({
    ...base,
    seed: o.seed % 100000,
    optimiser: { ...base.optimiser, epochs: o.steps / 4 },
    checkpointEvery: 2,
  });
  const cfgFile = join(o.dir, 'train-config.json');
  writeFileSync(cfgFile, JSON.stringify(cfg));
  const common = ['--blurred', join(data, 'blurred.tif'), '--sharp', join(data, 'sharp.tif'), '--backend', 'cpu'];
  const ref = join(o.dir, 'reference');
  await runCli(['train', ...common, '--config', cfgFile, '--out', ref]);

  const run = join(o.dir, 'run');
  const r: TrainKillReport = {
    kills: 0,
    launches: 0,
    duringCheckpoint: 0,
    killsBeforeFirstCheckpoint: 0,
    staleTempsSeen: 0,
    resumedSteps: [],
    finalStep: 0,
    finite: false,
    equalToReference: false,
    problems: [],
  };
  let lastStep: number | null = null;
  for (;;) {
    const finalRun = r.kills >= o.kills;
    const args =
      lastStep === null
        ? ['train', ...common, '--config', cfgFile, '--out', run, '--force']
        : ['train', ...common, '--resume', '--out', run];
    // Half the kills at a random time, half when a temp file of the checkpoint routine appears or is renamed
    // (fs.watch reports both), so that many land inside a checkpoint write.
    const plan: KillPlan | undefined = finalRun
      ? undefined
      : rand() < 0.5
        ? { kind: 'time', ms: Math.round(1000 + rand() * 3500) }
        : { kind: 'temp', dirs: [join(run, 'checkpoint'), run], nth: Math.floor(rand() * 8), pattern: CHECKPOINT_TEMP };
    const out = await runKilled(args, plan);
    r.launches += 1;
    const from = /from step (\d+) to/.exec(out.stderr);
    if (from) {
      r.resumedSteps.push(Number(from[1]));
      if (Number(from[1]) < (lastStep ?? 0))
        r.problems.push(`launch ${r.launches} started at step ${from[1]}, before the checkpoint's ${lastStep}`);
    }
    if (!out.killed) {
      if (out.code !== 0) r.problems.push(`launch ${r.launches} exited ${out.code}: ${out.stderr.slice(-500)}`);
      if (!finalRun) log(`train: launch ${r.launches} finished before its kill; the run is complete`);
      break;
    }
    r.kills += 1;
    const seen = await inspectRun(run, out.pid);
    r.problems.push(...seen.problems.map((p) => `after kill ${r.kills}: ${p}`));
    if (seen.inCheckpoint) r.duringCheckpoint += 1;
    if (seen.step === null) r.killsBeforeFirstCheckpoint += 1;
    r.staleTempsSeen += seen.temps;
    if (seen.step !== null && lastStep !== null && seen.step < lastStep)
      r.problems.push(`after kill ${r.kills}: checkpoint went back from ${lastStep} to ${seen.step}`);
    lastStep = seen.step;
    log(
      `train: kill ${r.kills} at ${Math.round(out.ms)} ms (${plan!.kind}) → checkpoint step ${seen.step ?? 'none'}${seen.inCheckpoint ? ', inside a checkpoint write' : ''}${seen.temps ? `, ${seen.temps} temp file(s) left` : ''}`,
    );
  }
  if (r.kills < o.kills)
    r.problems.push(`only ${r.kills} of ${o.kills} kills landed before the run finished (give it more steps)`);
  const leftovers = listFiles(run).filter(isTemp);
  if (leftovers.length) r.problems.push(`temp files after the finished run: ${leftovers.join(', ')}`);
  const rows = hist(run);
  const want = hist(ref);
  r.finalStep = rows.at(-1)?.step ?? 0;
  r.finite = rows.length > 0 && rows.every((row) => LOSS_KEYS.every((k) => Number.isFinite(row[k])));
  if (rows.map((x) => x.step).join() !== want.map((x) => x.step).join())
    r.problems.push(`history steps differ from the reference (${rows.length} vs ${want.length} rows)`);
  r.equalToReference =
    rows.length === want.length && rows.every((row, i) => LOSS_KEYS.every((k) => row[k] === want[i]![k]));
  if (!r.finite) r.problems.push('a final loss is not finite');
  const firstDiff = rows.findIndex((row, i) => want[i] && LOSS_KEYS.some((k) => row[k] !== want[i]![k]));
  if (firstDiff >= 0)
    r.problems.push(
      `losses differ from the uninterrupted run from step ${rows[firstDiff]!.step} on (restarts at steps ${r.resumedSteps.join(',')})`,
    );
  await readVolume(join(run, 'psf.tif')).catch((e: Error) => r.problems.push(`psf.tif: ${e.message}`));
  return r;
}
