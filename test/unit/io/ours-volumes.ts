// Deterministic volumes that our writer turns into the committed files in test/fixtures/tiff/ours/
// (made by test/fixtures/write_ours.ts; tifffile's reading of them is in ours/tifffile.json).
import { makeVolume, type Volume } from '../../../src-main/core/io/index';
import type { WriteOptions } from '../../../src-main/core/io/index';

export interface OursCase {
  name: string;
  volume: Volume;
  options: WriteOptions;
}

function pattern(shape: [number, number, number], f: (z: number, y: number, x: number) => number): Float32Array {
  const [nz, ny, nx] = shape;
  const d = new Float32Array(nz * ny * nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) d[(z * ny + y) * nx + x] = f(z, y, x);
  return d;
}

export function oursCases(): OursCase[] {
  const f32 = makeVolume(
    pattern([6, 9, 7], (z, y, x) => Math.sin(z * 1.3 + y * 0.7) * 1000 + x / 3 - 17.25),
    [6, 9, 7],
    { x: 0.11, y: 0.097, z: 0.3, unit: 'µm' },
  );
  f32.metadata.intensityScale = 'normalised [0,1] (p0.1–p99.9 of input)';
  f32.metadata.extra = { model: 'run-42', epochs: '200' };
  // uint16 conversion: negatives clip to 0, above 65535 clip, halves round up, NaN becomes 0.
  const u16 = makeVolume(
    pattern([4, 5, 8], (z, y, x) => (x === 0 && y === 0 ? NaN : (z * 40 + y * 8 + x) * 431.5 - 500)),
    [4, 5, 8],
    { x: 0.065, y: 0.065, z: 0.2, unit: 'µm' },
  );
  const big = makeVolume(
    pattern([3, 4, 6], (z, y, x) => z * 100 + y * 10 + x + 0.5),
    [3, 4, 6],
    { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' },
  );
  const px = makeVolume(
    pattern([2, 3, 3], (z, y, x) => z - y * x),
    [2, 3, 3],
  );
  return [
    { name: 'ours_f32.tif', volume: f32, options: { dtype: 'float32' } },
    { name: 'ours_u16.tif', volume: u16, options: { dtype: 'uint16' } },
    { name: 'ours_bigtiff_f32.tif', volume: big, options: { dtype: 'float32', bigTiffThreshold: 0 } },
    { name: 'ours_uncalibrated.tif', volume: px, options: {} },
  ];
}
