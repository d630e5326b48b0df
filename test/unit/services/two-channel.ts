// A small uncalibrated 2-channel × 2-frame stack for the service tests: channel c, frame t holds one bright
// bead whose brightness is 100·(c+1) + 10·t, so any channel/frame mix-up shows in the numbers.
import { createVolumeWriter } from '../../../src-main/core/io/writer';

export const SHAPE: [number, number, number] = [6, 16, 16];

export const beadPeak = (c: number, t: number) => 100 * (c + 1) + 10 * t;

export async function writeTwoChannelStack(
  path: string,
  opts: { frames?: number; voxelSize?: { x: number; y: number; z: number; unit: string } } = {},
): Promise<void> {
  const frames = opts.frames ?? 2;
  const [nz, ny, nx] = SHAPE;
  const w = await createVolumeWriter(path, {
    shape: SHAPE,
    voxelSize: opts.voxelSize ?? { x: 1, y: 1, z: 1, unit: 'px' },
    dtype: 'float32',
    channels: 2,
    frames,
  });
  for (let t = 0; t < frames; t++) {
    for (let c = 0; c < 2; c++) {
      const v = new Float32Array(nz * ny * nx).fill(1);
      v[3 * ny * nx + 8 * nx + 8] = beadPeak(c, t);
      await w.writeSlicesAt(c, t, 0, v);
    }
  }
  await w.close();
}
