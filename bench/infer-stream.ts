// Peak memory and throughput of streaming deconvolution on a synthetic uint16 stack of Z×N×N.
// Usage: npx tsx bench/infer-stream.ts [N=512] [Z=100]   (prints one JSON line)
// The predictor is a cheap 3×3×3 box filter, so the numbers measure the I/O + tiling + blending
// pipeline; a network adds its own per-tile memory (see infer/load.ts unetBytesPerVoxel).
import { join } from 'node:path';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createVolumeWriter } from '../src-main/core/io/index';
import { deconvolveFile } from '../src-main/core/infer/deconvolve';
import type { Predictor } from '../src-main/core/infer/predictor';
import type { Shape3 } from '../src-main/core/io/volume';
import { peakRssMiB } from './timing';

const n = Number(process.argv[2] ?? 512);
const nz = Number(process.argv[3] ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'cycledecon-bench-'));
const input = join(dir, 'in.tif');
const writer = await createVolumeWriter(input, {
  shape: [nz, n, n],
  voxelSize: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' },
  dtype: 'uint16',
});
const slice = new Float32Array(n * n);
for (let z = 0; z < nz; z++) {
  for (let i = 0; i < slice.length; i++) slice[i] = (i * 2654435761 + z * 97) % 4096;
  await writer.writeSlices(slice, 1);
}
await writer.close();

function box(tile: Float32Array, [tz, ty, tx]: Shape3): Float32Array {
  const out = new Float32Array(tile.length);
  for (let z = 0; z < tz; z++)
    for (let y = 1; y < ty - 1; y++)
      for (let x = 1; x < tx - 1; x++) {
        const i = (z * ty + y) * tx + x;
        out[i] = (tile[i - 1]! + tile[i]! + tile[i + 1]! + tile[i - tx]! + tile[i + tx]!) / 5;
      }
  return out;
}
const predictor: Predictor = {
  method: 'box',
  predict: box,
  multiple: 4,
  bytesPerVoxel: 700,
  overlap: 8,
  backend: 'cpu',
  normalisation: { pLow: 0.1, pHigh: 99.9, clip: false },
  details: {},
  dispose: () => undefined,
};
const rssBefore = process.memoryUsage().rss;
const r = await deconvolveFile(input, join(dir, 'out.tif'), predictor, { tile: 'auto', dtype: 'float32' });
console.log(
  JSON.stringify({
    shape: r.shape,
    inputBytes: statSync(input).size,
    tile: r.tile,
    tiles: r.tiles,
    seconds: r.seconds,
    voxelsPerSecond: Math.round(r.voxelsPerSecond),
    rssBeforeMiB: Math.round(rssBefore / 2 ** 20),
    peakRssMiB: Math.round(peakRssMiB()),
  }),
);
rmSync(dir, { recursive: true, force: true });
