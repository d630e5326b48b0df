// The "identical numerics" check for the training-step bench: our networks of a preset (seeded weights,
// cpu backend with the default kernels) and the PyTorch twin (bench/reference/train_step.py) with the same
// weights loaded run the same fixed input; prints the relative L2 difference of G_AB, G_BA (PSF layer) and the
// full-scale PatchGAN, the parameter counts of both, and whether every difference is under 1e-4. One JSON line.
// Run: npx tsx bench/twin-check.ts [--preset fast|tiny|paper]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../src-main/core/nn/backend';
import { PRESET_NAMES, resolveTrainConfig, type PresetName } from '../src-main/core/train/config';
import { buildNetworks, disposeNetworks } from '../src-main/core/train/networks';
import { exportForTwin, runTwinCheck } from './twin-export';

const i = process.argv.indexOf('--preset');
const preset = (i > 0 ? process.argv[i + 1] : 'fast') as PresetName;
if (!PRESET_NAMES.includes(preset)) throw new Error(`--preset must be one of ${PRESET_NAMES.join(', ')}`);
const backend = await initBackend({ preferred: 'cpu', purpose: 'train' });
// The PyTorch twin holds the paper's free kernel and generator (transposed-convolution up-sampling, linear head):
// presets with the Gaussian PSF layer or fast's resize-convolution generator (decision 0007) are checked with those,
// as bench/train-step.ts times them.
const cfg = resolveTrainConfig(preset, {
  psf: { model: 'free' },
  generator: { upsample: 'transpose', output: 'linear' },
});
const dir = mkdtempSync(join(tmpdir(), 'cycledecon-twin-'));
const out: Record<string, unknown> = { preset, backend: backend.name, conv: backend.conv, patch: cfg.patchSize };
try {
  const nets = buildNetworks(cfg, { restoring: true }); // random weights: the PSF start does not matter here
  try {
    await exportForTwin(dir, cfg, nets);
  } finally {
    disposeNetworks(nets);
  }
  const r = runTwinCheck(dir);
  const paramsEqual = JSON.stringify(r.params.ours) === JSON.stringify(r.params.torch);
  Object.assign(out, r, { paramsEqual, pass: paramsEqual && Object.values(r.relL2).every((v) => v < 1e-4) });
} catch (e) {
  out.error = e instanceof Error ? e.message.split('\n')[0] : String(e);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
