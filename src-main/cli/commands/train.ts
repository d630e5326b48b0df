// `cycledecon train`: trains the explicit-PSF CycleGAN (or an ablation) in a worker thread.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import {
  PRESET_NAMES,
  adaptPresetDefaults,
  mergeOverrides,
  parseTrainConfig,
  resolveTrainConfig,
  type PresetName,
  type TrainConfig,
} from '../../core/train/config';
import { trainOverrides } from '../../contract/train-overrides';
import { trainChoicesFromArgs } from '../train-choices';
import { FileNotFoundError, InvalidParameterError, MissingArgumentError } from '../../core/errors';
import { makeOutputFolder, removeStaleTemps } from '../../core/io/atomic';
import { startTrainWorker } from '../../worker/train-client';
import { readOutputCheckWarnings } from '../../core/train/output-check-file';
import { flag, oneOf, requireStr, str } from '../args';
import type { Command } from '../command';
import { createProgress } from '../progress';
import { cancelledTrainExit } from '../requeue';
import { resolveStackPaths } from '../../core/train/inputs';
import { openOptions, requireSingleVolumeFiles } from '../volumes';
import { readSmallTextFile } from '../../core/io/paths';
import { RUN_FILES } from '../../core/run/layout';

async function buildConfig(args: Parameters<Command['run']>[0], outDir: string, resume: boolean): Promise<TrainConfig> {
  const file = str(args, 'config') ?? (resume && !str(args, 'preset') ? join(outDir, 'config.json') : undefined);
  let cfg: TrainConfig;
  if (file) {
    let raw: unknown;
    // A FIFO or a huge file given as --config is refused before it is opened for reading (it would hang or fill memory).
    const text = await readSmallTextFile(file);
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new InvalidParameterError('--config', `${file} is not readable JSON (${(e as Error).message})`);
    }
    cfg = parseTrainConfig(raw);
  } else cfg = resolveTrainConfig(oneOf(args, 'preset', PRESET_NAMES, 'fast') as PresetName);
  const choices = trainChoicesFromArgs(args, cfg.optics);
  const chosen = mergeOverrides(cfg, trainOverrides(choices)) as TrainConfig;
  const merged: TrainConfig = str(args, 'pupil-aberrations')
    ? {
        ...chosen,
        psf: {
          ...chosen.psf,
          pupilAberrations: oneOf(args, 'pupil-aberrations', ['all', 'symmetric'] as const, 'all'),
        },
      }
    : chosen;
  // A preset's spectral start and term yield to --sharp-source rl and the ablations unless given explicitly; a
  // --config file is taken as written.
  return parseTrainConfig(
    file
      ? merged
      : adaptPresetDefaults(merged, {
          psfInit: choices.psfInit !== undefined,
          lambdaSpectral: choices.lambdaSpectral !== undefined,
        }),
  );
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train the blind-deconvolution network (explicit PSF layer CycleGAN)',
  usage: `--blurred <dir|files> --sharp <dir|files> --out <run-dir> [options]
  --blurred P      blurred stacks (domain A): a folder of TIFFs or files (repeatable)
  --sharp P        sharp stacks (domain B), unmatched (repeatable)
  --out DIR        run directory (config, weights, psf.tif, history, checkpoints)
  --preset NAME    paper | fast | tiny (default fast)
  --config FILE    a full config.json instead of a preset
  --resume         continue from the run directory's checkpoint (uses its config.json)
  --seed N         random seed    --steps N   stop after N steps in total
  --gba psf|cnn    G_BA ablation  --mode cycle|supervised
  --sharp-source data|rl         rl: domain B = Richardson–Lucy of the blurred stacks (no --sharp)
  --rl-psf FILE    PSF for that RL (default: Born–Wolf from --na/--wavelength/--ni/--ns)
  --rl-iters N     RL iterations for domain B (default 20)
  --psf-init delta|gaussian|bornwolf|spectral   initial PSF layer kernel (bornwolf: from the
                   optics and the voxel size; spectral: a Gaussian fitted, blind, to the power
                   spectra of the blurred and the sharp stacks; written to psf-init.json)
  --na X --wavelength µm [--ni 1.518] [--ns 1.33]   microscope optics for Born–Wolf PSFs
  --psf-model free|gaussian|pupil  free: every kernel voxel learned (the paper); gaussian: two
                   learned widths, lateral and axial (beyond the paper; init gaussian|spectral);
                   pupil: the optics' PSF with learned aberrations (needs --na --wavelength;
                   init spectral|bornwolf)
  --pupil-aberrations all|symmetric   pupil layer: learn every aberration or only the
                   rotationally symmetric ones (focus, depth, apodisation, Z11)
  --lambda-spectral X            weight of the spectral term on the PSF layer (beyond the
                   paper; 0 = off; needs --sharp data; 100 held the width at 2000 photons)
  --fake-noise none|estimated    add noise, at the level estimated from the blurred stacks, to
                   the synthetic blurred volumes G_BA makes (beyond the paper; fast: estimated)
  --background on|off            learn a background offset in G_BA (beyond the paper; fast: on)
  --backend B      node-gpu, node, webgpu, cpu
  --force          reuse a non-empty run directory without --resume
  SIGTERM          writes a checkpoint at the current step and exits 75 (resume with --resume; Ctrl-C: 130)
  --voxel-size X,Y,Z[unit]  voxel size to use instead of the stacks' (e.g. 0.1,0.1,0.25um); every stack
                   must hold one channel at one time point (cycledecon convert --channel N extracts one)`,
  options: {
    blurred: { type: 'string', multiple: true },
    sharp: { type: 'string', multiple: true },
    out: { type: 'string' },
    preset: { type: 'string' },
    config: { type: 'string' },
    resume: { type: 'boolean' },
    seed: { type: 'string' },
    steps: { type: 'string' },
    gba: { type: 'string' },
    mode: { type: 'string' },
    'sharp-source': { type: 'string' },
    'rl-psf': { type: 'string' },
    'rl-iters': { type: 'string' },
    'psf-init': { type: 'string' },
    'fake-noise': { type: 'string' },
    background: { type: 'string' },
    'psf-model': { type: 'string' },
    'pupil-aberrations': { type: 'string' },
    'lambda-spectral': { type: 'string' },
    na: { type: 'string' },
    wavelength: { type: 'string' },
    ni: { type: 'string' },
    ns: { type: 'string' },
    backend: { type: 'string' },
    force: { type: 'boolean' },
    'voxel-size': { type: 'string' },
  },
  async run(args, ctx) {
    const outDir = requireStr(args, 'out');
    const list = (name: string) => (args.values[name] as string[] | undefined) ?? [];
    const resume = flag(args, 'resume');
    const cfg = await buildConfig(args, outDir, resume);
    if (list('blurred').length === 0) throw new MissingArgumentError('--blurred', 'is required');
    if (cfg.sharpSource === 'data' && list('sharp').length === 0)
      throw new MissingArgumentError('--sharp', 'is required (or use --sharp-source rl)');
    // Every input must exist before the run folder is made: a typo must not leave an empty run behind.
    const rlPsf = str(args, 'rl-psf');
    for (const p of [...list('blurred'), ...list('sharp'), ...(rlPsf ? [rlPsf] : [])]) {
      if (
        !(await fs.stat(p).then(
          () => true,
          () => false,
        ))
      )
        throw new FileNotFoundError(p);
    }
    // One channel at one time point per stack, checked before the run folder is made.
    const open = openOptions(args);
    const stacks = [
      ...(await resolveStackPaths(list('blurred'), '--blurred')),
      ...(list('sharp').length ? await resolveStackPaths(list('sharp'), '--sharp') : []),
    ];
    await requireSingleVolumeFiles(stacks, ctx, open);
    await makeOutputFolder(outDir);
    // The run folder, its checkpoint/ and weights/ (names from core/run/layout, which loads no tfjs into this thread).
    for (const dir of [outDir, join(outDir, RUN_FILES.checkpoint), join(outDir, RUN_FILES.weights)]) {
      for (const name of await removeStaleTemps(dir)) ctx.err(`removed ${join(dir, name)}, left by an interrupted run`);
    }
    const bar = createProgress('train', ctx.interactive, (s) => process.stderr.write(s));
    const job = startTrainWorker(
      {
        config: cfg,
        blurred: list('blurred'),
        sharp: list('sharp'),
        outDir,
        resume,
        force: flag(args, 'force'),
        backend: str(args, 'backend'),
        rlPsf,
        ...(open.voxelSize ? { voxelSize: open.voxelSize } : {}),
      },
      (e) => {
        if (e.type === 'start')
          ctx.err(
            `training ${e.config.preset} from step ${e.startStep} to ${e.totalSteps} (${e.stepsPerEpoch} steps/epoch) → ${e.runDir}`,
          );
        else if (e.type === 'step') {
          bar.update(
            e.step,
            e.totalSteps,
            `G ${e.losses.generator.toFixed(4)} D ${(e.losses.discriminatorA + e.losses.discriminatorB).toFixed(4)} lr ${e.lr.toExponential(1)} ${e.stepsPerSecond.toFixed(2)} it/s`,
          );
        } else if (e.type === 'done') bar.finish(e.cancelled ? 'cancelled' : '');
      },
      (name, reason) => ctx.err(`backend: ${name} (${reason})`),
    );
    const onAbort = () => job.cancel();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const r = await job.done;
      ctx.out(`${r.cancelled ? 'cancelled at' : 'finished'} step ${r.steps}: ${r.runDir}`);
      for (const w of await readOutputCheckWarnings(r.runDir)) ctx.err(`warning: ${w}`);
      if (!r.cancelled) return 0;
      const end = await cancelledTrainExit(r.runDir, ctx.stoppedBy?.());
      if (end.message) ctx.err(end.message);
      return end.code;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  },
};
