// Exports what the PyTorch twin (bench/reference/train_step.py --check DIR) needs to prove it is the same
// network: the resolved config, every variable of the networks in tfjs weights format (weights/model.json +
// weights.bin), one fixed input patch, and our forward outputs on it: G_AB(x), G_BA(x) (the PSF layer) and
// the full-scale discriminator D_B_full(x). All raw little-endian float32, NDHWC with one channel (= z, y, x).
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { TrainConfig } from '../src-main/core/train/config';
import { saveWeights } from '../src-main/core/nn/weights';
import { allVariables, type Networks } from '../src-main/core/train/networks';
import { Rng } from '../src-main/core/train/rng';

export const TWIN_SCRIPT = 'bench/reference/train_step.py';
export const PYTHON = '/usr/bin/python3';

export interface TwinCheck {
  /** Relative L2 difference ours vs PyTorch, per output. */
  relL2: Record<string, number>;
  params: { ours: Record<string, number>; torch: Record<string, number> };
}

/** A fixed input patch in [0, 1] (seeded; the same on every run). */
export function fixedInput(n: number, seed = 1234): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n * n * n }, () => r.next());
}

export async function exportForTwin(dir: string, cfg: TrainConfig, nets: Networks): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const n = cfg.patchSize;
  const x = fixedInput(n);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
  await saveWeights(join(dir, 'weights'), allVariables(nets), { force: true });
  writeFileSync(join(dir, 'input.f32'), Buffer.from(x.buffer));
  const run = async (name: string, f: (t: tf.Tensor5D) => tf.Tensor5D) => {
    const y = tf.tidy(() => f(tf.tensor5d(x, [1, n, n, n, 1])));
    const data = (await y.data()) as Float32Array;
    writeFileSync(join(dir, `${name}.f32`), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    const shape = y.shape.slice(1, 4);
    y.dispose();
    return shape;
  };
  const shapes = {
    G_AB: await run('G_AB', (t) => nets.gAB.apply(t)),
    G_BA: await run('G_BA', (t) => nets.gBA!.apply(t)),
    D_B_full: await run('D_B_full', (t) => nets.dB[0]!.apply(t)),
  };
  const count = (vs: tf.Variable[]) => vs.reduce((s, v) => s + v.size, 0);
  const params = {
    G_AB: count(nets.gAB.variables()),
    G_BA: count(nets.gBA!.variables()),
    D: count(nets.dB[0]!.variables()),
  };
  writeFileSync(join(dir, 'outputs.json'), JSON.stringify({ shapes, params }));
}

/** Runs the twin's forward check on an exported directory; throws with the script's stderr on failure. */
export function runTwinCheck(dir: string): TwinCheck {
  const r = spawnSync(PYTHON, [TWIN_SCRIPT, '--check', dir], { encoding: 'utf8', maxBuffer: 1 << 22 });
  if (r.status !== 0)
    throw new Error(
      `${TWIN_SCRIPT} --check failed (${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`,
    );
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as TwinCheck;
}

/** Whether /usr/bin/python3 can import torch (the twin's only non-standard dependency besides numpy). */
export function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;
}
