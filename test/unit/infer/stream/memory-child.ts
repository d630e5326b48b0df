// Child process of memory.test.ts: deconvolves an OME-Zarr out of core with a cheap predictor (a 3-voxel
// mean along x, reach 1) and reports its resident memory: the baseline after start-up and the peak.
import { deconvolveStream } from '../../../../src-main/core/infer/stream/deconvolve-stream';
import type { Shape3 } from '../../../../src-main/core/io/volume';

function meanX(d: Float32Array, [nz, ny, nx]: Shape3): Float32Array {
  const out = new Float32Array(d.length);
  for (let r = 0; r < nz * ny; r++) {
    const o = r * nx;
    for (let x = 0; x < nx; x++)
      out[o + x] = (d[o + Math.max(0, x - 1)]! + d[o + x]! + d[o + Math.min(nx - 1, x + 1)]!) / 3;
  }
  return out;
}

const [input, output, chunk] = process.argv.slice(2);
const baseline = process.memoryUsage().rss;
const r = await deconvolveStream(
  input!,
  output!,
  { method: 'mean-x', details: {}, predict: () => meanX, halo: [0, 0, 1] },
  { chunk: chunk!.split(',').map(Number) as Shape3, dtype: 'uint16' },
);
process.stdout.write(
  `${JSON.stringify({ baseline, peak: process.resourceUsage().maxRSS * 1024, boxes: r.boxes, seconds: r.seconds })}\n`,
);
