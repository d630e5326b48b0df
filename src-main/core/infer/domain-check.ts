// What a run was trained on (domain.json, written by train/domain.ts) and the check of a volume against
// it before the model is applied. A network learns the blur and the intensity statistics of its training stacks
// (voxel size sets the blur in voxels); applied far outside them its output is extrapolation, so the user is
// told. A 2D input to a 3D model is refused: the network would see mirror-padded copies of one plane.
// Read without tfjs, like output-check-file.ts.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { InvalidVolumeError } from '../errors';
import type { Shape3, VoxelSize } from '../io/volume';
import { DOMAIN_FILE, intensityStats, type IntensityStats, type TrainingDomain } from '../run/domain';
import { VOXEL_SIZE_TOLERANCE, voxelSizeRatios } from '../../contract/domain';

export { DOMAIN_FILE, intensityStats, type IntensityStats, type TrainingDomain } from '../run/domain';
// One rule for the CLI, the jobs and the app's deconvolve panel (contract/domain.ts).
export { VOXEL_SIZE_TOLERANCE } from '../../contract/domain';
/** Normalised-intensity statistics differing from training by more than this factor are warned about. */
export const INTENSITY_FACTOR = 3;
/** Floor added to both sides of an intensity ratio (network scale), so near-zero backgrounds compare sanely. */
const INTENSITY_FLOOR = 0.02;

/** The input was refused: outside what the model can be applied to at all. */
export class ModelDomainError extends InvalidVolumeError {}

/** The run's training domain; null for a run written before domain.json existed (or an unreadable file). */
export async function readTrainingDomain(runDir: string): Promise<TrainingDomain | null> {
  try {
    const d = JSON.parse(await fs.readFile(join(runDir, DOMAIN_FILE), 'utf8')) as TrainingDomain;
    const ok =
      d &&
      d.version === 1 &&
      (d.dimensionality === 2 || d.dimensionality === 3) &&
      typeof d.voxelSize?.x === 'number' &&
      typeof d.intensity?.normalised?.p50 === 'number';
    return ok ? d : null;
  } catch {
    return null;
  }
}

/** The note for runs without a domain record: the check is skipped, never a failure. */
export function noDomainNote(runDir: string): string {
  return `${runDir} has no training-domain record (${DOMAIN_FILE}; the run predates it): voxel size, intensity and dimensionality were not checked against the training data.`;
}

/** Refuses a single-plane input to a 3D model; warns about a voxel size far from training. Before any work. */
export function checkGeometry(domain: TrainingDomain, shape: Shape3, voxelSize: VoxelSize, what: string): string[] {
  if (domain.dimensionality === 3 && shape[0] < 2) {
    throw new ModelDomainError(
      `${what} is 2D (${shape.join('×')}, one slice) but the model was trained on 3D stacks`,
      'Deconvolve a z-stack, or use Richardson–Lucy (--method rl) with a PSF for single planes.',
    );
  }
  const t = domain.voxelSize;
  const r = voxelSizeRatios(voxelSize, t);
  if (!r)
    return [
      `${what}: voxel size ${fmt(voxelSize)} cannot be compared with the training data's ${fmt(t)}; check the calibration (or pass --voxel-size).`,
    ];
  const off = (['x', 'y', 'z'] as const).filter(
    (k) => !(r[k] <= 1 + VOXEL_SIZE_TOLERANCE && r[k] >= 1 / (1 + VOXEL_SIZE_TOLERANCE)),
  );
  if (!off.length) return [];
  const ratios = off.map((k) => `${k} ${r[k].toPrecision(3)}×`).join(', ');
  return [
    `${what}: voxel size ${fmt(voxelSize)} differs from the model's training data (${fmt(t)}) by more than ${100 * VOXEL_SIZE_TOLERANCE} % (${ratios}): the blur in voxels differs from what the model learned, so its result is extrapolation. Resample the stack, or train on data at this voxel size.`,
  ];
}

function fmt(v: VoxelSize): string {
  return `${v.x}×${v.y}×${v.z} ${v.unit}`;
}

/** Warns when the normalised intensity distribution is far from training (e.g. a much denser or sparser sample). */
export function checkIntensity(domain: TrainingDomain, stats: IntensityStats, what: string): string[] {
  const t = domain.intensity.normalised;
  const far = (['p50', 'mean', 'p99'] as const).filter((k) => {
    const r = (stats[k] + INTENSITY_FLOOR) / (t[k] + INTENSITY_FLOOR);
    return !(r <= INTENSITY_FACTOR && r >= 1 / INTENSITY_FACTOR);
  });
  if (!far.length) return [];
  const detail = far.map((k) => `${k} ${stats[k].toPrecision(3)} vs ${t[k].toPrecision(3)}`).join(', ');
  return [
    `${what}: its intensity distribution after normalisation is far from the training data's (${detail}, more than ${INTENSITY_FACTOR}× apart): the model may not apply to these data.`,
  ];
}

/** Up to `slices` evenly spaced planes, normalised (and clipped) as the network will see them: cheap on any stack. */
export async function sampleIntensityStats(
  nz: number,
  readSlices: (z0: number, z1: number) => Promise<Float32Array>,
  normalise: (d: Float32Array) => Float32Array,
  slices = 8,
): Promise<IntensityStats> {
  const zs = [
    ...new Set(
      Array.from({ length: Math.min(slices, nz) }, (_, i) => Math.floor(((i + 0.5) * nz) / Math.min(slices, nz))),
    ),
  ];
  const parts = await Promise.all(zs.map(async (z) => normalise(await readSlices(z, z + 1))));
  const all = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return intensityStats(all);
}

/** For a volume already in memory (the report): every domain warning, the 2D refusal included as a warning. */
export function volumeDomainWarnings(
  domain: TrainingDomain,
  volume: { data: Float32Array; shape: Shape3; voxelSize: VoxelSize },
  normalise: (d: Float32Array) => Float32Array,
  what: string,
): string[] {
  let geometry: string[];
  try {
    geometry = checkGeometry(domain, volume.shape, volume.voxelSize, what);
  } catch (e) {
    if (!(e instanceof ModelDomainError)) throw e;
    geometry = [e.message];
  }
  return [...geometry, ...checkIntensity(domain, intensityStats(normalise(volume.data)), what)];
}
