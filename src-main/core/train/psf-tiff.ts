// Writes the learned PSF as an ImageJ TIFF (psf.tif, float32) with the training stacks' voxel size,
// through the shared I/O module. Loaded lazily so the training loop does not pull in the TIFF code.
import { join } from 'node:path';
import { makeVolume, writeVolume, type VoxelSize } from '../io';

export async function writeLearnedPsfTiff(
  runDir: string,
  psf: { data: Float32Array; shape: [number, number, number] },
  voxelSize: VoxelSize,
): Promise<void> {
  const vol = makeVolume(psf.data, psf.shape, voxelSize, 'computed');
  vol.metadata.intensityScale = 'learned PSF (G_BA kernel), sum as trained';
  await writeVolume(join(runDir, 'psf.tif'), vol, { dtype: 'float32', force: true });
}
