// The team's real sample stacks (../shared/data, provenance in each folder's README.md) read with the
// shapes, types and calibrations those READMEs document.
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { sharedData } from '../../helpers';
import { readVolume } from '../../../src-main/core/io/index';

const cases: [string, number[], string, { x: number; y: number; z: number; unit: string } | null][] = [
  ['flowdec_bars25/data.tif', [32, 64, 64], 'float32', null],
  ['flowdec_bars25/actual.tif', [32, 64, 64], 'float32', null],
  ['flowdec_bars25/kernel.tif', [32, 64, 64], 'float32', null],
  ['flowdec_bead25/data.tif', [64, 64, 64], 'float32', null],
  ['flowdec_bead25/kernel.tif', [64, 64, 64], 'float32', null],
  // README: ImageJ unit=nm, spacing=250, XResolution 0.01 px/nm → 0.1 µm × 0.1 µm × 0.25 µm.
  ['flowdec_psfgen/psfgen1.tif', [8, 16, 16], 'float32', { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' }],
  ['pycudadecon_psf/psf.tif', [61, 128, 128], 'uint16', null],
  ['sdeconv_pollen/pollen.tif', [32, 256, 256], 'uint16', null],
  ['sdeconv_pollen/gibsonlanni.tif', [18, 128, 128], 'float64', null],
];

describe.skipIf(!existsSync(sharedData()))('shared real data', () => {
  it.each(cases)('%s', async (file, shape, dtype, voxel) => {
    const vol = await readVolume(sharedData(file), { require3d: true });
    expect(vol.shape).toEqual(shape);
    expect(vol.metadata.sourceDtype).toBe(dtype);
    if (voxel) {
      expect(vol.voxelSize.unit).toBe('µm');
      for (const a of ['x', 'y', 'z'] as const) expect(vol.voxelSize[a]).toBeCloseTo(voxel[a], 12);
      expect(vol.metadata.voxelSizeAssumed).toBeUndefined();
    } else {
      expect(vol.voxelSize).toEqual({ x: 1, y: 1, z: 1, unit: 'px' });
      expect(vol.metadata.voxelSizeAssumed).toBe(true);
    }
  });

  it('documented values: bars truth levels, bead peak, pycudadecon peak', async () => {
    const truth = await readVolume(sharedData('flowdec_bars25/actual.tif'));
    expect(new Set(truth.data)).toEqual(new Set([0, 16383.75, 32767.5, 49151.25, 65535]));
    const bead = await readVolume(sharedData('flowdec_bead25/kernel.tif'));
    expect(bead.data[(32 * 64 + 32) * 64 + 32]).toBe(bead.data.reduce((a, b) => Math.max(a, b), -Infinity));
    const psf = await readVolume(sharedData('pycudadecon_psf/psf.tif'));
    expect(psf.data[(30 * 128 + 71) * 128 + 64]).toBe(7792);
  });
});
