// The cases of `bench:science-suite` (#23): the learned method on data it was not tuned on. Each case is one kind
// of structure, optics, voxel size and photon budget; it trains on its own data (two blurred stacks and two
// unmatched sharp stacks of the same kind, as a user would) and is tested on a separate stack. Data seeds are those
// of bench/science-data.ts and are never tuned on the results.
import type { Shape3 } from '../src-main/core/io/volume';
import { DEFAULT_SYNTH, synthesize, type SynthParams } from '../src-main/core/synth/index';
import type { StructureCounts } from '../src-main/core/synth/structures';
import { SEEDS, TEST_SHAPE, TRAIN_SHAPE } from './science-data';

export interface SuiteCase {
  name: string;
  /** One line for the table: what differs from the mixture at the default optics. */
  what: string;
  counts: StructureCounts;
  photons: number;
  psf: SynthParams['psf'];
}

const WATER = DEFAULT_SYNTH.psf; // NA 1.2 water, 520 nm, 0.1 × 0.1 × 0.25 µm
const MIX = DEFAULT_SYNTH.counts;
const OIL = { ...WATER, na: 1.4, ni: 1.518, ns: 1.518 };

export const SUITE_CASES: readonly SuiteCase[] = [
  {
    name: 'filaments',
    what: 'tubulin-like filaments only, widefield NA 1.2 water',
    counts: { filaments: 30, beads: 0, nuclei: 0 },
    photons: 2000,
    psf: WATER,
  },
  {
    name: 'puncta',
    what: 'sub-resolution puncta only, widefield NA 1.2 water',
    counts: { filaments: 0, beads: 120, nuclei: 0 },
    photons: 2000,
    psf: WATER,
  },
  {
    name: 'nuclei',
    what: 'textured nuclei only, widefield NA 1.2 water',
    counts: { filaments: 0, beads: 0, nuclei: 8 },
    photons: 2000,
    psf: WATER,
  },
  {
    name: 'membranes',
    what: 'hollow membrane shells only, widefield NA 1.2 water',
    counts: { filaments: 0, beads: 0, nuclei: 0, shells: 6 },
    photons: 2000,
    psf: WATER,
  },
  {
    name: 'mixture',
    what: 'filaments + puncta + nuclei + shells, widefield NA 1.2 water',
    counts: { ...MIX, shells: 2 },
    photons: 2000,
    psf: WATER,
  },
  {
    name: 'oil-1.4',
    what: 'mixture, widefield NA 1.4 oil (n 1.518)',
    counts: { ...MIX, shells: 2 },
    photons: 2000,
    psf: OIL,
  },
  {
    name: 'air-0.8',
    what: 'mixture, widefield NA 0.8 air, 0.13 × 0.13 × 0.4 µm voxels',
    counts: { ...MIX, shells: 2 },
    photons: 2000,
    psf: { ...WATER, na: 0.8, ni: 1.0, ns: 1.0, dxy: 0.13, dz: 0.4 },
  },
  {
    name: 'confocal',
    what: 'mixture, confocal NA 1.4 oil (488 nm excitation)',
    counts: { ...MIX, shells: 2 },
    photons: 2000,
    psf: { ...OIL, confocal: true, excitationWavelength: 0.488 },
  },
  {
    name: 'fine-voxels',
    what: 'mixture, NA 1.4 oil, 0.065 × 0.065 × 0.15 µm voxels',
    counts: { ...MIX, shells: 2 },
    photons: 2000,
    psf: { ...OIL, dxy: 0.065, dz: 0.15 },
  },
  {
    name: 'coarse-voxels',
    what: 'mixture, NA 1.2 water, 0.16 × 0.16 × 0.4 µm voxels',
    counts: { ...MIX, shells: 2 },
    photons: 2000,
    psf: { ...WATER, dxy: 0.16, dz: 0.4 },
  },
  {
    name: 'mixture-200',
    what: 'mixture, NA 1.2 water, 200 photons (very low light)',
    counts: { ...MIX, shells: 2 },
    photons: 200,
    psf: WATER,
  },
  {
    name: 'filaments-200',
    what: 'filaments only, NA 1.2 water, 200 photons',
    counts: { filaments: 30, beads: 0, nuclei: 0 },
    photons: 200,
    psf: WATER,
  },
];

export function findCase(name: string): SuiteCase {
  const c = SUITE_CASES.find((k) => k.name === name);
  if (!c)
    throw new Error(`unknown case '${name}'; --list shows the cases: ${SUITE_CASES.map((k) => k.name).join(', ')}`);
  return c;
}

/** A case's data: the training stacks, the unmatched sharp stacks (other random structures of the same kind), the test stack. */
export function caseData(
  c: SuiteCase,
  shapes: { train: Shape3; test: Shape3 } = { train: TRAIN_SHAPE, test: TEST_SHAPE },
) {
  const synth = (seed: number, shape: Shape3) =>
    synthesize({ ...DEFAULT_SYNTH, photons: c.photons, counts: c.counts, psf: c.psf, seed, shape });
  return {
    trainSets: SEEDS.train.map((s) => synth(s, shapes.train)),
    sharpSets: SEEDS.sharp.map((s) => synth(s, shapes.train).sharp),
    test: synth(SEEDS.test, shapes.test),
  };
}
