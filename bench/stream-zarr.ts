// Throughput and peak memory of out-of-core deconvolution (OME-Zarr in, OME-Zarr out, box by box) on a
// synthetic uint16 stack of Z×Y×X written chunk by chunk (so the input never sits in memory either).
// Usage: npx tsx bench/stream-zarr.ts [Z,Y,X=32,1024,1024] [mean|rl|model] [RL iterations=10] [chunk=64,256,256]
//   mean:  a 3-voxel mean along x (measures reading, boxing, writing and the pyramid: the pipeline's floor)
//   rl:    Richardson–Lucy with a 9×15×15 Gaussian PSF and the default halo (2 PSF radii)
//   model: the bundled model (assets/model), exact tiling: statistics passes, then boxes plus the network's halo
// Accepts 200,4096,4096 (6.7 GB as uint16): plan for the disk (input ≈ 1.5 GB gzip, output more) and the time.
// Prints one JSON line: seconds for writing the input and for deconvolving, Mvoxel/s, peak RSS.
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { makeVolume, type Shape3 } from '../src-main/core/io/volume';
import { PartialZarr } from '../src-main/core/io/zarr/partial';
import { deconvolveStream, type StreamMethod } from '../src-main/core/infer/stream/deconvolve-stream';
import { rlStreamMethod } from '../src-main/core/infer/stream/rl-method';
import { RL_HALO_PSF_RADII, streamMethod } from '../src-main/core/infer/stream/from-predictor';
import { loadPredictor } from '../src-main/core/infer/load';
import { peakRssMiB } from './timing';

const parse = (s: string) => s.split(',').map(Number) as Shape3;
const shape = parse(process.argv[2] ?? '32,1024,1024');
const method = process.argv[3] ?? 'mean';
const iterations = Number(process.argv[4] ?? 10);
const chunk = parse(process.argv[5] ?? '64,256,256');
const dir = mkdtempSync(join(tmpdir(), 'cycledecon-stream-'));
const input = join(dir, 'in.zarr');
const voxelSize = { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' };

let t0 = performance.now();
const w = await PartialZarr.begin(
  input,
  { shape, channels: 1, frames: 1, chunk, dtype: 'uint16' },
  { fingerprint: 'bench', optionsKey: 'bench', options: {} },
);
for (const b of w.boxes) {
  const d = new Float32Array(b.size[0] * b.size[1] * b.size[2]);
  let i = 0;
  // Beads on a camera offset with noise-like texture.
  for (let z = 0; z < b.size[0]; z++)
    for (let y = 0; y < b.size[1]; y++)
      for (let x = 0; x < b.size[2]; x++) {
        const gz = b.start[0] + z,
          gy = b.start[1] + y,
          gx = b.start[2] + x;
        d[i++] =
          100 +
          ((gx * 2654435761 + gy * 40503 + gz * 97) % 31) +
          (gx % 37 < 3 && gy % 41 < 3 && gz % 13 < 3 ? 2000 : 0);
      }
  await w.writeBox(b, d);
}
await w.finish({ name: 'in.zarr', voxelSize });
const writeSeconds = (performance.now() - t0) / 1000;

function meanX(d: Float32Array, [nz, ny, nx]: Shape3): Float32Array {
  const out = new Float32Array(d.length);
  for (let r = 0; r < nz * ny; r++) {
    const o = r * nx;
    for (let x = 0; x < nx; x++)
      out[o + x] = (d[o + Math.max(0, x - 1)]! + d[o + x]! + d[o + Math.min(nx - 1, x + 1)]!) / 3;
  }
  return out;
}
const psfShape: Shape3 = [9, 15, 15];
const psf = makeVolume(
  Float32Array.from({ length: 9 * 15 * 15 }, (_, i) => {
    const z = Math.floor(i / 225) - 4,
      y = (Math.floor(i / 15) % 15) - 7,
      x = (i % 15) - 7;
    return Math.exp(-((z * z) / 4 + (y * y + x * x) / 3));
  }),
  psfShape,
  voxelSize,
);
const m: StreamMethod =
  method === 'rl'
    ? rlStreamMethod([psf], voxelSize, { iterations }, RL_HALO_PSF_RADII, {
        psf: 'gaussian 9x15x15',
        iterations: String(iterations),
      })
    : method === 'model'
      ? streamMethod(
          await loadPredictor({ method: 'model', runDir: join(import.meta.dirname, '..', 'assets', 'model') }),
        )
      : { method: 'mean-x', details: {}, predict: () => meanX, halo: [0, 0, 1] };
const rssBefore = process.memoryUsage().rss;
t0 = performance.now();
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
