// One full training step of the `fast` preset (the real trainStep: G_AB, G_BA, six discriminators, forward +
// backward + Adam) with each PSF layer, in one run on the same data: the Gaussian layer (the preset's default,
// three 1-D convolutions) and the pupil layer (psf.model 'pupil': the PSF computed from the pupil function, its
// adjoint gradient, and the FFT convolution). Also the pupil PSF alone (forward, forward + gradient).
// Run: npx tsx bench/psf-layer-step.ts [--steps N]; prints one JSON line.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/core/nn/backend';
import { resolveTrainConfig, type TrainConfig } from '../src-main/core/train/config';
import { Adam } from '../src-main/core/train/adam';
import {
  buildNetworks,
  discriminatorVariables,
  disposeNetworks,
  generatorVariables,
} from '../src-main/core/train/networks';
import { ImagePool } from '../src-main/core/train/pool';
import { Rng } from '../src-main/core/train/rng';
import { trainStep, type StepState } from '../src-main/core/train/step';

// The bench:science optics (NA 1.2 water objective, GFP emission) and voxel size; the sample index differs so
// that the depth term is not trivially zero.
const OPTICS = { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.38 };
const VOXEL = { dxy: 0.1, dz: 0.25 };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeSteps(cfg: TrainConfig, steps: number): number {
  const nets = buildNetworks(cfg, { restoring: true, voxelSize: VOXEL });
  const settings = { beta1: cfg.optimiser.beta1, beta2: cfg.optimiser.beta2, epsilon: cfg.optimiser.epsilon };
  const s: StepState = {
    cfg,
    nets,
    gOpt: new Adam(generatorVariables(nets), settings),
    dOpt: new Adam(discriminatorVariables(nets), settings),
    poolA: new ImagePool(cfg.poolSize),
    poolB: new ImagePool(cfg.poolSize),
    rng: new Rng(1),
  };
  const n = cfg.patchSize ** 3;
  const batch = {
    a: Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000),
    b: Float32Array.from({ length: n }, (_, i) => ((i * 104729) % 1000) / 1000),
  };
  trainStep(s, batch, cfg.optimiser.lr, 1); // warm-up
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    trainStep(s, batch, cfg.optimiser.lr, i + 2);
    times.push(performance.now() - t);
  }
  disposeNetworks(nets);
  s.gOpt.dispose();
  s.dOpt?.dispose();
  return median(times);
}

/** The pupil PSF alone on the layer's box: forward, and forward + gradient of a loss through it (ms, median). */
function timePupilPsf(cfg: TrainConfig, reps: number): { forwardMs: number; forwardGradMs: number } {
  const nets = buildNetworks(cfg, { restoring: true, voxelSize: VOXEL });
  const psf = nets.psf!;
  const [v] = psf.variables();
  const fwd: number[] = [],
    both: number[] = [];
  for (let i = 0; i < reps; i++) {
    tf.tidy(() => v!.assign(tf.add(v!, 1e-3))); // a new θ each time: no cache hit
    let t = performance.now();
    tf.tidy(() => psf.psf().dataSync());
    fwd.push(performance.now() - t);
    tf.tidy(() => v!.assign(tf.add(v!, 1e-3)));
    t = performance.now();
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(psf.psf())) as tf.Scalar, [v!]);
    grads[v!.name]!.dataSync();
    both.push(performance.now() - t);
    tf.dispose([value, ...Object.values(grads)]);
  }
  disposeNetworks(nets);
  return { forwardMs: median(fwd), forwardGradMs: median(both) };
}

async function main(): Promise<void> {
  const steps = Number(arg('--steps', '5'));
  const backend = await initBackend({ preferred: 'cpu', purpose: 'train' });
  const gaussian = resolveTrainConfig('fast', { optics: OPTICS });
  const pupil = resolveTrainConfig('fast', { optics: OPTICS, psf: { model: 'pupil' } });
  const rows: Record<string, unknown>[] = [];
  // Interleaved (G, P, G, P) so that a change in the machine's load hits both layers alike.
  const ms: Record<string, number[]> = { gaussian: [], pupil: [] };
  for (let round = 0; round < 2; round++) {
    ms.gaussian!.push(timeSteps(gaussian, steps));
    ms.pupil!.push(timeSteps(pupil, steps));
    process.stderr.write(
      `  round ${round + 1}: gaussian ${ms.gaussian!.at(-1)!.toFixed(0)} ms/step, pupil ${ms.pupil!.at(-1)!.toFixed(0)} ms/step\n`,
    );
  }
  for (const layer of ['gaussian', 'pupil'] as const)
    rows.push({ layer, msPerStep: Math.min(...ms[layer]!), rounds: ms[layer], stepsPerRound: steps });
  const psfAlone = timePupilPsf(pupil, 10);
  console.log(
    JSON.stringify({
      backend: backend.name,
      conv: backend.conv,
      preset: 'fast',
      psfSize: pupil.psf.size,
      patchSize: pupil.patchSize,
      rows,
      pupilPsfAlone: psfAlone,
      optics: OPTICS,
      voxelSize: VOXEL,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
