// Voxel sizes given by the user (`--voxel-size 0.1,0.1,0.25um`) and the optical plausibility check every
// calibration passes through, wherever it came from.
import type { VoxelSize } from './volume';
import { unitToMicrons } from './metadata';
import { InvalidParameterError } from '../errors';

/** Where a volume's voxel size came from: its file, the command line, its PSF, or nowhere (1 px assumed). */
export type VoxelSizeSource = 'file' | 'cli' | 'psf' | 'none';

/**
 * What light microscopes resolve and sample: lateral pixels from ~10 nm (STED/expansion, heavily
 * oversampled) to ~5 µm (low-magnification widefield); z steps from ~20 nm to ~50 µm. A value outside is
 * almost always a unit slip (nm written as µm), which would make every PSF width wrong by 1000×.
 */
export const PLAUSIBLE_UM = { lateral: [0.01, 5], axial: [0.02, 50] } as const;

const fmt = (v: number) => String(Number(v.toPrecision(4)));

function slip(axis: string, v: number, range: readonly [number, number]): string | undefined {
  if (v > range[1]) return `${fmt(v)} µm ${axis}: did you mean ${fmt(v)} nm (${fmt(v / 1000)} µm)?`;
  if (v < range[0]) return `${fmt(v)} µm ${axis}: did you mean ${fmt(v * 1000)} µm (the value given in mm, or nm written as µm)?`;
  return undefined;
}

/** Warnings for a calibrated voxel size outside what optics allow; none for an uncalibrated (px) one. */
export function calibrationWarnings(v: VoxelSize, where: string): string[] {
  if (unitToMicrons(v.unit) !== 1) return [];
  const out: string[] = [];
  const lateral = slip('pixels', Math.max(v.x, v.y), PLAUSIBLE_UM.lateral) ?? slip('pixels', Math.min(v.x, v.y), PLAUSIBLE_UM.lateral);
  if (lateral) out.push(`${where}: voxel size ${fmt(v.x)} × ${fmt(v.y)} × ${fmt(v.z)} µm is implausible for a light microscope — ${lateral}`);
  const axial = slip('z steps', v.z, PLAUSIBLE_UM.axial);
  if (axial) out.push(`${where}: voxel size ${fmt(v.x)} × ${fmt(v.y)} × ${fmt(v.z)} µm is implausible for a light microscope — ${axial}`);
  return out;
}

/** Parses `X,Y,Z[unit]` (unit nm, µm/um, mm; default µm), e.g. `0.1,0.1,0.25um` or `100,100,250nm`. */
export function parseVoxelSize(raw: string, flagName = '--voxel-size'): VoxelSize {
  const m = /^\s*([^,]+),([^,]+),([0-9.eE+-]+)\s*([A-Za-zµμ]*)\s*$/.exec(raw);
  const bad = (why: string) => new InvalidParameterError(flagName, `"${raw}" ${why}`, 'Give X,Y,Z with an optional unit, e.g. 0.1,0.1,0.25um or 100,100,250nm.');
  if (!m) throw bad('is not X,Y,Z[unit]');
  const unit = m[4] || 'µm';
  const scale = unitToMicrons(unit);
  if (scale === undefined) throw bad(`has unknown unit "${unit}" (use nm, um/µm or mm)`);
  const [x, y, z] = [m[1], m[2], m[3]].map((s) => Number(s.trim()) * scale);
  if (![x, y, z].every((v) => Number.isFinite(v) && v > 0)) throw bad('must be three positive numbers');
  return { x: x!, y: y!, z: z!, unit: 'µm' };
}
