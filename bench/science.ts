// `npm run bench:science [-- --quick] [-- --steps N] [-- --out DIR] [-- --supervised]`: the proof that the engine learns. `--steps` above
// the `fast` schedule (800) stretches the schedule to that many steps.
// Widefield-like synthetic data with a known Born–Wolf PSF (src-main/core/synth + psf): separate training
// stacks, a separate unmatched sharp set (domain B) and a held-out test stack. Trains CycleDecon (explicit
// PSF layer) and the `--gba cnn` ablation with the same preset and step budget, deconvolves the test stack and
// compares, against the ground truth: raw input, RL with the true PSF, RL with a wrong Gaussian PSF, the
// ablation, CycleDecon, RL with CycleDecon's learned PSF and RL with the blind spectral fit's PSF (no network,
// core/psf/spectral-fit); plus the learned and the spectral PSF's FWHM and NCC vs the truth.
// A full run writes bench-results-science.json and the results section of docs/results.md; --quick (a few
// minutes, 30 steps) only checks the pipeline end to end and writes bench-results-science-quick.json.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src-main/core/nn/backend';
import {
  mergeOverrides,
  parseTrainConfig,
  resolveTrainConfig,
  psfShape,
  type TrainConfig,
  type TrainConfigOverrides,
} from '../src-main/core/train/config';
import { gaussianPsf } from '../src-main/core/nn/models/psf-layer';
import { train } from '../src-main/core/train/trainer';
import { richardsonLucy } from '../src-main/core/deconv/rl';
import { loadPredictor } from '../src-main/core/infer/load';
import { deconvolveFile } from '../src-main/core/infer/deconvolve';
import { readVolume, writeVolume } from '../src-main/core/io/index';
import { writeBytesAtomic } from '../src-main/core/io/atomic';
import { makeVolume, type Shape3, type Volume } from '../src-main/core/io/volume';
import { computeMetrics, ncc } from '../src-main/core/metrics/index';
import { artefactRow } from './artefact-row';
import { analysePsf, centredNcc } from '../src-main/core/psf/analysis';
import { fitPsfFromSpectra, type SpectralFit } from '../src-main/core/psf/spectral-fit';
import { bornWolfLayerInit } from '../src-main/core/train/theory';
import { DEFAULT_SYNTH } from '../src-main/core/synth/index';
import { BENCH_PHOTONS, benchData, cropPsf, SEEDS, TEST_SHAPE, TRAIN_SHAPE } from './science-data';
import {
  consoleReport,
  MIN_FOLLOWED,
  writeResultsDoc,
  type PsfReport,
  type Row,
  type ScienceResult,
} from './science-report';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    steps: { type: 'string' },
    out: { type: 'string' },
    backend: { type: 'string' },
    // Experiments: overrides merged onto the `fast` preset, another photon budget, no ablation. Any of these makes
    // the run an experiment: its JSON goes to the work folder only and docs/results.md is left alone.
    config: { type: 'string' },
    photons: { type: 'string' },
    'skip-ablation': { type: 'boolean' },
    // Also train G_AB alone on MATCHED pairs (the training stacks' ground truth; `mode: 'supervised'`, same preset
    // and steps): what this U-Net can reach at this budget when it is told the answer, a ceiling for CycleDecon.
    supervised: { type: 'boolean' },
    // The true PSF's box (odd, voxels per axis; default 31): a small box makes data the PSF layer can fit exactly.
    'psf-size': { type: 'string' },
    // Other optics for the true PSF (µm; default DEFAULT_SYNTH's NA 1.2, 0.52 µm): does the learned PSF follow?
    na: { type: 'string' },
    wavelength: { type: 'string' },
    // The blind check of target 1 (on in a full run; --sensitivity adds it to an experiment): train the same
    // configuration once more on data whose true PSF is 35 % wider (λ × 1.35) and report how much of that the
    // learned PSF follows. A kernel that lands near the truth without following it is not an estimate.
    sensitivity: { type: 'boolean' },
  },
});
const quick = args.quick === true;
const experiment =
  args.config !== undefined ||
  args.photons !== undefined ||
  args['skip-ablation'] === true ||
  args['psf-size'] !== undefined ||
  args.supervised === true ||
  args.na !== undefined ||
  args.wavelength !== undefined;
const overrides = (args.config ? JSON.parse(readFileSync(args.config, 'utf8')) : {}) as TrainConfigOverrides;
const photons = args.photons ? Number(args.photons) : BENCH_PHOTONS;
if (!(photons > 0)) throw new Error(`--photons must be positive, got ${args.photons}`);
const psfBox = args['psf-size'] ? Number(args['psf-size']) : undefined;
if (psfBox !== undefined && !(Number.isInteger(psfBox) && psfBox % 2 === 1 && psfBox >= 3 && psfBox <= 31))
  throw new Error(`--psf-size must be odd, 3..31, got ${args['psf-size']}`);
const na = args.na ? Number(args.na) : undefined;
if (na !== undefined && !(na > 0.1 && na < 1.33))
  throw new Error(`--na must be in (0.1, 1.33) (water immersion), got ${args.na}`);
const wavelength = args.wavelength ? Number(args.wavelength) : undefined;
if (wavelength !== undefined && !(wavelength >= 0.3 && wavelength <= 1))
  throw new Error(`--wavelength must be 0.3–1 µm, got ${args.wavelength}`);
const RL_ITERATIONS = 20;
/** The sensitivity check's true PSF: the wavelength (so every FWHM) × this. */
const PROBE_WIDENING = 1.35;
const t0 = performance.now();
const log = (s: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${s}`);

const { trainSets, sharpSets, test } = benchData({ photons, psfBox, na, wavelength });
const truePsf = test.psf;
log(
  `data: ${trainSets.length} × ${TRAIN_SHAPE.join('×')} train, ${sharpSets.length} sharp, test ${TEST_SHAPE.join('×')}, PSF ${truePsf.shape.join('×')}`,
);

const backend = await initBackend({ preferred: args.backend, purpose: 'train' });
const base = resolveTrainConfig('fast', overrides);
const scheduled = (base.optimiser.stepsPerEpoch as number) * base.optimiser.epochs;
const steps = args.steps ? Number(args.steps) : quick ? 30 : scheduled;
if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a positive integer, got ${args.steps}`);
const outDir = resolve(args.out ?? mkdtempSync(join(tmpdir(), 'cycledecon-science-')));
mkdirSync(outDir, { recursive: true });
log(`backend ${backend.name}; preset fast, ${steps} steps per model (schedule ${scheduled}); work folder ${outDir}`);

const testPath = join(outDir, 'test-blurred.tif');
await writeVolume(testPath, test.blurred, { force: true });

async function trainRun(
  name: string,
  cfg: TrainConfig,
  sharp: Volume[] = sharpSets,
  blurred: Volume[] = trainSets.map((s) => s.blurred),
  truth: Volume = truePsf,
): Promise<{ runDir: string; seconds: number; psf: Volume | null }> {
  const runDir = join(outDir, name);
  const start = performance.now();
  let lastLog = start;
  const r = await train(cfg, {
    blurred,
    sharp,
    outDir: runDir,
    force: true,
    backendName: backend.name,
    onProgress: (e) => {
      if (e.type === 'psf' && e.step % 100 === 0) {
        const f = analysePsf(makeVolume(e.data, e.shape, { ...test.blurred.voxelSize }, 'computed')).fwhm;
        log(
          `${name}: step ${e.step} PSF FWHM ${[f.x, f.y, f.z].map((v) => v.toFixed(3)).join(' / ')} µm, NCC ${centredNcc(e.data, e.shape, truth.data, truth.shape).toFixed(3)}`,
        );
      }
      if (e.type !== 'step' || (performance.now() - lastLog < 30_000 && e.step !== e.totalSteps)) return;
      lastLog = performance.now();
      log(
        `${name}: step ${e.step}/${e.totalSteps} G ${e.losses.generator.toFixed(4)} cycle ${(e.losses.cycleA + e.losses.cycleB).toFixed(4)} ${(1 / e.stepsPerSecond).toFixed(2)} s/step, ETA ${(e.etaSeconds / 60).toFixed(1)} min`,
      );
    },
  });
  const seconds = (performance.now() - start) / 1000;
  log(`${name}: ${r.steps} steps in ${(seconds / 60).toFixed(1)} min`);
  log(`${name}: ${r.outputCheck.message}`);
  const psf = r.psf ? makeVolume(r.psf.data, r.psf.shape, { ...test.blurred.voxelSize }, 'computed') : null;
  return { runDir, seconds, psf };
}

async function modelOutput(runDir: string, name: string): Promise<Volume> {
  const predictor = await loadPredictor({ method: 'model', runDir, backend: args.backend ?? 'cpu' });
  try {
    const out = join(outDir, `${name}-test.tif`);
    await deconvolveFile(testPath, out, predictor, { tile: 'auto', force: true });
    return await readVolume(out);
  } finally {
    predictor.dispose();
  }
}

const row = (method: string, pred: Volume, seconds?: number): Row => {
  const m = computeMetrics(test.groundTruth, pred);
  return {
    method,
    ssim3d: m.ssim3d,
    ssim2d: m.ssim2d,
    psnr: m.psnr,
    r: ncc(test.groundTruth.data, pred.data),
    seconds,
    artefacts: artefactRow(test.blurred, pred, test.groundTruth, truePsf),
  };
};
// core/synth blurs with the mirror boundary, so mirror RL is the model that matches these data (and keeps the
// published baselines comparable); RL's widefield default (extended domain, auto background) is benchmarked in bench/rl.ts.
const rl = (psf: Volume) =>
  richardsonLucy(test.blurred, psf, { iterations: RL_ITERATIONS, boundary: 'reflect', background: 0 });

// More steps than the preset's schedule stretch it (more steps per epoch), so the learning rate still decays
// to 0 at the last step instead of reaching 0 at the schedule's end and leaving the rest as no-ops.
const stretch = steps > scheduled ? { optimiser: { stepsPerEpoch: Math.ceil(steps / base.optimiser.epochs) } } : {};
const withRun = (extra: TrainConfigOverrides): TrainConfig =>
  parseTrainConfig(mergeOverrides(base, { maxSteps: steps, ...stretch, ...extra }));
const cfg = withRun({});
const cyc = await trainRun('cycledecon', cfg);
// The spectral term acts on the PSF layer, which the ablations do not have: off for them.
const noSpectral = { loss: { lambdaSpectral: 0 } };
const cnn = args['skip-ablation'] ? null : await trainRun('gba-cnn', withRun({ gba: 'cnn', ...noSpectral }));
const sup = args.supervised
  ? await trainRun(
      'supervised',
      withRun({ mode: 'supervised', ...noSpectral }),
      trainSets.map((s) => s.groundTruth),
    )
  : null;
const probeWavelength = (wavelength ?? DEFAULT_SYNTH.psf.wavelength) * PROBE_WIDENING;
const probeData =
  args.sensitivity === true || (!quick && !experiment)
    ? benchData({ photons, psfBox, na, wavelength: probeWavelength })
    : null;
const probe = probeData
  ? await trainRun(
      'cycledecon-wider-truth',
      cfg,
      probeData.sharpSets,
      probeData.trainSets.map((s) => s.blurred),
      probeData.test.psf,
    )
  : null;

// A wrong PSF: an isotropic-in-voxels Gaussian, σ = 2 voxels (lateral 2× too wide, axial about right but Gaussian).
const gaussShape: Shape3 = [15, 15, 15];
const gaussPsf = makeVolume(gaussianPsf(gaussShape, 2), gaussShape, { ...test.blurred.voxelSize }, 'synthetic');
const learned = cyc.psf!;
// The blind spectral fit (core/psf/spectral-fit.ts): a Gaussian fitted to the power spectra of the same
// unpaired training data, no network; an independent estimate beside the learned PSF, and RL with it.
const gaussianOf = (fit: SpectralFit, shape: Shape3) =>
  makeVolume(gaussianPsf(shape, fit.sigmaVoxels), shape, { ...test.blurred.voxelSize }, 'computed');
const blurredTrain = trainSets.map((s) => s.blurred);
const spectralFit = fitPsfFromSpectra(blurredTrain, sharpSets);
const spectral = gaussianOf(spectralFit, truePsf.shape);
// What the metrics give for no information at all: after CARE's affine fit a flat image is the truth's mean.
const flat = makeVolume(
  new Float32Array(test.blurred.data.length).fill(1),
  test.blurred.shape,
  { ...test.blurred.voxelSize },
  'computed',
);
const rows: Row[] = [
  row('flat image (no information; reference)', flat),
  row('raw input (blurred)', test.blurred),
  row(`RL ${RL_ITERATIONS} it, true PSF`, await rl(truePsf)),
  row(`RL ${RL_ITERATIONS} it, wrong Gaussian PSF (σ 2 vx)`, await rl(gaussPsf)),
  // What a kernel of the PSF layer's size can do at best: the true PSF cropped to that box.
  ...(psfShape(cfg).every((k, i) => k < truePsf.shape[i]!)
    ? [
        row(
          `RL ${RL_ITERATIONS} it, true PSF cropped to the layer's ${psfShape(cfg).join('×')}`,
          await rl(cropPsf(truePsf, psfShape(cfg))),
        ),
      ]
    : []),
  ...(cnn ? [row('`--gba cnn` ablation (model)', await modelOutput(cnn.runDir, 'gba-cnn'), cnn.seconds)] : []),
  ...(sup
    ? [
        row(
          'supervised U-Net, matched pairs (ceiling at this budget)',
          await modelOutput(sup.runDir, 'supervised'),
          sup.seconds,
        ),
      ]
    : []),
  row('CycleDecon (model output)', await modelOutput(cyc.runDir, 'cycledecon'), cyc.seconds),
  row(`RL ${RL_ITERATIONS} it, CycleDecon's learned PSF`, await rl(learned)),
  row(`RL ${RL_ITERATIONS} it, the blind spectral fit's Gaussian PSF`, await rl(spectral)),
];

// PSF: FWHM (Gaussian fit through the peak, src-main/core/psf/analysis) and NCC after centring on the peaks.
const initShape = psfShape(cfg);
// What the layer started from (the trainer computes the same from the same data).
const initKernel =
  cfg.psf.init === 'spectral'
    ? gaussianOf(spectralFit, initShape).data
    : cfg.psf.init === 'bornwolf'
      ? bornWolfLayerInit(cfg, blurredTrain)
      : gaussianPsf(
          initShape,
          cfg.psf.init === 'delta' ? 0.05 : (cfg.experimental?.psfInitSigma ?? (initShape.map((k) => k / 8) as Shape3)),
        );
const initLabel =
  {
    spectral: 'the blind spectral fit',
    bornwolf: 'Born–Wolf from the optics',
    delta: 'delta',
    gaussian: "fast preset's Gaussian",
  }[cfg.psf.init] + (cfg.psf.model === 'gaussian' ? '; PSF layer: a Gaussian with two learned widths' : '');
const initPsf = makeVolume(initKernel, initShape, { ...test.blurred.voxelSize }, 'synthetic');
const fw = (v: Volume) => analysePsf(v).fwhm;
const trueFwhm = fw(truePsf),
  learnedFwhm = fw(learned),
  learnedCoreFwhm = analysePsf(learned, { background: 'auto' }).fwhm;
const rel = (k: 'x' | 'y' | 'z') => learnedFwhm[k] / trueFwhm[k] - 1;
const psf: PsfReport = {
  trueFwhm,
  initFwhm: fw(initPsf),
  initLabel,
  learnedFwhm,
  learnedCoreFwhm,
  relError: { x: rel('x'), y: rel('y'), z: rel('z') },
  nccLearned: centredNcc(learned.data, learned.shape, truePsf.data, truePsf.shape),
  nccInit: centredNcc(initPsf.data, initPsf.shape, truePsf.data, truePsf.shape),
  spectral: { fwhm: fw(spectral), ncc: centredNcc(spectral.data, spectral.shape, truePsf.data, truePsf.shape) },
};
if (probe && probeData) {
  const t = fw(probeData.test.psf),
    l = fw(probe.psf!);
  const follows = (k: 'x' | 'y' | 'z') => (l[k] / learnedFwhm[k] - 1) / (t[k] / trueFwhm[k] - 1);
  psf.probe = {
    wavelength: probeWavelength,
    trueFwhm: t,
    learnedFwhm: l,
    followed: { x: follows('x'), y: follows('y'), z: follows('z') },
  };
  const s = fw(
      gaussianOf(
        fitPsfFromSpectra(
          probeData.trainSets.map((v) => v.blurred),
          probeData.sharpSets,
        ),
        truePsf.shape,
      ),
    ),
    s0 = psf.spectral!.fwhm;
  const sFollows = (k: 'x' | 'y' | 'z') => (s[k] / s0[k] - 1) / (t[k] / trueFwhm[k] - 1);
  psf.spectral!.probe = { fwhm: s, followed: { x: sFollows('x'), y: sFollows('y'), z: sFollows('z') } };
}
const ssimOf = (prefix: string) => rows.find((r) => r.method.startsWith(prefix))!.ssim3d ?? -1;
const result: ScienceResult = {
  date: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average at the end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
  backend: backend.name,
  quick,
  steps,
  config: cfg as unknown as Record<string, unknown>,
  data: {
    trainStacks: trainSets.length,
    trainShape: TRAIN_SHAPE,
    sharpStacks: sharpSets.length,
    testShape: TEST_SHAPE,
    seeds: SEEDS,
    psf: `Born–Wolf NA ${DEFAULT_SYNTH.psf.na}, λ ${DEFAULT_SYNTH.psf.wavelength} µm, n ${DEFAULT_SYNTH.psf.ni}, voxel ${DEFAULT_SYNTH.psf.dxy}×${DEFAULT_SYNTH.psf.dxy}×${DEFAULT_SYNTH.psf.dz} µm, ${truePsf.shape.join('×')}`,
    noise: `Poisson, ${photons} photons at the brightest voxel, background ${DEFAULT_SYNTH.background}, read noise σ ${DEFAULT_SYNTH.readNoise}`,
  },
  psf,
  rows,
  targets: {
    fwhmWithin20: (['x', 'y', 'z'] as const).every((k) => Math.abs(psf.relError[k]) <= 0.2),
    ...(psf.probe
      ? { psfFollowsTruth: (['x', 'y', 'z'] as const).every((k) => psf.probe!.followed[k] >= MIN_FOLLOWED) }
      : {}),
    ssimAtLeastRlTrue: ssimOf('CycleDecon') >= ssimOf(`RL ${RL_ITERATIONS} it, true PSF`),
  },
  wallSeconds: (performance.now() - t0) / 1000,
};

console.log(consoleReport(result));
const root = resolve(import.meta.dirname, '..');
const jsonPath = experiment
  ? join(outDir, 'bench-results-science.json')
  : join(root, quick ? 'bench-results-science-quick.json' : 'bench-results-science.json');
await writeBytesAtomic(jsonPath, JSON.stringify({ ...result, photons, psfBox, overrides }, null, 2) + '\n', {
  force: true,
});
if (!quick && !experiment) await writeResultsDoc(join(root, 'docs', 'results.md'), result);
log(`done; run folders and outputs in ${outDir}`);
