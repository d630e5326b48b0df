// One full training step (G_AB, G_BA, all six discriminators, forward + backward + Adam: the real
// trainStep) per preset, timed on the cpu backend with the default CPU kernels (nn/conv-select.ts)
// and, for `fast`, with tfjs' own kernels for comparison; the PyTorch twin (bench/reference/train_step.py)
// is timed by bench/run.ts in the same run. Conv3d FLOPs are counted by wrapping the installed conv
// implementation during one step (forward convolutions; a step's total is ≈ 3× that with both gradients).
// Run: npx tsx bench/train-step.ts [--presets fast,paper] [--steps N] [--upsample transpose|nearest-conv]; prints one JSON line.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/core/nn/backend';
import { nativeIsa } from '../src-main/core/kernels/native-conv';
import { resolveTrainConfig, type PresetName, type TrainConfig } from '../src-main/core/train/config';
import { getConv3dImpl, setConv3dImpl, type Conv3dImpl } from '../src-main/core/nn/ops';
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
import { peakRssMiB } from './timing';
import { resetFlags } from '../src-main/core/flags';

interface StepResult {
  preset: string;
  kernels: string;
  secondsPerStep: number;
  steps: number;
  forwardConvGflop: number;
  gflopsApprox: number;
  peakRssMiB: number;
  tfMemoryMiB: number;
  params: number;
  config: TrainConfig;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** Wraps the installed conv3d to count forward multiply-adds (×2 = FLOPs). */
function countingConv(inner: Conv3dImpl, counter: { flops: number }): Conv3dImpl {
  return {
    name: `${inner.name}+count`,
    conv3d(x, w, strides, padding) {
      const y = inner.conv3d(x, w, strides, padding);
      counter.flops += 2 * (y.size / y.shape[4]) * w.shape[0] * w.shape[1] * w.shape[2] * w.shape[3] * w.shape[4];
      return y;
    },
    conv3dTranspose(x, w, outShape, strides, padding) {
      const y = inner.conv3dTranspose
        ? inner.conv3dTranspose(x, w, outShape, strides, padding)
        : tf.conv3dTranspose(x, w, outShape, strides, padding);
      counter.flops += 2 * (x.size / x.shape[4]) * w.shape[0] * w.shape[1] * w.shape[2] * w.shape[3] * w.shape[4];
      return y;
    },
  };
}

function stepState(cfg: TrainConfig): StepState {
  const nets = buildNetworks(cfg, { restoring: true });
  const settings = { beta1: cfg.optimiser.beta1, beta2: cfg.optimiser.beta2, epsilon: cfg.optimiser.epsilon };
  return {
    cfg,
    nets,
    gOpt: new Adam(generatorVariables(nets), settings),
    dOpt: new Adam(discriminatorVariables(nets), settings),
    poolA: new ImagePool(cfg.poolSize),
    poolB: new ImagePool(cfg.poolSize),
    rng: new Rng(1),
  };
}

async function timeSteps(preset: PresetName, steps: number, kernels: string): Promise<StepResult> {
  // The PyTorch twin (bench/reference/train_step.py) builds the paper's free PSF kernel: the step is timed with it,
  // also for `fast`, whose default is the Gaussian layer (three 1-D convolutions, cheaper); the spectral term is
  // not in the step either (StepState without `spectral`).
  const upsample = arg('--upsample', 'transpose') as 'transpose' | 'nearest-conv';
  const cfg = resolveTrainConfig(preset, { psf: { model: 'free' }, generator: { upsample } });
  const s = stepState(cfg);
  const n = cfg.patchSize ** 3;
  const batch = {
    a: Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000),
    b: Float32Array.from({ length: n }, (_, i) => ((i * 104729) % 1000) / 1000),
  };
  const counter = { flops: 0 };
  const installed = getConv3dImpl();
  setConv3dImpl(countingConv(installed, counter));
  try {
    trainStep(s, batch, cfg.optimiser.lr, 1); // warm-up, and the FLOP count of one step
  } finally {
    setConv3dImpl(installed);
  }
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    trainStep(s, batch, cfg.optimiser.lr, i + 2);
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  const sec = times[Math.floor(times.length / 2)]!;
  const params = s.nets.gAB.variables().reduce((p, v) => p + v.size, 0);
  const mem = tf.memory().numBytes / 2 ** 20;
  disposeNetworks(s.nets);
  s.gOpt.dispose();
  s.dOpt?.dispose();
  return {
    preset,
    kernels,
    secondsPerStep: sec,
    steps,
    forwardConvGflop: counter.flops / 1e9,
    gflopsApprox: (3 * counter.flops) / 1e9 / sec,
    peakRssMiB: peakRssMiB(),
    tfMemoryMiB: mem,
    params,
    config: cfg,
  };
}

async function main(): Promise<void> {
  const presets = arg('--presets', 'fast').split(',') as PresetName[];
  const steps = Number(arg('--steps', '3'));
  const results: StepResult[] = [];
  const backend = await initBackend({ preferred: 'cpu', purpose: 'train' });
  // The native kernel's name says AVX2; on CPUs with AVX-512 it runs 16-wide tiles (same sums per lane).
  const kernels =
    backend.conv === 'native-avx2' && nativeIsa() === 'avx512' ? 'native-avx2 (AVX-512 tiles)' : backend.conv;
  for (const p of presets) {
    results.push(await timeSteps(p, p === 'paper' ? 1 : steps, kernels));
    process.stderr.write(`  train step ${p} (${kernels}): ${results.at(-1)!.secondsPerStep.toFixed(2)} s\n`);
  }
  if (presets.includes('fast') && !process.argv.includes('--no-tfjs')) {
    // The same step on tfjs' own cpu kernels (what CycleDecon ran before its CPU kernels).
    process.env.CYCLEDECON_CPU_OPS = 'tfjs';
    process.env.CYCLEDECON_CONV = 'tfjs';
    resetFlags(); // flags are read once (core/flags.ts)
    const b = await initBackend({ preferred: 'cpu', purpose: 'train' });
    results.push(await timeSteps('fast', 1, `${b.conv} (tfjs kernels)`));
    process.stderr.write(`  train step fast (tfjs kernels): ${results.at(-1)!.secondsPerStep.toFixed(2)} s\n`);
  }
  console.log(JSON.stringify({ backend: backend.name, results }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
