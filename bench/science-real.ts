// The real-stack rows of the science suite (#23): the repository's public fixtures (test/fixtures/shared-data).
// Only bars has a ground truth; the others are measured by the re-blur residual with the provided PSF, the
// artefact measures against the input, and the learned PSF against the provided one. A user has no unmatched sharp
// stacks of their sample, so the sharp domain is the suite's synthetic mixture at the stack's voxel grid (isotropic:
// the fixtures carry no voxel size). Training and test are the same stack, as in blind use.
import { join, resolve } from 'node:path';
import { readVolume } from '../src-main/core/io/index';
import { makeVolume, type Volume } from '../src-main/core/io/volume';
import { DEFAULT_SYNTH, synthesize } from '../src-main/core/synth/index';
import { SEEDS, TRAIN_SHAPE } from './science-data';

export interface RealCase {
  name: string;
  what: string;
  input: string;
  psf: string;
  truth?: string;
}

const DIR = resolve(import.meta.dirname, '..', 'test', 'fixtures', 'shared-data');
export const REAL_CASES: readonly RealCase[] = [
  {
    name: 'real-pollen',
    what: 'sdeconv pollen 32×256×256 (widefield), Gibson–Lanni PSF provided',
    input: 'sdeconv_pollen/pollen.tif',
    psf: 'sdeconv_pollen/gibsonlanni.tif',
  },
  {
    name: 'real-bead',
    what: 'flowdec bead 64³, kernel provided',
    input: 'flowdec_bead25/data.tif',
    psf: 'flowdec_bead25/kernel.tif',
  },
  {
    name: 'real-bars',
    what: 'flowdec bars 32×64×64, kernel and ground truth provided',
    input: 'flowdec_bars25/data.tif',
    psf: 'flowdec_bars25/kernel.tif',
    truth: 'flowdec_bars25/actual.tif',
  },
];

const normalised = (v: Volume) => {
  const sum = v.data.reduce((s, x) => s + x, 0);
  return makeVolume(
    Float32Array.from(v.data, (x) => x / sum),
    v.shape,
    { ...v.voxelSize },
    'computed',
  );
};

export async function realCaseData(
  c: RealCase,
): Promise<{ input: Volume; psf: Volume; truth?: Volume; sharpSets: Volume[] }> {
  const input = await readVolume(join(DIR, c.input));
  const psf = normalised(await readVolume(join(DIR, c.psf)));
  const truth = c.truth ? await readVolume(join(DIR, c.truth)) : undefined;
  const shape = TRAIN_SHAPE.map((n, i) => Math.min(n, input.shape[i]!)) as typeof TRAIN_SHAPE;
  const sharpSets = SEEDS.sharp.map((seed) => {
    const s = synthesize({
      ...DEFAULT_SYNTH,
      photons: 2000,
      counts: { ...DEFAULT_SYNTH.counts, shells: 2 },
      seed,
      shape,
      psf: { ...DEFAULT_SYNTH.psf, dz: DEFAULT_SYNTH.psf.dxy, size: [7, 7, 7] },
    }).sharp;
    return makeVolume(s.data, s.shape, { ...input.voxelSize }, 'synthetic');
  });
  return { input, psf, ...(truth ? { truth } : {}), sharpSets };
}
