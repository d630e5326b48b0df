// A small blurred 2-channel stack and its PSF for the browser test: channel 0 holds beads, channel 1 two
// crossed bars, both blurred by the same Gaussian PSF, so each channel is recognisable at a glance.
import { createVolumeWriter } from '../../src-main/core/io/writer';
import { mulberry32 } from '../helpers';

const VOXEL = { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' };

function gaussian(shape: [number, number, number], sigma: number): Float32Array {
  const [nz, ny, nx] = shape;
  const out = new Float32Array(nz * ny * nx);
  let sum = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const r2 = ((z - (nz >> 1)) * 3) ** 2 + (y - (ny >> 1)) ** 2 + (x - (nx >> 1)) ** 2;
        sum += out[(z * ny + y) * nx + x] = Math.exp(-r2 / (2 * sigma * sigma));
      }
  return out.map((v) => v / sum);
}

/** Direct 3D convolution (small sizes only): good enough for a 16×48×48 test stack. */
function blur(
  src: Float32Array,
  shape: [number, number, number],
  psf: Float32Array,
  k: [number, number, number],
): Float32Array {
  const [nz, ny, nx] = shape;
  const out = new Float32Array(src.length);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const v = src[(z * ny + y) * nx + x]!;
        if (!v) continue;
        for (let a = 0; a < k[0]; a++)
          for (let b = 0; b < k[1]; b++)
            for (let c = 0; c < k[2]; c++) {
              const zz = z + a - (k[0] >> 1),
                yy = y + b - (k[1] >> 1),
                xx = x + c - (k[2] >> 1);
              if (zz >= 0 && zz < nz && yy >= 0 && yy < ny && xx >= 0 && xx < nx)
                out[(zz * ny + yy) * nx + xx]! += v * psf[(a * k[1] + b) * k[2] + c]!;
            }
      }
  return out;
}

export async function writeTwoChannelScene(stackPath: string, psfPath: string): Promise<void> {
  const shape: [number, number, number] = [12, 48, 48];
  const [nz, ny, nx] = shape;
  const k: [number, number, number] = [5, 11, 11];
  const psf = gaussian(k, 1.6);
  const beads = new Float32Array(nz * ny * nx);
  const rnd = mulberry32(7);
  for (let i = 0; i < 14; i++)
    beads[
      ((2 + Math.floor(rnd() * (nz - 4))) * ny + 4 + Math.floor(rnd() * (ny - 8))) * nx +
        4 +
        Math.floor(rnd() * (nx - 8))
    ] = 1000;
  const bars = new Float32Array(nz * ny * nx);
  for (let z = 4; z < 8; z++)
    for (let i = 6; i < 42; i++) {
      bars[(z * ny + 16) * nx + i] = 80;
      bars[(z * ny + i) * nx + 30] = 80;
    }
  const w = await createVolumeWriter(stackPath, { shape, voxelSize: VOXEL, dtype: 'float32', channels: 2 });
  await w.writeSlicesAt(
    0,
    0,
    0,
    blur(beads, shape, psf, k).map((v) => v + 2),
  );
  await w.writeSlicesAt(
    1,
    0,
    0,
    blur(bars, shape, psf, k).map((v) => v + 2),
  );
  await w.close();
  const p = await createVolumeWriter(psfPath, { shape: k, voxelSize: VOXEL, dtype: 'float32' });
  await p.writeSlices(psf, k[0]);
  await p.close();
}
