// Diagnostic: does a trained G_AB transform its input, or has it collapsed? For each run folder of bench:science,
// loads the checkpoint and applies G_AB (networks directly, no tiling) to three training patches and to the whole
// held-out test stack, normalised as in training; prints the output's range and its Pearson correlation with the
// input and with the ground truth. A deconvolution correlates with both; an output that correlates with neither
// carries no information, whatever its SSIM after CARE's affine fit (docs/decisions/0004-output-check-information.md).
// Run: npx tsx bench/gab-check.ts [--photons N] RUN_DIR... (e.g. /tmp/x/cycledecon; --photons as the run had it);
// FRESH=1 checks the untrained networks.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/core/nn/backend';
import { loadCheckpoint, restoreVariables } from '../src-main/core/train/checkpoint';
import { PatchSampler } from '../src-main/core/train/data';
import { allVariables, buildNetworks, disposeNetworks } from '../src-main/core/train/networks';
import { volumeNormaliser } from '../src-main/core/train/normalise';
import { normalisationOf } from '../src-main/core/train/config';
import { readConfig } from '../src-main/core/train/outputs';
import { Rng } from '../src-main/core/train/rng';
import { ncc } from '../src-main/core/metrics/index';
import { benchData } from './science-data';

await initBackend({ preferred: 'cpu', purpose: 'train' });
const argv = process.argv.slice(2);
const at = argv.indexOf('--photons');
const photons = at >= 0 ? Number(argv.splice(at, 2)[1]) : undefined;
if (photons !== undefined && !(photons > 0)) throw new Error('--photons must be positive');
const { trainSets, sharpSets, test } = benchData({ photons });

function stats(d: ArrayLike<number>): string {
  let mn = Infinity,
    mx = -Infinity,
    s = 0,
    s2 = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    mn = Math.min(mn, v);
    mx = Math.max(mx, v);
    s += v;
    s2 += v * v;
  }
  const m = s / d.length;
  return `range ${mn.toFixed(2)}..${mx.toFixed(2)} mean ${m.toFixed(3)} sd ${Math.sqrt(Math.max(0, s2 / d.length - m * m)).toFixed(3)}`;
}

for (const runDir of argv) {
  const cfg = await readConfig(runDir);
  const nets = buildNetworks(cfg, { restoring: true });
  if (process.env.FRESH === '1') console.log(`\n${runDir}: untrained networks (seed ${cfg.seed})`);
  else {
    const ck = await loadCheckpoint(runDir);
    restoreVariables(allVariables(nets), ck.variables);
    console.log(`\n${runDir}: step ${ck.step}`);
  }
  const n = cfg.patchSize;
  const sampler = new PatchSampler(
    trainSets.map((t) => t.blurred),
    sharpSets,
    cfg,
  );
  const rng = new Rng(5);
  for (let i = 0; i < 3; i++) {
    const p = sampler.next(rng);
    const out = tf.tidy(() => nets.gAB.apply(tf.tensor5d(p.a, [1, n, n, n, 1])).dataSync());
    console.log(
      `  training patch: input ${stats(p.a)} | G_AB ${stats(out)} | r(G_AB, input) ${ncc(out, p.a).toFixed(3)}`,
    );
  }
  const norm = volumeNormaliser(test.blurred.data, normalisationOf(cfg));
  const x = norm ? norm.apply(test.blurred.data) : test.blurred.data;
  const out = tf.tidy(() => nets.gAB.apply(tf.tensor5d(x, [1, ...test.blurred.shape, 1])).dataSync());
  const gt = test.groundTruth.data;
  console.log(
    `  test stack: G_AB ${stats(out)} | r(G_AB, input) ${ncc(out, x).toFixed(3)} | r(G_AB, truth) ${ncc(out, gt).toFixed(3)} (input's r with truth ${ncc(x, gt).toFixed(3)})`,
  );
  disposeNetworks(nets);
}
