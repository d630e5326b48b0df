// `npx tsx bench/science-suite.ts [--list] [--case a,b] [--steps N] [--seeds 1,2] [--preset fast] [--config JSON] [--out DIR]`
// `npx tsx bench/science-suite.ts --table a.json,b.json`: merge the JSON of parts into the one table.
// #23: the learned method on data it was not tuned on. Each case (bench/science-cases.ts) trains CycleDecon with the
// default preset on its own data and deconvolves a separate test stack; against the ground truth: SSIM of
// CycleDecon, RL with the true PSF (the better of 20 and 50 iterations) and the raw input, the artefact measures
// (high-frequency power vs truth and input, light below −3σ, re-blur residual), the learned PSF's FWHM error and
// the training time. Fewer steps than the preset's schedule compress it (the learning rate still decays to 0).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src-main/core/nn/backend';
import {
  mergeOverrides,
  parseTrainConfig,
  resolveTrainConfig,
  type TrainConfigOverrides,
} from '../src-main/core/train/config';
import { train } from '../src-main/core/train/trainer';
import { richardsonLucy } from '../src-main/core/deconv/rl';
import { loadPredictor } from '../src-main/core/infer/load';
import { deconvolveFile } from '../src-main/core/infer/deconvolve';
import { readVolume, writeVolume } from '../src-main/core/io/index';
import { makeVolume, type Volume } from '../src-main/core/io/volume';
import { computeMetrics } from '../src-main/core/metrics/index';
import { noiseSigma } from '../src-main/core/metrics/artefacts';
import { analysePsf } from '../src-main/core/psf/analysis';
import { artefactRow } from './artefact-row';
import { caseData, findCase, SUITE_CASES, type SuiteCase } from './science-cases';
import { REAL_CASES, realCaseData, type RealCase } from './science-real';
import { suiteTable, type SuiteRow } from './suite-table';

const { values: args } = parseArgs({
  options: {
    list: { type: 'boolean' },
    case: { type: 'string' },
    steps: { type: 'string' },
    seeds: { type: 'string' },
    preset: { type: 'string' },
    config: { type: 'string' },
    out: { type: 'string' },
    table: { type: 'string' },
  },
});
if (args.list) {
  for (const c of SUITE_CASES) console.log(`${c.name.padEnd(14)} ${c.photons} photons; ${c.what}`);
  for (const c of REAL_CASES) console.log(`${c.name.padEnd(14)} ${c.what}`);
  process.exit(0);
}
if (args.table) {
  const rows = args.table.split(',').flatMap((p) => (JSON.parse(readFileSync(p, 'utf8')) as { rows: SuiteRow[] }).rows);
  console.log(suiteTable(rows));
  process.exit(0);
}
const allNames = [...SUITE_CASES, ...REAL_CASES].map((c) => c.name);
const cases = (args.case ?? allNames.join(','))
  .split(',')
  .map((n): SuiteCase | RealCase => REAL_CASES.find((r) => r.name === n) ?? findCase(n));
const seeds = (args.seeds ?? '1').split(',').map(Number);
const preset = (args.preset ?? 'fast') as 'fast' | 'tiny' | 'paper';
const extra = (args.config ? JSON.parse(args.config) : {}) as TrainConfigOverrides;
const outDir = resolve(args.out ?? 'test-output/science-suite');
mkdirSync(outDir, { recursive: true });
const t0 = performance.now();
const log = (s: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${s}`);
const backend = await initBackend({ preferred: 'cpu', purpose: 'train' });

function configFor(seed: number) {
  const base = resolveTrainConfig(preset, { seed, ...extra });
  const scheduled = (base.optimiser.stepsPerEpoch as number) * base.optimiser.epochs;
  const steps = args.steps ? Number(args.steps) : scheduled;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a positive integer, got ${args.steps}`);
  const stretch = steps === scheduled ? {} : { optimiser: { stepsPerEpoch: Math.ceil(steps / base.optimiser.epochs) } };
  return { cfg: parseTrainConfig(mergeOverrides(base, { maxSteps: steps, ...stretch })), steps };
}

interface CaseInput {
  name: string;
  train: Volume[];
  sharp: Volume[];
  test: Volume;
  truth?: Volume;
  psf: Volume;
}

async function inputsOf(c: SuiteCase | RealCase): Promise<CaseInput> {
  if ('input' in c) {
    const d = await realCaseData(c);
    return {
      name: c.name,
      train: [d.input],
      sharp: d.sharpSets,
      test: d.input,
      ...(d.truth ? { truth: d.truth } : {}),
      psf: d.psf,
    };
  }
  const { trainSets, sharpSets, test } = caseData(c);
  return {
    name: c.name,
    train: trainSets.map((s) => s.blurred),
    sharp: sharpSets,
    test: test.blurred,
    truth: test.groundTruth,
    psf: test.psf,
  };
}

async function trainAndApply(d: CaseInput, seed: number) {
  const { cfg, steps } = configFor(seed);
  const name = `${d.name}-s${seed}`,
    runDir = join(outDir, name),
    testPath = join(outDir, `${d.name}-test-blurred.tif`);
  await writeVolume(testPath, d.test, { force: true });
  const start = performance.now();
  const r = await train(cfg, {
    blurred: d.train,
    sharp: d.sharp,
    outDir: runDir,
    force: true,
    backendName: backend.name,
  });
  const seconds = (performance.now() - start) / 1000;
  const predictor = await loadPredictor({ method: 'model', runDir, backend: 'cpu' });
  const outPath = join(outDir, `${name}-test.tif`);
  try {
    await deconvolveFile(testPath, outPath, predictor, { tile: 'auto', force: true });
  } finally {
    predictor.dispose();
  }
  const learned = r.psf ? makeVolume(r.psf.data, r.psf.shape, { ...d.test.voxelSize }, 'computed') : null;
  return { steps, seconds, pred: await readVolume(outPath), learned };
}

async function runCase(c: SuiteCase | RealCase, seed: number): Promise<SuiteRow> {
  const d = await inputsOf(c);
  const { steps, seconds, pred, learned } = await trainAndApply(d, seed);
  const truth = d.truth;
  const ssim = (v: Volume) => computeMetrics(truth!, v).ssim3d ?? NaN;
  const rl = async (iterations: number) =>
    ssim(await richardsonLucy(d.test, d.psf, { iterations, boundary: 'reflect', background: 0 }));
  const [rl20, rl50] = truth ? [await rl(20), await rl(50)] : [NaN, NaN];
  const a = artefactRow(d.test, pred, truth, d.psf);
  const sigma = noiseSigma(d.test.data, d.test.shape);
  let below = 0;
  for (const v of pred.data) if (v < -3 * sigma) below++;
  const trueFwhm = analysePsf(d.psf).fwhm,
    lf = learned ? analysePsf(learned).fwhm : null;
  const rel = (k: 'x' | 'y' | 'z') => lf![k] / trueFwhm[k] - 1;
  return {
    case: d.name,
    seed,
    steps,
    seconds,
    ssim: truth
      ? { cycledecon: ssim(pred), rl: Math.max(rl20, rl50), rlIterations: rl50 > rl20 ? 50 : 20, raw: ssim(d.test) }
      : null,
    lateral: a.lateral,
    axial: a.axial,
    below3Sigma: below / pred.data.length,
    reblur: [a.reblur, a.inputReblur],
    fwhmError: lf ? { x: rel('x'), y: rel('y'), z: rel('z') } : null,
    flags: a.flags,
  };
}

const rows: SuiteRow[] = [];
const jsonPath = join(outDir, `suite-${cases.map((c) => c.name).join('+')}-s${seeds.join('+')}.json`);
for (const c of cases)
  for (const seed of seeds) {
    log(`${c.name} seed ${seed}: ${c.what}`);
    rows.push(await runCase(c, seed));
    log(JSON.stringify(rows.at(-1)));
    // Written after every row, so a part cut short still leaves what it measured.
    writeFileSync(jsonPath, JSON.stringify({ preset, extra, rows }, null, 1));
  }
console.log(suiteTable(rows));
log(`wrote ${jsonPath}`);
