// A fingerprint of each preset's training: a few steps on small synthetic stacks with a fixed seed, printed as
// sha256 of the loss history and of the saved weights. A refactor of the training configuration must leave every
// line unchanged (run before and after; `npx tsx scripts/preset-fingerprint.ts`).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { resolveTrainConfig, type PresetName, type TrainConfigOverrides } from '../src-main/core/train/config';
import { train } from '../src-main/core/train/trainer';
import { syntheticPair } from '../test/unit/engine/train-helpers';

// paper's network is cut to a size a loaded 2-core CPU steps through in seconds; its switches stay the preset's.
const RUNS: { name: PresetName; over: TrainConfigOverrides }[] = [
  { name: 'tiny', over: { maxSteps: 4 } },
  { name: 'fast', over: { maxSteps: 3 } },
  {
    name: 'paper',
    over: {
      maxSteps: 2,
      patchSize: 16,
      generator: { levels: 2, baseChannels: 4 },
      psf: { size: 5 },
      discriminator: { baseChannels: 4, modules: 2 },
      poolSize: 2,
    },
  },
];

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex').slice(0, 16);

await tf.setBackend('cpu');
const data = syntheticPair([24, 32, 32], 5);
for (const r of RUNS) {
  const out = mkdtempSync(join(tmpdir(), 'fingerprint-'));
  try {
    await train(resolveTrainConfig(r.name, { seed: 11, ...r.over }), {
      blurred: [data.blurred],
      sharp: [data.sharp],
      outDir: out,
    });
    // history.csv without its last column, the wall-clock seconds of each step.
    const history = readFileSync(join(out, 'history.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(',').slice(0, -1).join(','))
      .join('\n');
    const weights = createHash('sha256');
    for (const f of readdirSync(join(out, 'weights')).sort())
      weights.update(f).update(readFileSync(join(out, 'weights', f)));
    console.log(
      `${r.name}: history ${sha(history)} weights ${weights.digest('hex').slice(0, 16)} psf ${sha(readFileSync(join(out, 'psf.json')))}`,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
