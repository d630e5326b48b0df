// The synthetic input and PSF of the out-of-core benchmarks (stream-zarr.ts, stream-budget.ts): a uint16
// OME-Zarr of beads on a camera offset with a noise-like texture, written box by box (so the stack never
// sits in memory), and a 9×15×15 Gaussian PSF.
import { makeVolume, type Shape3, type Volume } from '../src-main/core/io/volume';
import { PartialZarr } from '../src-main/core/io/zarr/partial';
import { rlStreamMethod } from '../src-main/core/infer/stream/rl-method';
import { RL_HALO_PSF_RADII } from '../src-main/core/infer/stream/from-predictor';
import type { StreamMethod } from '../src-main/core/infer/stream/deconvolve-stream';

export const BENCH_VOXEL = { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' };

/** The value of voxel (z, y, x): deterministic, so any box can be regenerated. */
export const benchVoxel = (gz: number, gy: number, gx: number): number =>
  100 + ((gx * 2654435761 + gy * 40503 + gz * 97) % 31) + (gx % 37 < 3 && gy % 41 < 3 && gz % 13 < 3 ? 2000 : 0);

/** Writes the synthetic stack to `path` (an OME-Zarr, NGFF 0.4) in chunks of `chunk`; returns the seconds taken. */
export async function writeBenchInput(path: string, shape: Shape3, chunk: Shape3): Promise<number> {
  const t0 = performance.now();
  const w = await PartialZarr.begin(
    path,
    { shape, channels: 1, frames: 1, chunk, dtype: 'uint16' },
    { fingerprint: 'bench', optionsKey: 'bench', options: {} },
  );
  for (const b of w.boxes) {
    if (w.isDone(b.index)) continue;
    const d = new Float32Array(b.size[0] * b.size[1] * b.size[2]);
    let i = 0;
    for (let z = 0; z < b.size[0]; z++)
      for (let y = 0; y < b.size[1]; y++)
        for (let x = 0; x < b.size[2]; x++) d[i++] = benchVoxel(b.start[0] + z, b.start[1] + y, b.start[2] + x);
    await w.writeBox(b, d);
  }
  await w.finish({ name: 'in.zarr', voxelSize: BENCH_VOXEL });
  return (performance.now() - t0) / 1000;
}

/** The benchmarks' PSF: a 9×15×15 Gaussian (σ² 2 in z, 1.5 in y, x, in voxels). */
export function benchPsf(): Volume {
  return makeVolume(
    Float32Array.from({ length: 9 * 15 * 15 }, (_, i) => {
      const z = Math.floor(i / 225) - 4,
        y = (Math.floor(i / 15) % 15) - 7,
        x = (i % 15) - 7;
      return Math.exp(-((z * z) / 4 + (y * y + x * x) / 3));
    }),
    [9, 15, 15],
    BENCH_VOXEL,
  );
}

/** Richardson–Lucy as the benchmarks run it: the bench PSF, the default halo (2 PSF radii). */
export function benchRlMethod(iterations: number): StreamMethod {
  return rlStreamMethod([benchPsf()], BENCH_VOXEL, { iterations }, RL_HALO_PSF_RADII, {
    psf: 'gaussian 9x15x15',
    iterations: String(iterations),
  });
}
