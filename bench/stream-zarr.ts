// Throughput and peak memory of out-of-core deconvolution (OME-Zarr in, OME-Zarr out, box by box) on a
// synthetic uint16 stack of Z×Y×X written chunk by chunk (so the input never sits in memory either).
// Usage: npx tsx bench/stream-zarr.ts [Z,Y,X=32,1024,1024] [mean|rl|model] [RL iterations=10] [chunk=64,256,256]
//   mean:  a 3-voxel mean along x (measures reading, boxing, writing and the pyramid: the pipeline's floor)
//   rl:    Richardson–Lucy with a 9×15×15 Gaussian PSF and the default halo (2 PSF radii)
//   model: the bundled model (test/fixtures/model-bars), exact tiling: statistics passes, then boxes plus the network's halo
// Accepts 200,4096,4096 (6.7 GB as uint16): plan for the disk (input ≈ 1.5 GB gzip, output more) and the time.
// Prints one JSON line: seconds for writing the input and for deconvolving, Mvoxel/s, peak RSS.
// With --max-seconds N (rl only): stream-budget.ts, RL stopped by SIGKILL after N s, resumed, checked.
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Shape3 } from '../src-main/core/io/volume';
import { benchRlMethod, writeBenchInput } from './stream-input';
import { deconvolveStream, type StreamMethod } from '../src-main/core/infer/stream/deconvolve-stream';
import { streamMethod } from '../src-main/core/infer/stream/from-predictor';
import { loadPredictor } from '../src-main/core/infer/load';
import { peakRssMiB } from './timing';

if (process.argv.includes('--max-seconds')) {
  // A time-boxed run of a stack too large to finish here: stream-budget.ts.
  const { runBudgeted } = await import('./stream-budget');
  await runBudgeted(process.argv.slice(2));
  process.exit(0);
}

const parse = (s: string) => s.split(',').map(Number) as Shape3;
const shape = parse(process.argv[2] ?? '32,1024,1024');
const method = process.argv[3] ?? 'mean';
const iterations = Number(process.argv[4] ?? 10);
const chunk = parse(process.argv[5] ?? '64,256,256');
const dir = mkdtempSync(join(tmpdir(), 'cycledecon-stream-'));
const input = join(dir, 'in.zarr');

const writeSeconds = await writeBenchInput(input, shape, chunk);

function meanX(d: Float32Array, [nz, ny, nx]: Shape3): Float32Array {
  const out = new Float32Array(d.length);
  for (let r = 0; r < nz * ny; r++) {
    const o = r * nx;
    for (let x = 0; x < nx; x++)
      out[o + x] = (d[o + Math.max(0, x - 1)]! + d[o + x]! + d[o + Math.min(nx - 1, x + 1)]!) / 3;
  }
  return out;
}
const m: StreamMethod =
  method === 'rl'
    ? benchRlMethod(iterations)
    : method === 'model'
      ? streamMethod(
          await loadPredictor({
            method: 'model',
            runDir: join(import.meta.dirname, '..', 'test', 'fixtures', 'model-bars'),
          }),
        )
      : { method: 'mean-x', details: {}, predict: () => meanX, halo: [0, 0, 1] };
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const r = await deconvolveStream(input, join(dir, 'out.zarr'), m, { chunk, dtype: 'float32' });
const seconds = (performance.now() - t0) / 1000;
const voxels = shape[0] * shape[1] * shape[2];
console.log(
  JSON.stringify({
    shape,
    method,
    iterations: method === 'rl' ? iterations : undefined,
    chunk,
    boxes: r.boxes,
    halo: m.halo,
    writeInputSeconds: +writeSeconds.toFixed(1),
    seconds: +seconds.toFixed(1),
    mvoxelPerSecond: +(voxels / seconds / 1e6).toFixed(2),
    stackMiBAsFloat32: Math.round((voxels * 4) / 2 ** 20),
    rssBeforeMiB: Math.round(rssBefore / 2 ** 20),
    peakRssMiB: Math.round(peakRssMiB()),
  }),
);
rmSync(dir, { recursive: true, force: true });
