// Exact tiled inference (whole-volume instance-norm statistics, exact.ts) against the untiled pass, with
// the bundled demo model on the demo sample (32×64×64), tfjs cpu backend: max |tiled − untiled| on the
// network's [0,1] scale and the time of each, plus the old per-tile-statistics blend for comparison.
// Prints one JSON line. Run: npx tsx bench/infer-exact.ts
import { join } from 'node:path';
import type { Shape3 } from '../src-main/core/io/volume';
import { readVolume } from '../src-main/core/io/index';
import { loadPredictor } from '../src-main/core/infer/load';
import { fitNormaliser } from '../src-main/core/normalise/normaliser';
import { withPadding } from '../src-main/core/infer/predictor';
import { runExact } from '../src-main/core/infer/exact';
import { arraySink, arraySource, predictTiled } from '../src-main/core/infer/tiled';
import { peakRssMiB } from './timing';

const root = join(import.meta.dirname, '..');
const vol = await readVolume(join(root, 'assets', 'sample', 'bars_blurred.tif'));
const p = await loadPredictor({
  method: 'model',
  runDir: join(root, 'test', 'fixtures', 'model-bars'),
  backend: 'cpu',
});
const data = fitNormaliser(vol.data, p.normalisation.pLow, p.normalisation.pHigh).apply(vol.data);

const seconds = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
const range = (a: Float32Array) =>
  a.reduce((m, v) => Math.max(m, v), -Infinity) - a.reduce((m, v) => Math.min(m, v), Infinity);

let whole: Float32Array = new Float32Array(0);
await withPadding(p.predict, p.multiple)(data, vol.shape); // warm-up
const wholeSeconds = await seconds(async () => {
  whole = await withPadding(p.predict, p.multiple)(data, vol.shape);
});
const result: Record<string, unknown> = {
  shape: vol.shape,
  backend: p.backend,
  halo: p.staged!.halo,
  normLayers: p.staged!.layers.length,
  whole: { seconds: +wholeSeconds.toFixed(2), outputRange: +range(whole).toFixed(4) },
};
for (const tile of [
  [32, 32, 32],
  [16, 32, 32],
] as Shape3[]) {
  const out = new Float32Array(data.length);
  let run = { tiles: 0, passes: 0 };
  const s = await seconds(async () => {
    run = await runExact(arraySource(data, vol.shape), arraySink(out), p.staged!, { tile });
  });
  const perTile = await predictTiled(data, vol.shape, withPadding(p.predict, p.multiple), {
    tile,
    overlap: p.overlap,
    multiple: p.multiple,
  });
  result[`exact ${tile.join('x')}`] = {
    tiles: run.tiles,
    passes: run.passes,
    seconds: +s.toFixed(2),
    maxAbsDiff: maxDiff(out, whole),
    perTileStatsMaxAbsDiff: +maxDiff(perTile, whole).toFixed(4),
  };
}
result.peakRssMiB = Math.round(peakRssMiB());
p.dispose();
console.log(JSON.stringify(result));
