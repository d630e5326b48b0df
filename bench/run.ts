// `npm run bench [-- --quick]`: runs the benchmark pieces, prints a table and writes bench-results.json (atomically).
// Implemented so far: per-layer conv3d (tfjs cpu / wasm, vol2col cpu / wasm) against PyTorch CPU (2 threads)
// in the same run, with peak RSS. The training-step, inference and RL sections are not written yet (see report).
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { writeBytesAtomic } from '../src-main/core/io/atomic';
import { CONV_SHAPES, runConvBench } from './conv3d';
import { peakRssMiB } from './timing';

interface TorchConv { shape: string; forward_ms: number; forward_backward_ms: number }

function torchConv(quick: boolean): TorchConv[] | { error: string } {
  const shapes = quick ? CONV_SHAPES.filter((s) => !s.name.startsWith('paper')) : CONV_SHAPES;
  try {
    const out = execFileSync('/usr/bin/python3', ['bench/reference/conv3d.py', JSON.stringify(shapes), '1.0'], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(out.trim().split('\n').pop() ?? '[]') as TorchConv[];
  } catch (e) {
    return { error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const conv = await runConvBench({ quick });
  const torch = torchConv(quick);
  const rows = conv.map((r) => {
    const t = Array.isArray(torch) ? torch.find((x) => x.shape === r.shape) : undefined;
    const ref = t ? (r.pass === 'forward' ? t.forward_ms : t.forward_backward_ms) : undefined;
    return { ...r, torchMs: ref, ratioToTorch: ref ? r.ms / ref : undefined };
  });
  console.table(rows.map((r) => ({ shape: r.shape, backend: r.backend, impl: r.impl, pass: r.pass, ms: r.ms.toFixed(1), 'GFLOP/s': r.gflops.toFixed(2), 'torch ms': r.torchMs?.toFixed(1) ?? '-', 'ours/torch': r.ratioToTorch?.toFixed(1) ?? '-' })));
  const results = { machine: { cpus: (await import('node:os')).cpus().length, node: process.version, tfjs: tf.version.tfjs }, quick, conv3d: rows, torchError: Array.isArray(torch) ? null : torch.error, peakRssMiB: peakRssMiB(), backendMemory: tf.memory(), notImplemented: ['training step', 'inference 64×512×512', 'Richardson–Lucy vs skimage'] };
  await writeBytesAtomic('bench-results.json', JSON.stringify(results, null, 2), { force: true });
  console.log(`peak RSS ${peakRssMiB().toFixed(0)} MiB; wrote bench-results.json`);
}

main().catch((e) => { console.error(e); process.exit(1); });
