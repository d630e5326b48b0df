// Transposed-conv against resize-conv (nearest ×2 + 3³ conv) up-sampling of G_AB (generator.upsample; #23 item 3,
// #25): the same preset, seed and steps trained with each, then the held-out synthetic stack (bench/science-data.ts)
// deconvolved and measured: lateral / axial power above 0.4 cycles/voxel (metrics/artefacts.ts), negative voxels,
// SSIM and PSNR against the ground truth; `--outputs linear,softplus` adds the non-negative head (generator.output).
// CPU-sized: `npx tsx bench/upsample-compare.ts --steps 3000 --seeds 1,2,3` (tiny preset: ~4 min per run, 2 cores).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
import { loadPredictor } from '../src-main/core/infer/load';
import { deconvolveFile } from '../src-main/core/infer/deconvolve';
import { readVolume, writeVolume } from '../src-main/core/io/index';
import { computeMetrics } from '../src-main/core/metrics/index';
import { artefactRow } from './artefact-row';
import { benchData } from './science-data';

const { values: args } = parseArgs({
  options: {
    preset: { type: 'string' },
    steps: { type: 'string' },
    seeds: { type: 'string' },
    out: { type: 'string' },
    config: { type: 'string' },
    modes: { type: 'string' },
    outputs: { type: 'string' },
  },
});
const presetName = (args.preset ?? 'tiny') as 'tiny' | 'fast';
const steps = Number(args.steps ?? 200);
const seeds = (args.seeds ?? '1').split(',').map(Number);
const modes = (args.modes ?? 'transpose,nearest-conv').split(',') as ('transpose' | 'nearest-conv')[];
const outputs = (args.outputs ?? 'linear').split(',') as ('linear' | 'softplus')[];
const extra = (args.config ? JSON.parse(args.config) : {}) as TrainConfigOverrides;
const outDir = resolve(args.out ?? mkdtempSync(join(tmpdir(), 'cycledecon-upsample-')));
mkdirSync(outDir, { recursive: true });
const t0 = performance.now();
const log = (s: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${s}`);

const { trainSets, sharpSets, test } = benchData();
const backend = await initBackend({ preferred: 'cpu', purpose: 'train' });
const testPath = join(outDir, 'test-blurred.tif');
await writeVolume(testPath, test.blurred, { force: true });

const rows: Record<string, unknown>[] = [];
for (const seed of seeds)
  for (const output of outputs)
    for (const upsample of modes) {
      const base = resolveTrainConfig(presetName, { seed, ...extra });
      const epochs = base.optimiser.epochs;
      // Stretch the schedule so the learning rate still decays to 0 at the last step.
      const cfg = parseTrainConfig(
        mergeOverrides(base, {
          maxSteps: steps,
          generator: { upsample, output },
          optimiser: { stepsPerEpoch: Math.ceil(steps / epochs) },
        }),
      );
      const name = `${upsample}-${output}-s${seed}`;
      const runDir = join(outDir, name);
      const start = performance.now();
      await train(cfg, {
        blurred: trainSets.map((s) => s.blurred),
        sharp: sharpSets,
        outDir: runDir,
        force: true,
        backendName: backend.name,
      });
      const seconds = (performance.now() - start) / 1000;
      const predictor = await loadPredictor({ method: 'model', runDir, backend: 'cpu' });
      const out = join(outDir, `${name}-test.tif`);
      try {
        await deconvolveFile(testPath, out, predictor, { tile: 'auto', force: true });
      } finally {
        predictor.dispose();
      }
      const pred = await readVolume(out);
      const m = computeMetrics(test.groundTruth, pred);
      const a = artefactRow(test.blurred, pred, test.groundTruth, test.psf);
      let min = Infinity;
      for (const v of pred.data) if (v < min) min = v;
      const row = {
        seed,
        upsample,
        output,
        steps,
        seconds,
        ssim3d: m.ssim3d,
        psnr: m.psnr,
        lateralHF: a.lateral,
        axialHF: a.axial,
        negativeFraction: a.negativeFraction,
        p001InNoise: a.p001InNoise,
        min,
        flags: a.flags,
      };
      rows.push(row);
      log(JSON.stringify(row));
    }
writeFileSync(
  join(outDir, 'upsample-compare.json'),
  JSON.stringify({ preset: presetName, steps, seeds, extra, rows }, null, 1),
);
log(`wrote ${join(outDir, 'upsample-compare.json')}`);
