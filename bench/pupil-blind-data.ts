// The data of the pupil layer's blind check (bench/psf-pupil-blind.ts, bench/psf-pupil-spectral-init.ts): the true
// PSF is Gibson–Lanni 6 µm deep into a mismatched sample (NA 1.3 oil, ni 1.515, ns 1.38: spherical aberration), the
// blurred stacks are random structures (core/synth) blurred by it at 2000 photons over a background of 10, Poisson
// noise; the sharp stacks are other random structures, never blurred. Seeded.
import { makeVolume, type Shape3, type Volume } from '../src-main/core/io/volume';
import { convolveArray } from '../src-main/core/deconv/convolve';
import { cropBox } from '../src-main/core/deconv/grid';
import { generatePsf } from '../src-main/core/psf/generate';
import { analysePsf } from '../src-main/core/psf/analysis';
import { createRng } from '../src-main/core/synth/index';
import { groundTruth } from '../src-main/core/synth/structures';

export const OPTICS = { na: 1.3, wavelength: 0.52, ni: 1.515, ns: 1.38 };
export const DEPTH = 6,
  DXY = 0.1,
  DZ = 0.25,
  PHOTONS = 2000,
  BACKGROUND = 10;
const SHAPE: Shape3 = [32, 64, 64];
const COUNTS = { filaments: 12, beads: 20, nuclei: 2 };

/** Gibson–Lanni at DEPTH µm: computed on a tall box (z is the stage position) and the 31 planes around its peak kept. */
export function truePsf(): Volume {
  const tall = generatePsf({
    ...OPTICS,
    model: 'gibson-lanni',
    particleDepth: DEPTH,
    dxy: DXY,
    dz: DZ,
    size: [101, 31, 31],
  });
  const peak = analysePsf(tall).peak[0];
  const d = cropBox(tall.data, tall.shape, [peak - 15, 0, 0], [31, 31, 31]);
  const s = d.reduce((a, b) => a + b, 0);
  return makeVolume(
    d.map((v) => v / s),
    [31, 31, 31],
    { ...tall.voxelSize },
    'computed',
  );
}

export function stacks(psf: Volume, seed: number): { blurred: Volume[]; sharp: Volume[] } {
  const voxel = { x: DXY, y: DXY, z: DZ, unit: 'µm' };
  const noise = createRng(seed + 0x51ed);
  const blurred = [0, 1].map((k) => {
    const gt = groundTruth(SHAPE, COUNTS, createRng(seed * 10 + k), DZ / DXY);
    const clean = convolveArray(gt, SHAPE, psf.data, psf.shape);
    let peak = 0;
    for (const v of gt) peak = Math.max(peak, v);
    return makeVolume(
      Float32Array.from(clean, (v) => noise.poisson((Math.max(0, v) / peak) * PHOTONS + BACKGROUND)),
      SHAPE,
      voxel,
      'synthetic',
    );
  });
  const sharp = [0, 1].map((k) =>
    makeVolume(groundTruth(SHAPE, COUNTS, createRng(seed * 10 + 5 + k), DZ / DXY), SHAPE, voxel, 'synthetic'),
  );
  return { blurred, sharp };
}
