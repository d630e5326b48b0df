import { describe, expect, it } from 'vitest';
import { sampleData } from '../../helpers';
import { analysePsf, centredNcc, gaussianFwhm } from '../../../src-main/core/psf/analysis';
import { generatePsf } from '../../../src-main/core/psf/generate';
import { makeVolume } from '../../../src-main/core/io/volume';
import { readVolume } from '../../../src-main/core/io/index';

function gaussian(
  shape: [number, number, number],
  sigma: [number, number, number],
  centre: [number, number, number],
  bg = 0,
): Float32Array {
  const out = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++)
      for (let x = 0; x < shape[2]; x++) {
        const e =
          ((z - centre[0]) / sigma[0]) ** 2 + ((y - centre[1]) / sigma[1]) ** 2 + ((x - centre[2]) / sigma[2]) ** 2;
        out[(z * shape[1] + y) * shape[2] + x] = 100 * Math.exp(-e / 2) + bg;
      }
  return out;
}
const K = 2 * Math.sqrt(2 * Math.LN2);

describe('PSF analysis', { timeout: 60_000 }, () => {
  it('recovers FWHM, centroid and offset of a synthetic anisotropic Gaussian with background', () => {
    const vol = makeVolume(gaussian([21, 31, 31], [3, 1.5, 2], [11, 15, 14], 5), [21, 31, 31], {
      x: 0.1,
      y: 0.1,
      z: 0.3,
      unit: 'µm',
    });
    const info = analysePsf(vol, { background: 'auto' });
    expect(info.background).toBeGreaterThan(4.99);
    expect(info.fwhm.z).toBeCloseTo(3 * K * 0.3, 2);
    expect(info.fwhm.y).toBeCloseTo(1.5 * K * 0.1, 3);
    expect(info.fwhm.x).toBeCloseTo(2 * K * 0.1, 3);
    expect(info.centroid[0]).toBeCloseTo(11, 1);
    expect(info.offset.z).toBeCloseTo(0.3, 1);
    expect(info.offset.x).toBeCloseTo(-0.1, 2);
    expect(Math.abs(info.asymmetry.x)).toBeLessThan(1e-3);
    expect(info.negativity).toBeLessThan(0.01);
  });
  it('gaussianFwhm is exact on sampled Gaussians and rejects flat profiles', () => {
    const prof = Array.from({ length: 15 }, (_, i) => Math.exp(-((i - 7.3) ** 2) / (2 * 1.2 ** 2)));
    expect(gaussianFwhm(prof, 7)).toBeCloseTo(1.2 * K, 6);
    expect(gaussianFwhm([1, 1, 1, 1], 1)).toBeNaN();
  });
  it('measures the shared lattice light-sheet bead PSF (pycudadecon_psf) after background subtraction', async () => {
    const vol = await readVolume(sampleData('pycudadecon_psf', 'psf.tif'));
    vol.voxelSize = { x: 0.101, y: 0.101, z: 0.1, unit: 'µm' }; // from its README (BoundingBox)
    const info = analysePsf(vol, { background: 'auto' });
    // the faces' median is ≈ 142 counts (the README's 59 is the darkest region, not the face median)
    expect(info.background).toBeGreaterThan(100);
    expect(info.background).toBeLessThan(200);
    expect(info.peak).toEqual([30, 71, 64]);
    // a sub-micron lateral and ~1–2 µm axial core for an LLS bead
    expect(info.fwhm.x).toBeGreaterThan(0.2);
    expect(info.fwhm.x).toBeLessThan(0.6);
    expect(info.fwhm.z).toBeGreaterThan(info.fwhm.x);
    expect(info.fwhm.z).toBeLessThan(3);
  });
  it('NCC is 1 for a shifted copy and lower for a wider PSF', () => {
    const a = gaussian([15, 21, 21], [2, 1.5, 1.5], [7, 10, 10]),
      b = gaussian([17, 25, 25], [2, 1.5, 1.5], [6, 13, 11]);
    const c = gaussian([15, 21, 21], [4, 3, 3], [7, 10, 10]);
    expect(centredNcc(a, [15, 21, 21], b, [17, 25, 25])).toBeCloseTo(1, 6);
    expect(centredNcc(a, [15, 21, 21], c, [15, 21, 21])).toBeLessThan(0.9);
  });
});

// Both reference files sample the PSF between voxels (even sizes, centre at (n−1)/2, twin peaks).
// Generate on a grid twice as fine (odd size 2n+1) and keep the odd fine indices: the same positions.
function halfOffsetGrid(params: Parameters<typeof generatePsf>[0], shape: [number, number, number]): Float32Array {
  const fine = generatePsf({
    ...params,
    dxy: params.dxy / 2,
    dz: params.dz / 2,
    size: [2 * shape[0] + 1, 2 * shape[1] + 1, 2 * shape[2] + 1],
  });
  const [, fy, fx] = fine.shape,
    out = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++)
      for (let x = 0; x < shape[2]; x++) {
        out[(z * shape[1] + y) * shape[2] + x] = fine.data[((2 * z + 1) * fy + 2 * y + 1) * fx + 2 * x + 1]!;
      }
  return out;
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ma = 0,
    mb = 0;
  for (let i = 0; i < a.length; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= a.length;
  mb /= b.length;
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('Gibson–Lanni agrees with published generators', { timeout: 60_000 }, () => {
  const params = {
    model: 'gibson-lanni' as const,
    na: 1.4,
    wavelength: 0.61,
    ni: 1.5,
    ns: 1.33,
    ng: 1.5,
    tg: 170,
    ti0: 150,
    particleDepth: 0,
    dxy: 0.1,
    dz: 0.25,
    size: [1, 1, 1] as [number, number, number],
  };
  it('sdeconv gibsonlanni.tif (NA 1.4, 610 nm, ns 1.33, ni 1.5, 0.1/0.25 µm; see its README), central 18×64×64', async () => {
    const theirs = await readVolume(sampleData('sdeconv_pollen', 'gibsonlanni.tif'));
    const crop = new Float32Array(18 * 64 * 64);
    for (let z = 0; z < 18; z++)
      for (let y = 0; y < 64; y++)
        for (let x = 0; x < 64; x++) crop[(z * 64 + y) * 64 + x] = theirs.data[(z * 128 + y + 32) * 128 + x + 32]!;
    const ncc = pearson(halfOffsetGrid(params, [18, 64, 64]), crop);
    console.log(`correlation vs sdeconv gibsonlanni.tif: ${ncc.toFixed(5)}`);
    expect(ncc).toBeGreaterThan(0.99);
  });
  it('flowdec psfgen1.tif (EPFL PSF Generator, same optics; see its README), 8×16×16', async () => {
    const theirs = await readVolume(sampleData('flowdec_psfgen', 'psfgen1.tif'));
    const ncc = pearson(halfOffsetGrid(params, [8, 16, 16]), theirs.data);
    console.log(`correlation vs PSF Generator psfgen1.tif: ${ncc.toFixed(5)}`);
    expect(ncc).toBeGreaterThan(0.99);
  });
});
