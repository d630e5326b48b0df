// The seam error of out-of-core Richardson–Lucy against whole-stack RL, for halos of 0–4 PSF radii: the
// table behind RL_HALO_PSF_RADII (docs/large-stacks.md). A 32×192×192 stack of beads on an uneven
// background with noise, a 9×15×15 Gaussian PSF, boxes of 16×64×64 (18 boxes, most faces inner).
// Usage: npx tsx bench/stream-halo.ts [iterations=20,50]   (prints a Markdown table)
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { makeVolume, type Shape3 } from '../src-main/core/io/volume';
import { PartialZarr } from '../src-main/core/io/zarr/partial';
import { openZarrVolume } from '../src-main/core/io/zarr/read';
import { richardsonLucy } from '../src-main/core/deconv/rl';
import { deconvolveStream } from '../src-main/core/infer/stream/deconvolve-stream';
import { rlStreamMethod } from '../src-main/core/infer/stream/rl-method';

const iterationList = (process.argv[2] ?? '20,50').split(',').map(Number);
const shape: Shape3 = [32, 192, 192],
  chunk: Shape3 = [16, 64, 64];
const voxelSize = { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' };
const dir = mkdtempSync(join(tmpdir(), 'cycledecon-halo-'));
const input = join(dir, 'in.zarr');
let seed = 12345;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const beads = Array.from({ length: 60 }, () => [rand() * 32, rand() * 192, rand() * 192, 500 + 1500 * rand()]);
const w = await PartialZarr.begin(
  input,
  { shape, channels: 1, frames: 1, chunk, dtype: 'float32' },
  { fingerprint: 'b', optionsKey: 'b', options: {} },
);
for (const b of w.boxes) {
  const d = new Float32Array(b.size[0] * b.size[1] * b.size[2]);
  let i = 0;
  for (let z = 0; z < b.size[0]; z++)
    for (let y = 0; y < b.size[1]; y++)
      for (let x = 0; x < b.size[2]; x++) {
        const gz = b.start[0] + z,
          gy = b.start[1] + y,
          gx = b.start[2] + x;
        let v = 100 + 0.5 * gy + 20 * rand();
        for (const [bz, by, bx, a] of beads)
          v += a! * Math.exp(-((gz - bz!) ** 2 / 4 + ((gy - by!) ** 2 + (gx - bx!) ** 2) / 6));
        d[i++] = v;
      }
  await w.writeBox(b, d);
}
await w.finish({ name: 'in.zarr', voxelSize });
const reader = await openZarrVolume(input);
const image = makeVolume(await reader.readSlices(0, shape[0]), shape, voxelSize);
await reader.close();
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

console.log(
  '| iterations | halo (PSF radii) | halo z,y,x (voxels) | max error (% of range) | RMS error (% of range) | seconds |',
);
console.log('|---|---|---|---|---|---|');
for (const iterations of iterationList) {
  const want = (await richardsonLucy(image, psf, { iterations })).data;
  let lo = Infinity,
    hi = -Infinity;
  for (const v of want) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  for (const radii of [0, 0.5, 1, 2, 3, 4]) {
    const out = join(dir, `out-${iterations}-${radii}.zarr`);
    const m = rlStreamMethod([psf], voxelSize, { iterations }, radii, {});
    const t0 = performance.now();
    await deconvolveStream(input, out, m, { chunk, dtype: 'float32' });
    const seconds = (performance.now() - t0) / 1000;
    const r = await openZarrVolume(out);
    const got = await r.readSlices(0, shape[0]);
    await r.close();
    let max = 0,
      sq = 0;
    for (let i = 0; i < got.length; i++) {
      const e = Math.abs(got[i]! - want[i]!);
      max = Math.max(max, e);
      sq += e * e;
    }
    console.log(
      `| ${iterations} | ${radii} | ${m.halo!.join(',')} | ${((100 * max) / (hi - lo)).toFixed(3)} | ${((100 * Math.sqrt(sq / got.length)) / (hi - lo)).toFixed(4)} | ${seconds.toFixed(1)} |`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
