// The measured PSFs of test/fixtures/shared-data with the optics their provenance READMEs give (bead benches).
import type { Volume } from '../src-main/core/io/volume';
import type { BeadOptics } from '../src-main/core/psf/pupil-fit';

export interface MeasuredPsf {
  name: string;
  file: string;
  optics: BeadOptics;
  voxel: { x: number; z: number };
  lightSheet?: boolean;
  why: string;
}
export const MEASURED_PSFS: MeasuredPsf[] = [
  {
    name: 'pyotf bead (NA 0.85 air)',
    file: 'pyotf_bead_psf/psf_wl520nm_z300nm_x130nm_na0.85_n1.0.tif',
    optics: { na: 0.85, wavelength: 0.52, ni: 1.0, ns: 1.0 },
    voxel: { x: 0.13, z: 0.3 },
    why: 'file name and pyOTF README',
  },
  {
    name: 'pycudadecon PSF (LLS)',
    file: 'pycudadecon_psf/psf.tif',
    optics: { na: 1.1, wavelength: 0.52, ni: 1.33, ns: 1.33 },
    voxel: { x: 0.101, z: 0.1 },
    lightSheet: true,
    why: 'IMAQ bounding box; 1.1 NA water detection of a lattice light sheet',
  },
];

export function withVoxel(v: Volume, voxel: { x: number; z: number }): Volume {
  return { ...v, voxelSize: { x: voxel.x, y: voxel.x, z: voxel.z, unit: 'µm' } };
}
