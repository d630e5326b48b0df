// Inference throughput at the size (64×512×512 by default) through the real streaming, exactly tiled
// path (core/infer deconvolveFile, as `cycledecon deconvolve`), on one backend per process.
// Models: 'fast' = the architecture of the default `cycledecon train --preset fast` (U-Net 16 ch × 3 levels ×
// 2 convs) with seeded random weights, which costs what a user's default model costs (weights do not change the
// time); 'demo' = the bundled toy model in test/fixtures/model-bars (8 ch × 2 levels × 1 conv, about 11× fewer FLOPs per voxel).
// Run: npx tsx bench/infer-issue.ts [--backend cpu|wasm|webgpu] [--model fast|demo] [--shape Z,Y,X]. Prints one JSON line.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTrainConfig } from '../src-main/core/train/config';
import { tryBackend } from '../src-main/core/nn/backend';
import { buildUNet } from '../src-main/core/nn/models';
import { writeConfig } from '../src-main/core/train/outputs';
import { saveWeights } from '../src-main/core/nn/weights';
import { createVolumeWriter } from '../src-main/core/io/index';
import type { Shape3 } from '../src-main/core/io/volume';
import { deconvolveFile } from '../src-main/core/infer/deconvolve';
import { loadPredictor } from '../src-main/core/infer/load';
import { unetFlops } from './train-flops';
import { peakRssMiB } from './timing';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const backend = arg('--backend', 'cpu');
const model = arg('--model', 'fast');
const shape = arg('--shape', '64,512,512').split(/[,x×]/).map(Number) as Shape3;
const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'cycledecon-bench-infer-'));
const out: Record<string, unknown> = { backend, model, shape };

async function fastRunDir(): Promise<string> {
  const cfg = resolveTrainConfig('fast');
  const runDir = join(dir, 'run');
  const net = buildUNet(cfg.generator, cfg.seed * 16 + 1, { name: 'G_AB' });
  try {
    mkdirSync(runDir, { recursive: true });
    await writeConfig(runDir, cfg);
    await saveWeights(join(runDir, 'weights'), net.variables(), { force: true });
  } finally {
    net.variables().forEach((v) => v.dispose());
  }
  return runDir;
}

async function writeInput(path: string): Promise<void> {
  const w = await createVolumeWriter(path, {
    shape,
    voxelSize: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' },
    dtype: 'uint16',
  });
  const slice = new Float32Array(shape[1] * shape[2]);
  for (let z = 0; z < shape[0]; z++) {
    for (let i = 0; i < slice.length; i++)
      slice[i] = 100 + ((i * 2654435761 + z * 97) % 4096) * (((i >> 6) + z) % 3 === 0 ? 1 : 0.1);
    await w.writeSlices(slice, 1);
  }
  await w.close();
}

try {
  // A software WebGPU adapter (SwiftShader/lavapipe) runs ~8× slower than cpu: hours at this size, so it is
  // reported as skipped; a hardware adapter runs. wasm: loadPredictor refuses it for the network (tfjs 4.22's wasm
  // transposed conv3d is wrong) and that refusal is the result.
  const failure = backend === 'webgpu' ? await tryBackend('webgpu', false) : null;
  if (failure) {
    out.skipped = failure;
  } else {
    const runDir = model === 'demo' ? join(root, 'test', 'fixtures', 'model-bars') : await fastRunDir();
    const input = join(dir, 'in.tif');
    await writeInput(input);
    const rssBefore = peakRssMiB();
    const p = await loadPredictor({ method: 'model', runDir, backend });
    try {
      const r = await deconvolveFile(input, join(dir, 'out.tif'), p, { tile: 'auto', dtype: 'float32' });
      const g = JSON.parse(String(p.details.generator)) as {
        levels: number;
        baseChannels: number;
        convsPerLevel: number;
      };
      const voxels = shape[0] * shape[1] * shape[2];
      Object.assign(out, {
        backendUsed: r.backend,
        generator: g,
        seconds: +r.seconds.toFixed(2),
        voxelsPerSecond: Math.round(r.voxelsPerSecond),
        tile: r.tile,
        tiles: r.tiles,
        passes: r.passes,
        // Forward FLOPs of one untiled pass; exact tiling repeats parts of it (halos, statistics passes).
        untiledGflop: +(((unetFlops(g, 64) / 64 ** 3) * voxels) / 1e9).toFixed(1),
        effectiveGflops: +(((unetFlops(g, 64) / 64 ** 3) * voxels) / 1e9 / r.seconds).toFixed(2),
        rssBeforeMiB: Math.round(rssBefore),
      });
    } finally {
      p.dispose();
    }
  }
} catch (e) {
  out.error = e instanceof Error ? e.message.split('\n')[0] : String(e);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
out.peakRssMiB = Math.round(peakRssMiB());
out.backendMemory = tf.memory();
console.log(JSON.stringify(out));
