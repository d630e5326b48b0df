// The training service: builds the networks, runs the step loop with the learning-rate schedule, emits
// progress events, honours pause/resume/cancel, writes checkpoints and the run directory's files, and
// resumes from a checkpoint so that a cpu run continues bit-identically.
import { promises as fs } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, FileExistsError, InvalidParameterError } from '../errors';
import { makeOutputFolder } from '../io/atomic';
import type { Volume, VoxelSize } from '../io/volume';
import { learningRate, psfShape, type TrainConfig } from './config';
import { Adam } from './adam';
import { hasCheckpoint, loadCheckpoint, restoreVariables, saveCheckpoint, snapshotVariables } from './checkpoint';
import { PatchSampler } from './data';
import { TrainControl, type HistoryRow, type TrainEvent } from './events';
import {
  allVariables,
  buildNetworks,
  discriminatorVariables,
  disposeNetworks,
  generatorVariables,
  type Networks,
} from './networks';
import { gaussianPsfParams } from '../nn/models/psf-gaussian';
import { pupilPsfParams } from '../nn/models/psf-pupil';
import { readPupilFile, writePupilFile } from './pupil-file';
import { fitPupilToSpectra } from './pupil-init';
import {
  exportGenerators,
  readConfig,
  readHistory,
  writeConfig,
  writeHistory,
  writePsfInit,
  writePsfJson,
} from './outputs';
import { checkGeneratorOutput, writeOutputCheck, type OutputCheck } from './output-check';
import { writeTrainingDomain } from './domain';
import { ImagePool } from './pool';
import { Rng } from './rng';
import { trainStep, type StepState } from './step';
import { bornWolfLayerInit, rlDomainB, rlPsfFor, spectralLayerInit, voxelSizeMicrons } from './theory';
import type { SpectralData } from '../psf/binned-spectrum';
import type { SpectralFit } from '../psf/spectral-fit';
import { disposeSpectralTarget, spectralTarget } from './spectral-loss';

export interface TrainOptions {
  blurred: Volume[];
  /** Domain B stacks (sharpSource 'data'); ignored for 'rl', where `sharpFromBlurred` supplies them. */
  sharp?: Volume[];
  outDir: string;
  resume?: boolean;
  /** Replace an existing run directory's files when not resuming. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (e: TrainEvent) => void;
  control?: TrainControl;
  /**
   * Initial PSF (same size as the layer) for psf.init 'bornwolf' / 'spectral'; default: Born–Wolf from cfg.optics
   * and the stacks' voxel size / the spectral fit of the blurred and sharp stacks (train/theory.ts).
   */
  initialPsf?: Float32Array;
  /** Makes domain B from the blurred stacks when sharpSource is 'rl'; default: Richardson–Lucy (theory.ts). */
  sharpFromBlurred?: (blurred: Volume[], cfg: TrainConfig) => Promise<Volume[]>;
  /** The PSF for the default Richardson–Lucy of sharpSource 'rl'; default: Born–Wolf from cfg.optics. */
  rlPsf?: Volume;
  backendName?: string;
  /** Tests only: feed NaN into the network at this (1-based) step. */
  injectNanAtStep?: number;
}

export interface TrainResult {
  runDir: string;
  steps: number;
  cancelled: boolean;
  history: HistoryRow[];
  /** Learned PSF [z, y, x] (gba 'psf'), else null. */
  psf: { data: Float32Array; shape: [number, number, number] } | null;
  /** Does G_AB's output depend on its input (output-check.ts; also written to output-check.json)? */
  outputCheck: OutputCheck;
}

/** Fields that may differ between a run and its resumption (they do not change the computation). */
function comparable(c: TrainConfig): string {
  return JSON.stringify({ ...c, maxSteps: null, checkpointEvery: 0, psfSnapshotEvery: 0 });
}

async function prepareRunDir(opts: TrainOptions, cfg: TrainConfig): Promise<void> {
  await makeOutputFolder(opts.outDir); // a typed IoError on a read-only disk
  if (opts.resume) {
    if (!(await hasCheckpoint(opts.outDir)))
      throw new CheckpointError(`${opts.outDir} has no checkpoint to resume`, 'Start without --resume.');
    const saved = await readConfig(opts.outDir);
    if (comparable(saved) !== comparable(cfg))
      throw new CheckpointError(
        `the configuration differs from the one ${opts.outDir} was trained with`,
        'Resume with the saved config.json (omit --config/--preset), or start a new run.',
      );
  } else if (!opts.force && (await fs.readdir(opts.outDir)).length > 0) {
    throw new FileExistsError(opts.outDir);
  }
  await writeConfig(opts.outDir, cfg);
}

interface Loop {
  state: StepState;
  sampler: PatchSampler;
  startStep: number;
  totalSteps: number;
  stepsPerEpoch: number;
  history: HistoryRow[];
  voxelSize: VoxelSize;
}

/** The PSF kernel's learning-rate multiplier (config psf.lrScale) and the halo's, by variable name, for the generator's Adam. */
function psfLrScale(nets: Networks, cfg: TrainConfig): Record<string, number> | undefined {
  const scale = cfg.psf.lrScale;
  if (!nets.psf) return undefined;
  const scales: Record<string, number> =
    scale !== undefined ? Object.fromEntries(nets.psf.variables().map((v) => [v.name, scale])) : {};
  Object.assign(scales, nets.psf.lrScales?.() ?? {});
  return Object.keys(scales).length > 0 ? scales : undefined;
}

async function setup(cfg: TrainConfig, opts: TrainOptions, nets: Networks, spectra?: SpectralData): Promise<Loop> {
  const sharp = cfg.sharpSource === 'rl' ? await requireRl(opts, cfg) : (opts.sharp ?? []);
  const sampler = new PatchSampler(opts.blurred, sharp, cfg);
  const o = cfg.optimiser;
  const stepsPerEpoch = o.stepsPerEpoch === 'auto' ? sampler.patchesPerEpoch() : o.stepsPerEpoch;
  const scheduled = o.epochs * stepsPerEpoch;
  const totalSteps = cfg.maxSteps === null ? scheduled : Math.min(cfg.maxSteps, scheduled);
  const settings = { beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon };
  const state: StepState = {
    cfg,
    nets,
    gOpt: new Adam(generatorVariables(nets), {
      ...settings,
      lrScale: psfLrScale(nets, cfg),
      ...(nets.psf && cfg.experimental?.psfAdamNorm === 'tensor'
        ? { tensorNorm: new Set(nets.psf.variables().map((v) => v.name)) }
        : {}),
    }),
    dOpt: cfg.mode === 'cycle' ? new Adam(discriminatorVariables(nets), settings) : null,
    poolA: new ImagePool(cfg.poolSize),
    poolB: new ImagePool(cfg.poolSize),
    rng: new Rng(cfg.seed),
    ...(nets.psf && (cfg.loss.lambdaSpectral ?? 0) > 0
      ? { spectral: spectralTarget(opts.blurred, sharp, psfShape(cfg), spectra) }
      : {}),
  };
  // The learned background starts at the domains' median gap (a resume restores it from the checkpoint below):
  // from 0, Adam's ≈ lr-per-step moves would need thousands of steps to reach a typical 0.1–0.4.
  if (nets.background) {
    const init = tf.tensor1d([sampler.backgroundGap()]);
    nets.background.assign(init);
    init.dispose();
  }
  if (nets.psf && cfg.psf.model === 'pupil' && !opts.resume)
    await startPupil(cfg, opts, nets.psf, sharp, spectra, state.spectral);
  let startStep = 0;
  let history: HistoryRow[] = [];
  if (opts.resume) {
    const ck = await loadCheckpoint(opts.outDir);
    restoreVariables(allVariables(nets), ck.variables);
    state.gOpt.load(ck.gOpt);
    if (state.dOpt && ck.dOpt) state.dOpt.load(ck.dOpt);
    state.poolA.restore(ck.poolA);
    state.poolB.restore(ck.poolB);
    state.rng = Rng.fromState(ck.rng);
    startStep = ck.step;
    history = (await readHistory(opts.outDir)).filter((r) => r.step <= startStep);
  }
  return {
    state,
    sampler,
    startStep,
    totalSteps,
    stepsPerEpoch,
    history,
    voxelSize: { ...opts.blurred[0]!.voxelSize },
  };
}

/** The pupil layer's start (init 'spectral': fitted to the spectral term; 'bornwolf': no aberration), written to psf-pupil.json as step 0. */
async function startPupil(
  cfg: TrainConfig,
  opts: TrainOptions,
  psf: NonNullable<Networks['psf']>,
  sharp: Volume[],
  spectra: SpectralData | undefined,
  given: StepState['spectral'],
): Promise<void> {
  if (cfg.psf.init === 'spectral') {
    const target = given ?? spectralTarget(opts.blurred, sharp, psfShape(cfg), spectra);
    try {
      fitPupilToSpectra(psf, target);
    } finally {
      if (!given) disposeSpectralTarget(target);
    }
  }
  const params = pupilPsfParams(psf)!;
  await writePupilFile(opts.outDir, {
    step: 0,
    optics: { ...cfg.optics!, ...voxelSizeMicrons(opts.blurred[0]!) },
    params,
    start: params,
  });
}

async function requireRl(opts: TrainOptions, cfg: TrainConfig): Promise<Volume[]> {
  if (opts.sharpFromBlurred) return opts.sharpFromBlurred(opts.blurred, cfg);
  return rlDomainB(cfg, opts.blurred, opts.rlPsf!, opts.signal);
}

/** Fills in the initial kernel (Born–Wolf or spectral fit) and the RL PSF from the data before anything is written. */
function theoreticalInputs(
  cfg: TrainConfig,
  opts: TrainOptions,
): { opts: TrainOptions; spectralFit?: SpectralFit; spectra?: SpectralData } {
  const usesPsfLayer = cfg.mode === 'cycle' && cfg.gba === 'psf';
  const rlPsf =
    cfg.sharpSource === 'rl' && !opts.sharpFromBlurred ? rlPsfFor(cfg, opts.blurred, opts.rlPsf) : opts.rlPsf;
  if (!opts.initialPsf && usesPsfLayer && cfg.psf.init === 'spectral') {
    const { kernel, fit, data } = spectralLayerInit(cfg, opts.blurred, opts.sharp ?? []);
    return { opts: { ...opts, initialPsf: kernel, rlPsf }, spectralFit: fit, spectra: data };
  }
  const initialPsf =
    opts.initialPsf ??
    (usesPsfLayer && cfg.psf.init === 'bornwolf' && cfg.psf.model !== 'pupil'
      ? bornWolfLayerInit(cfg, opts.blurred)
      : undefined);
  return { opts: { ...opts, initialPsf, rlPsf } };
}

async function checkpoint(loop: Loop, step: number, opts: TrainOptions): Promise<string> {
  const { state } = loop;
  await writeHistory(opts.outDir, loop.history);
  return saveCheckpoint(opts.outDir, {
    step,
    rng: state.rng.state(),
    variables: await snapshotVariables(allVariables(state.nets)),
    gOpt: await state.gOpt.state(),
    dOpt: state.dOpt ? await state.dOpt.state() : null,
    poolA: [...state.poolA.contents()],
    poolB: [...state.poolB.contents()],
    meta: { backend: opts.backendName ?? tf.getBackend(), preset: state.cfg.preset },
  });
}

function currentPsf(nets: Networks): { data: Float32Array; shape: [number, number, number] } | null {
  if (!nets.psf) return null;
  const t = nets.psf.psf();
  const out = { data: t.dataSync().slice() as Float32Array, shape: t.shape as [number, number, number] };
  t.dispose();
  return out;
}

/** Train according to `cfg`. Resolves when the schedule (or maxSteps) is done or the signal cancels. */
export async function train(cfg: TrainConfig, options: TrainOptions): Promise<TrainResult> {
  if (options.blurred.length === 0) throw new InvalidParameterError('blurred', 'no stacks given');
  const { opts, spectralFit, spectra } = theoreticalInputs(cfg, options);
  const voxelSize = cfg.psf.model === 'pupil' && cfg.gba === 'psf' ? voxelSizeMicrons(opts.blurred[0]!) : undefined; // typed error if uncalibrated
  await prepareRunDir(opts, cfg);
  await writeTrainingDomain(opts.outDir, opts.blurred, cfg);
  if (spectralFit && !opts.resume) await writePsfInit(opts.outDir, spectralFit);
  const nets = buildNetworks(cfg, { initialPsf: opts.initialPsf, initialSigma: spectralFit?.sigmaVoxels, voxelSize });
  let loop: Loop | undefined;
  try {
    loop = await setup(cfg, opts, nets, spectra);
    return await runLoop(loop, opts);
  } finally {
    loop?.state.gOpt.dispose();
    loop?.state.dOpt?.dispose();
    if (loop?.state.spectral) disposeSpectralTarget(loop.state.spectral);
    disposeNetworks(nets);
  }
}

async function runLoop(loop: Loop, opts: TrainOptions): Promise<TrainResult> {
  const { state, totalSteps, stepsPerEpoch } = loop;
  const emit = opts.onProgress ?? (() => undefined);
  const control = opts.control ?? new TrainControl();
  const t0 = performance.now();
  emit({
    type: 'start',
    runDir: opts.outDir,
    startStep: loop.startStep,
    totalSteps,
    stepsPerEpoch,
    backend: opts.backendName ?? tf.getBackend(),
    config: state.cfg,
  });
  let step = loop.startStep;
  let cancelled = false;
  while (step < totalSteps) {
    if (control.paused) {
      emit({ type: 'paused', step });
      await control.waitWhilePaused(opts.signal);
      if (!opts.signal?.aborted) emit({ type: 'resumed', step });
    }
    if (opts.signal?.aborted) {
      cancelled = true;
      break;
    }
    const epoch = Math.floor(step / stepsPerEpoch);
    const lr = learningRate(state.cfg.optimiser, epoch);
    const batch = loop.sampler.next(state.rng);
    const losses = trainStep(state, batch, lr, step + 1, opts.injectNanAtStep === step + 1);
    step += 1;
    const seconds = (performance.now() - t0) / 1000;
    loop.history.push({ step, epoch, lr, ...losses, seconds });
    const rate = (step - loop.startStep) / Math.max(seconds, 1e-9);
    emit({
      type: 'step',
      step,
      totalSteps,
      epoch,
      lr,
      losses,
      stepsPerSecond: rate,
      etaSeconds: (totalSteps - step) / rate,
    });
    if (state.nets.psf && (step % state.cfg.psfSnapshotEvery === 0 || step === totalSteps)) {
      const p = currentPsf(state.nets)!;
      emit({ type: 'psf', step, shape: p.shape, data: p.data });
    }
    if (step % state.cfg.checkpointEvery === 0 && step < totalSteps)
      emit({ type: 'checkpoint', step, path: await checkpoint(loop, step, opts) });
    await new Promise((r) => setImmediate(r)); // let pause/cancel messages in
  }
  if (step > loop.startStep || !cancelled) emit({ type: 'checkpoint', step, path: await checkpoint(loop, step, opts) });
  const psf = currentPsf(state.nets);
  const outputCheck = await finish(loop, step, opts, psf);
  emit({ type: 'done', step, runDir: opts.outDir, cancelled, seconds: (performance.now() - t0) / 1000 });
  return { runDir: opts.outDir, steps: step, cancelled, history: loop.history, psf, outputCheck };
}

async function finish(loop: Loop, step: number, opts: TrainOptions, psf: TrainResult['psf']): Promise<OutputCheck> {
  const { nets, cfg } = loop.state;
  await exportGenerators(opts.outDir, [nets.gAB, ...(nets.gBA ? [nets.gBA] : [])], cfg);
  if (psf) {
    await writePsfJson(opts.outDir, psf.data, psf.shape, loop.voxelSize, step, {
      gaussian: (nets.psf && gaussianPsfParams(nets.psf)) ?? undefined,
    });
    await writePsfTiff(opts.outDir, psf, loop.voxelSize);
    const pupil = nets.psf && pupilPsfParams(nets.psf);
    if (pupil && cfg.optics) {
      const start =
        (await readPupilFile(opts.outDir))?.start ?? Object.fromEntries(Object.keys(pupil).map((k) => [k, 0]));
      await writePupilFile(opts.outDir, {
        step,
        optics: { ...cfg.optics, ...voxelSizeMicrons(opts.blurred[0]!) },
        params: pupil,
        start,
      });
    }
  }
  // Four training patches from an RNG of their own (the training RNG, saved in checkpoints, is not touched).
  const rng = new Rng((cfg.seed ^ 0x5eed1234) >>> 0);
  const check = await checkGeneratorOutput(
    nets.gAB,
    Array.from({ length: 4 }, () => loop.sampler.next(rng).a),
    cfg.patchSize,
    psf,
  );
  await writeOutputCheck(opts.outDir, check);
  return check;
}

/** The ImageJ TIFF of the PSF (psf-tiff.ts, loaded lazily). */
async function writePsfTiff(runDir: string, psf: NonNullable<TrainResult['psf']>, voxelSize: VoxelSize): Promise<void> {
  const { writeLearnedPsfTiff } = await import('./psf-tiff');
  await writeLearnedPsfTiff(runDir, psf, voxelSize);
}
