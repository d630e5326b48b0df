// The true PSFs of the blind-PSF benches (bench/psf-blind-rl.ts): the optics a blind fit is given with each, and
// the voxel grid the synthetic objects are laid on. generatePsf's z is the stage position from the coverslip's
// focus, so a deep emitter's Gibson–Lanni PSF is computed on a tall box and the 31 planes around its peak kept.
import { readVolume } from '../src-main/core/io/index';
import { makeVolume, type Volume } from '../src-main/core/io/volume';
import { cropBox } from '../src-main/core/deconv/grid';
import { generatePsf } from '../src-main/core/psf/generate';
import { analysePsf, borderBackground } from '../src-main/core/psf/analysis';
import { BeadPsf } from '../src-main/core/psf/bead-model';
import type { BlindPupilOptics } from '../src-main/core/train/pupil-blind';
import { benchData } from './science-data';
import { MEASURED_PSFS, withVoxel } from './psf-measured';

export interface BlindTruth {
  name: string;
  psf: Volume;
  optics: BlindPupilOptics;
}

/** A PSF from a stack: background removed (default: the faces' median), clipped at 0, ≤ 31 voxels around its peak, sum 1. */
export function asPsf(v: Volume, background?: number): Volume {
  const bg = background ?? borderBackground(v);
  const peak = analysePsf(v).peak;
  const box = v.shape.map((n) => Math.min(31, n % 2 === 1 ? n : n - 1)) as [number, number, number];
  const at = box.map((b, a) => Math.min(Math.max(0, peak[a]! - Math.floor(b / 2)), v.shape[a]! - b)) as [
    number,
    number,
    number,
  ];
  const d = cropBox(v.data, v.shape, at, box).map((x) => Math.max(0, x - bg));
  const s = d.reduce((a, b) => a + b, 0);
  return makeVolume(
    d.map((x) => x / s),
    box,
    { ...v.voxelSize },
    'computed',
  );
}

function deepGl(o: BlindPupilOptics & { depth: number; dxy: number; dz: number }): Volume {
  const tall = generatePsf({ ...o, model: 'gibson-lanni', particleDepth: o.depth, size: [121, 31, 31] });
  const peak = analysePsf(tall).peak[0];
  const v = makeVolume(
    cropBox(tall.data, tall.shape, [peak - 15, 0, 0], [31, 31, 31]),
    [31, 31, 31],
    { ...tall.voxelSize },
    'computed',
  );
  return asPsf(v, 0);
}

export async function blindTruths(names: string[]): Promise<BlindTruth[]> {
  const out: BlindTruth[] = [];
  const want = (n: string) => names.includes(n) || names.includes('all');
  if (want('gl-oil')) {
    const optics = { na: 1.3, wavelength: 0.52, ni: 1.515, ns: 1.38 };
    out.push({
      name: 'GL NA 1.3 oil, 6 µm into ns 1.38',
      psf: deepGl({ ...optics, depth: 6, dxy: 0.1, dz: 0.25 }),
      optics,
    });
  }
  if (want('gl-air')) {
    const optics = { na: 0.9, wavelength: 0.6, ni: 1.0, ns: 1.33 };
    out.push({
      name: 'GL NA 0.9 air, λ 0.6, 5 µm into water',
      psf: deepGl({ ...optics, depth: 5, dxy: 0.15, dz: 0.35 }),
      optics,
    });
  }
  if (want('bw')) {
    const psf = benchData().test.psf;
    out.push({
      name: 'benchmark Born–Wolf NA 1.2 water',
      psf: asPsf(psf, 0),
      optics: { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.33 },
    });
  }
  if (want('astig')) {
    const optics = { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.33 };
    const theta = [0, 0, 0, 0, 0, 0.5, 0.3, 0.4, 0, 0, 0, 0, 0, 0]; // Z5 0.5, Z6 0.3, Z7 0.4 rad (BeadPsf θ)
    const d = new BeadPsf({ ...optics, dxy: 0.1, dz: 0.25, size: [31, 31, 31] }).forward(theta);
    const psf = makeVolume(Float32Array.from(d), [31, 31, 31], { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' }, 'synthetic');
    out.push({ name: 'pupil NA 1.2, astigmatism 0.5/0.3 + coma 0.4 rad', psf: asPsf(psf, 0), optics });
  }
  if (want('measured')) {
    const root = new URL('../test/fixtures/shared-data/', import.meta.url).pathname;
    for (const c of MEASURED_PSFS)
      out.push({
        name: `measured: ${c.name}`,
        psf: asPsf(withVoxel(await readVolume(root + c.file), c.voxel)),
        optics: c.optics,
      });
  }
  return out;
}
