// `npx tsx bench/psf-landscape.ts RUN_DIR [RUN_DIR…]`: a diagnostic for #5. Loads a bench:science run's last
// checkpoint (networks fixed), puts candidate kernels into the PSF layer, and averages over the same 24 training
// patch pairs the loss terms through which the PSF learns: D_A's adversarial term on G_BA(b) (+ noise, as in
// training), cycle A |G_BA(G_AB(a)) − a| and cycle B |G_AB(G_BA(b)) − b|. Candidates: Gaussians of the true PSF's
// FWHM scaled by s (all axes, lateral only, axial only), the true PSF cropped to the layer's box, and the learned
// kernel. Where each term is lowest is where it pulls the kernel (at this state of the other networks). Last, the
// gradient at the learned kernel: its mean (common mode) against its spread, and its correlation with the kernel.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/core/nn/backend';
import { gaussianPsf } from '../src-main/core/nn/models/psf-layer';
import { loadCheckpoint, restoreVariables } from '../src-main/core/train/checkpoint';
import { PatchSampler } from '../src-main/core/train/data';
import { drawCrops, l1, lsganGenerator } from '../src-main/core/train/losses';
import { allVariables, buildNetworks, disposeNetworks } from '../src-main/core/train/networks';
import { addNoise, estimateNoise, normals } from '../src-main/core/train/noise';
import { readConfig } from '../src-main/core/train/outputs';
import { Rng } from '../src-main/core/train/rng';
import type { Shape3 } from '../src-main/core/io/volume';
import { analysePsf } from '../src-main/core/psf/analysis';
import { benchData, cropPsf } from './science-data';

await initBackend({ preferred: 'cpu', purpose: 'train' });
const { trainSets, sharpSets, test } = benchData();
const blurred = trainSets.map((t) => t.blurred);
const truth = test.psf;
// σ (voxels) of a Gaussian with the true PSF's FWHM (0.224 µm lateral, 0.838 µm axial for DEFAULT_SYNTH).
const trueFwhm = analysePsf(truth).fwhm;
const sigma0 = { lat: trueFwhm.x / truth.voxelSize.x / 2.3548, ax: trueFwhm.z / truth.voxelSize.z / 2.3548 };

for (const runDir of process.argv.slice(2)) {
  const cfg = await readConfig(runDir);
  const nets = buildNetworks(cfg, { restoring: true });
  const ck = await loadCheckpoint(runDir);
  restoreVariables(allVariables(nets), ck.variables);
  const kernel = nets.psf!.variables()[0]!;
  const shape = kernel.shape as Shape3;
  const learned = kernel.dataSync().slice() as Float32Array;
  const n = cfg.patchSize;
  const sampler = new PatchSampler(blurred, sharpSets, cfg);
  const rng = new Rng(12345);
  const pairs = Array.from({ length: 24 }, () => {
    const p = sampler.next(rng);
    return {
      ...p,
      crops: drawCrops(rng, n, cfg.discriminator.scales),
      eps: normals(rng, n * n * n),
      noise: estimateNoise(p.a, n),
    };
  });
  const t5 = (d: Float32Array) => tf.tensor5d(d, [1, n, n, n, 1]);
  // The three terms through which the PSF learns, as in train/step.ts (call inside a tidy).
  const lossTerms = (p: (typeof pairs)[number]): [tf.Scalar, tf.Scalar, tf.Scalar] => {
    const a = t5(p.a),
      b = t5(p.b);
    const fakeA = cfg.fakeNoise === 'estimated' ? addNoise(nets.gBA!.apply(b), p.noise, t5(p.eps)) : nets.gBA!.apply(b);
    return [
      lsganGenerator(nets.dA, fakeA, p.crops),
      l1(nets.gBA!.apply(nets.gAB.apply(a)), a),
      l1(nets.gAB.apply(fakeA), b),
    ];
  };
  const evaluate = (k: Float32Array) => {
    tf.tidy(() => kernel.assign(tf.tensor3d(k, shape)));
    const sum = { adv: 0, cycleA: 0, cycleB: 0 };
    for (const p of pairs) {
      const [adv, ca, cb] = tf.tidy(() => lossTerms(p).map((t) => t.dataSync()[0]!));
      sum.adv += adv! / pairs.length;
      sum.cycleA += ca! / pairs.length;
      sum.cycleB += cb! / pairs.length;
    }
    return { ...sum, total: sum.adv + cfg.loss.lambdaCycle * (sum.cycleA + sum.cycleB) };
  };
  console.log(`\n${runDir} (step ${ck.step}); λ1 ${cfg.loss.lambdaCycle}; Gaussians of the true FWHM × s`);
  console.log('candidate                 advBA    cycleA   cycleB   G total');
  const show = (label: string, k: Float32Array) => {
    const r = evaluate(k);
    console.log(
      `${label.padEnd(24)} ${r.adv.toFixed(4)}  ${r.cycleA.toFixed(5)}  ${r.cycleB.toFixed(5)}  ${r.total.toFixed(4)}`,
    );
  };
  for (const s of [0.6, 0.8, 1, 1.25, 1.5, 2])
    show(`all axes s=${s}`, gaussianPsf(shape, [sigma0.ax * s, sigma0.lat * s, sigma0.lat * s]));
  for (const s of [0.6, 0.8, 1.25, 1.5, 2])
    show(`lateral s=${s}`, gaussianPsf(shape, [sigma0.ax, sigma0.lat * s, sigma0.lat * s]));
  for (const s of [0.6, 0.8, 1.25, 1.5, 2])
    show(`axial s=${s}`, gaussianPsf(shape, [sigma0.ax * s, sigma0.lat, sigma0.lat]));
  show(`true PSF, ${shape.join('×')} crop`, cropPsf(truth, shape).data);
  show('learned', learned);
  // The gradient of the generator loss with respect to the kernel, at the learned kernel: how much of it is the
  // common mode (all weights up or down together) that the sum-one projection turns into a change of width.
  tf.tidy(() => kernel.assign(tf.tensor3d(learned, shape)));
  const g = new Float32Array(learned.length);
  for (const p of pairs) {
    const gi = tf.tidy(() => {
      const { grads, value } = tf.variableGrads(() => {
        const [adv, cycleA, cycleB] = lossTerms(p);
        return tf.add(adv, tf.mul(tf.add(cycleA, cycleB), cfg.loss.lambdaCycle)) as tf.Scalar;
      }, [kernel]);
      value.dispose();
      return grads[kernel.name]!.dataSync().slice() as Float32Array;
    });
    for (let i = 0; i < g.length; i++) g[i]! += gi[i]! / pairs.length;
  }
  const mean = g.reduce((s, v) => s + v, 0) / g.length;
  const sd = Math.sqrt(g.reduce((s, v) => s + (v - mean) ** 2, 0) / g.length);
  const c = (shape[0] >> 1) * shape[1] * shape[2] + (shape[1] >> 1) * shape[2] + (shape[2] >> 1);
  const wMean = learned.reduce((s, v) => s + v, 0) / learned.length;
  let cov = 0,
    vw = 0;
  for (let i = 0; i < g.length; i++) {
    cov += (g[i]! - mean) * (learned[i]! - wMean);
    vw += (learned[i]! - wMean) ** 2;
  }
  console.log(
    `dL/dK at the learned kernel: mean ${mean.toExponential(3)}, sd ${sd.toExponential(3)}, centre ${g[c]!.toExponential(3)}, corner ${g[0]!.toExponential(3)}, corr with K ${(cov / Math.sqrt(vw) / (sd * Math.sqrt(g.length))).toFixed(3)}`,
  );
  disposeNetworks(nets);
}
