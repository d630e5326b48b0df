// Inference throughput (voxels/s) of the bundled demo model and of Richardson–Lucy with its learned PSF,
// on the demo sample (32×64×64), whole-volume tile, tfjs cpu backend. Prints one JSON line.
// Run: npx tsx bench/infer-model.ts
import { join } from 'node:path';
import { readVolume } from '../src-main/core/io/index';
import { loadPredictor } from '../src-main/core/infer/load';
import { fitNormaliser } from '../src-main/core/normalise/normaliser';
import { withPadding } from '../src-main/core/infer/predictor';
import { peakRssMiB, timeIt } from './timing';

const root = join(import.meta.dirname, '..');
const vol = await readVolume(join(root, 'assets', 'sample', 'bars_blurred.tif'));
const voxels = vol.data.length;
const result: Record<string, unknown> = { shape: vol.shape };
for (const method of ['model', 'rl'] as const) {
  const p = await loadPredictor({
    method,
    runDir: join(root, 'test', 'fixtures', 'model-bars'),
    psf: 'learned',
    iterations: 20,
    backend: 'cpu',
  });
  const data = fitNormaliser(vol.data, p.normalisation.pLow, p.normalisation.pHigh).apply(vol.data);
  const predict = withPadding(p.predict, p.multiple);
  const ms = await timeIt(
    async () => {
      await predict(data, vol.shape);
    },
    3000,
    2,
  );
  result[method] = {
    backend: p.backend,
    msPerVolume: Math.round(ms),
    voxelsPerSecond: Math.round(voxels / (ms / 1000)),
  };
  p.dispose();
}
result.peakRssMiB = Math.round(peakRssMiB());
console.log(JSON.stringify(result));
