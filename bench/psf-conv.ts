// G_BA's PSF convolution, direct vs FFT (experimental.psfConvolution), on the cpu backend with the default CPU kernels: one
// application forward + both gradients (what a training step does per PSF application), per patch and kernel
// size (64³ ⊛ 20³ is the paper preset), the two measured in the same run; the ratio direct/fft is the speed-up. Also the largest relative
// difference of the outputs and kernel gradients (same numbers up to float rounding).
// Run: npx tsx bench/psf-conv.ts [--quick]; prints a table and one JSON line. Part of `npm run bench` (section psfconv).
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/core/nn/backend';
import { buildPsfLayer } from '../src-main/core/nn/models/psf-layer';
import type { PsfModule } from '../src-main/core/nn/models/types';

interface Row {
  patch: number;
  kernel: number;
  directMs: number;
  fftMs: number;
  ratio: number;
  maxRelDiff: number;
}

function pass(m: PsfModule, x: tf.Tensor5D, r: tf.Tensor5D): [tf.Tensor, tf.Tensor] {
  // x is an input here but a generator output in training: both gradients, as in a step. The layer uses its own
  // kernel variable; passing that same tensor as the second argument makes tf.grads return its gradient.
  return tf.tidy(
    () =>
      tf.grads((a: tf.Tensor) => tf.sum(tf.mul(m.apply(a as tf.Tensor5D), r)))([x, m.variables()[0]!]) as [
        tf.Tensor,
        tf.Tensor,
      ],
  );
}

function time(m: PsfModule, x: tf.Tensor5D, r: tf.Tensor5D, reps: number): { ms: number; out: [tf.Tensor, tf.Tensor] } {
  let out = pass(m, x, r); // warm-up
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    tf.dispose(out);
    const t = performance.now();
    out = pass(m, x, r);
    out[0].dataSync();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, out };
}

function relDiff(a: tf.Tensor, b: tf.Tensor): number {
  const av = a.dataSync(),
    bv = b.dataSync();
  let d = 0,
    m = 0;
  for (let i = 0; i < av.length; i++) {
    d = Math.max(d, Math.abs(av[i]! - bv[i]!));
    m = Math.max(m, Math.abs(bv[i]!));
  }
  return d / m;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const backend = await initBackend({ preferred: 'cpu', purpose: 'train' });
  const cases: [number, number][] = quick
    ? [
        [32, 11],
        [32, 31],
      ]
    : [
        [32, 11],
        [32, 21],
        [32, 31],
        [64, 11],
        [64, 20],
      ];
  const rows: Row[] = [];
  for (const [patch, kernel] of cases) {
    const cfg = { size: kernel, init: 'gaussian' as const, nonNegative: true, sumToOne: true, centred: true };
    const direct = buildPsfLayer(cfg, { seed: 1, name: `d${patch}_${kernel}` });
    const fft = buildPsfLayer({ ...cfg, convolution: 'fft' }, { seed: 1, name: `f${patch}_${kernel}` });
    const x = tf.randomUniform([1, patch, patch, patch, 1], 0, 1, 'float32', 1) as tf.Tensor5D;
    const r = tf.randomUniform([1, patch, patch, patch, 1], -1, 1, 'float32', 2) as tf.Tensor5D;
    const reps = patch * kernel > 1500 ? 1 : 3;
    const d = time(direct, x, r, reps),
      f = time(fft, x, r, reps);
    const row = {
      patch,
      kernel,
      directMs: d.ms,
      fftMs: f.ms,
      ratio: d.ms / f.ms,
      maxRelDiff: Math.max(relDiff(f.out[0], d.out[0]), relDiff(f.out[1], d.out[1])),
    };
    rows.push(row);
    process.stderr.write(
      `  psf conv ${patch}³ ⊛ ${kernel}³: direct ${row.directMs.toFixed(0)} ms, fft ${row.fftMs.toFixed(0)} ms (×${row.ratio.toFixed(1)}), rel. diff ${row.maxRelDiff.toExponential(1)}\n`,
    );
    tf.dispose([...d.out, ...f.out, x, r, ...direct.variables(), ...fft.variables()]);
  }
  console.log(JSON.stringify({ backend: backend.name, conv: backend.conv, rows }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
