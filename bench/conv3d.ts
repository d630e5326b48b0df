// Micro-benchmark of one 3D convolution per layer shape of the `fast` and `paper` presets: our native kernel (AVX-512
// where the CPU has it, and its AVX2 tiles), our WebAssembly SIMD kernel, tfjs' own Conv3D (cpu, wasm forward only)
// vs PyTorch CPU (bench/reference/conv3d.py).
// Run alone: `npx tsx bench/conv3d.ts [--quick]`; bench/run.ts calls runConvBench().
import * as tf from '@tensorflow/tfjs';
import { nativeConv3dImpl, nativeConvThreads, wasmConv3dImpl } from '../src-main/core/nn/conv/runtime-conv3d';
import { nativeIsa, setNativeAvx512 } from '../src-main/core/kernels/native-conv';
import '@tensorflow/tfjs-backend-wasm';
import { vol2colConv3d } from '../src-main/core/nn/conv/vol2col-conv3d';
import { timeIt } from './timing';

export interface ConvShape {
  name: string;
  size: number;
  cin: number;
  cout: number;
  k: number;
  stride: number;
  padding: 'same' | 'valid';
}

export const CONV_SHAPES: ConvShape[] = [
  { name: 'fast enc0 32³ 1→8', size: 32, cin: 1, cout: 8, k: 3, stride: 1, padding: 'same' },
  { name: 'fast enc 32³ 8→8', size: 32, cin: 8, cout: 8, k: 3, stride: 1, padding: 'same' },
  { name: 'fast dec 32³ 16→8', size: 32, cin: 16, cout: 8, k: 3, stride: 1, padding: 'same' },
  { name: '32³ 16→16', size: 32, cin: 16, cout: 16, k: 3, stride: 1, padding: 'same' },
  { name: 'fast D 32³ 1→8 s2', size: 32, cin: 1, cout: 8, k: 3, stride: 2, padding: 'same' },
  { name: 'fast PSF 42³ k11 1→1', size: 42, cin: 1, cout: 1, k: 11, stride: 1, padding: 'valid' },
  { name: 'paper enc0 64³ 64→64', size: 64, cin: 64, cout: 64, k: 3, stride: 1, padding: 'same' },
  { name: 'paper D1 32³ 64→128 s2', size: 32, cin: 64, cout: 128, k: 3, stride: 2, padding: 'same' },
  { name: 'paper enc3 8³ 512→512', size: 8, cin: 512, cout: 512, k: 3, stride: 1, padding: 'same' },
  { name: 'paper PSF 83³ k20 1→1', size: 83, cin: 1, cout: 1, k: 20, stride: 1, padding: 'valid' },
];

export function convFlops(s: ConvShape): number {
  const out = s.padding === 'same' ? Math.ceil(s.size / s.stride) : Math.floor((s.size - s.k) / s.stride) + 1;
  return 2 * out ** 3 * s.k ** 3 * s.cin * s.cout;
}

export interface ConvResult {
  shape: string;
  impl: string;
  backend: string;
  pass: 'forward' | 'forward+backward';
  ms: number;
  gflops: number;
}

type Conv = (x: tf.Tensor5D, w: tf.Tensor5D) => tf.Tensor5D;

async function measure(s: ConvShape, conv: Conv, backward: boolean, budgetMs: number): Promise<number> {
  const x = tf.randomNormal([1, s.size, s.size, s.size, s.cin], 0, 1, 'float32', 1) as tf.Tensor5D;
  const w = tf.randomNormal([s.k, s.k, s.k, s.cin, s.cout], 0, 0.1, 'float32', 2) as tf.Tensor5D;
  try {
    return await timeIt(async () => {
      if (!backward) {
        const y = conv(x, w);
        await y.data();
        y.dispose();
        return;
      }
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(conv(a as tf.Tensor5D, b as tf.Tensor5D)))([x, w]);
      await Promise.all(g.map((t) => t.data()));
      tf.dispose(g);
    }, budgetMs);
  } finally {
    tf.dispose([x, w]);
  }
}

/** Shapes whose tfjs-cpu conv would take over a minute are skipped for that implementation (reported as such). */
export async function runConvBench(opts: { quick?: boolean; budgetMs?: number } = {}): Promise<ConvResult[]> {
  const shapes = opts.quick ? CONV_SHAPES.filter((s) => !s.name.startsWith('paper')) : CONV_SHAPES;
  const budget = opts.budgetMs ?? 1500;
  const results: ConvResult[] = [];
  const plans: {
    backend: string;
    impl: string;
    avx512?: boolean;
    conv: (s: ConvShape) => Conv;
    backward: boolean[];
    maxGflop: number;
  }[] = [
    // The default on cpu backends (nn/conv-select.ts): the native kernel (linux-x64), else WebAssembly SIMD.
    ...(nativeConvThreads() > 0
      ? [
          {
            backend: 'cpu',
            impl: `native-${nativeIsa() ?? ''}`,
            conv:
              (s: ConvShape): Conv =>
              (x, w) =>
                nativeConv3dImpl.conv3d(x, w, [s.stride, s.stride, s.stride], s.padding),
            backward: [false, true],
            maxGflop: 1e9,
          },
        ]
      : []),
    ...(nativeIsa() === 'avx512'
      ? [
          {
            backend: 'cpu',
            impl: 'native-avx2',
            avx512: false,
            conv:
              (s: ConvShape): Conv =>
              (x, w) =>
                nativeConv3dImpl.conv3d(x, w, [s.stride, s.stride, s.stride], s.padding),
            backward: [false, true],
            maxGflop: 1e9,
          },
        ]
      : []),
    {
      backend: 'cpu',
      impl: 'wasm-simd',
      conv: (s) => (x, w) => wasmConv3dImpl.conv3d(x, w, [s.stride, s.stride, s.stride], s.padding),
      backward: [false, true],
      maxGflop: 1e9,
    },
    {
      backend: 'cpu',
      impl: 'tf.conv3d',
      conv: (s) => (x, w) => tf.conv3d(x, w, s.stride, s.padding),
      backward: [false, true],
      maxGflop: 4,
    },
    {
      backend: 'wasm',
      impl: 'tf.conv3d',
      conv: (s) => (x, w) => tf.conv3d(x, w, s.stride, s.padding),
      backward: [false],
      maxGflop: 8,
    },
    // vol2col (tf ops + matMul) is kept out: 0.04 GFLOP/s on cpu, and superseded by wasm-simd (BENCH_VOL2COL=1 adds it).
    ...(process.env.BENCH_VOL2COL
      ? [
          {
            backend: 'wasm',
            impl: 'vol2col',
            conv:
              (s: ConvShape): Conv =>
              (x, w) =>
                vol2colConv3d(x, w, [s.stride, s.stride, s.stride], s.padding),
            backward: [false, true],
            maxGflop: 1e9,
          },
        ]
      : []),
  ];
  const only = process.env.BENCH_BACKENDS?.split(',');
  for (const plan of plans.filter((p) => !only || only.includes(p.backend))) {
    await tf.setBackend(plan.backend);
    await tf.ready();
    if (plan.avx512 === false) setNativeAvx512(false);
    for (const s of shapes) {
      const gf = convFlops(s) / 1e9;
      if (gf > plan.maxGflop) continue;
      for (const bw of plan.backward) {
        const ms = await measure(s, plan.conv(s), bw, budget);
        const flops = convFlops(s) * (bw ? 3 : 1);
        results.push({
          shape: s.name,
          impl: plan.impl,
          backend: plan.backend,
          pass: bw ? 'forward+backward' : 'forward',
          ms,
          gflops: flops / (ms * 1e6),
        });
        process.stderr.write(
          `  conv ${plan.backend}/${plan.impl} ${s.name} ${bw ? 'fwd+bwd' : 'fwd'}: ${ms.toFixed(1)} ms, ${(flops / (ms * 1e6)).toFixed(2)} GFLOP/s\n`,
        );
      }
    }
    if (plan.avx512 === false) setNativeAvx512(nativeIsa() === 'avx512');
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runConvBench({ quick: process.argv.includes('--quick') })
    .then((r) => console.table(r))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
