// The real sample stacks (committed copies in test/fixtures/shared-data; provenance in each folder's README.md) read
// with the shapes, types and calibrations those READMEs document.
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { sampleData } from '../../helpers';
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
  ['pyotf_bead_psf/psf_wl520nm_z300nm_x130nm_na0.85_n1.0.tif', [25, 256, 256], 'uint16', null],
];

describe('real sample data', () => {
  for (const [file, shape, dtype, voxel] of cases)
    it(file, async () => {
      const vol = await readVolume(sampleData(file), { require3d: true });
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
    const truth = await readVolume(sampleData('flowdec_bars25/actual.tif'));
    expect(new Set(truth.data)).toEqual(new Set([0, 16383.75, 32767.5, 49151.25, 65535]));
    const bead = await readVolume(sampleData('flowdec_bead25/kernel.tif'));
    expect(bead.data[(32 * 64 + 32) * 64 + 32]).toBe(bead.data.reduce((a, b) => Math.max(a, b), -Infinity));
    const psf = await readVolume(sampleData('pycudadecon_psf/psf.tif'));
    expect(psf.data[(30 * 128 + 71) * 128 + 64]).toBe(7792);
  });
});

// Git blob ids of the upstream files (each folder's README names repository and commit): the committed copies
// must stay byte-identical, since the licences and the provenance notes describe the originals.
const upstreamBlobs: [string, string][] = [
  ['flowdec_bars25/data.tif', '50d9cd5004cfbc99065f7baa23e6b1330761c754'],
  ['flowdec_bars25/actual.tif', 'f795f8a4a5214757bd97dc2410031d041fe0564f'],
  ['flowdec_bars25/kernel.tif', 'b8db07c5f052fa9233d4e7eae57a2ffc7758e96f'],
  ['flowdec_bead25/kernel.tif', '5deff4045272ac7738e018d335783ec731d4c5ff'],
  ['flowdec_bead25/data.tif', 'dfc0b1ceb076de98af8a79034045e81536cec9ba'],
  ['sdeconv_pollen/pollen.tif', '19713a885baa26f8f0044beea59193f6cbc466fb'],
  ['pyotf_bead_psf/psf_wl520nm_z300nm_x130nm_na0.85_n1.0.tif', '80930a876ea22298779c442404ba6f14d17035ac'],
  ['flowdec_psfgen/psfgen1.tif', 'fb42eea6c241771ca6ed8834a00396733d44e6bc'],
  ['pycudadecon_psf/psf.tif', '66f03a2fabd6bef26333280190cd0422b0c72d3a'],
  ['sdeconv_pollen/gibsonlanni.tif', 'bee871f9655d6683e8e03b0a8a217608a5725d03'],
];

describe('committed sample data (test/fixtures/shared-data)', () => {
  it('holds unchanged copies of the upstream files, each beside its licence', () => {
    for (const [file, blob] of upstreamBlobs) {
      const bytes = readFileSync(sampleData(file));
      const id = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
      expect(id, file).toBe(blob);
      expect(existsSync(sampleData(file.split('/')[0]!, 'LICENSE')), file).toBe(true);
    }
  });
});
