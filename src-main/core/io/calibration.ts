// Voxel sizes given by the user (`--voxel-size 0.1,0.1,0.25um`) and the optical plausibility check every
// calibration passes through, wherever it came from.
import type { VoxelSize } from './volume';
import { unitToMicrons } from './metadata';
import { InvalidParameterError } from '../errors';

import { implausibleMicrons } from '../../contract/calibration';

/** Where a volume's voxel size came from (the contract's list: file, project override, command line, PSF, none). */
export type { VoxelSizeSource } from '../../contract/calibration';
export { PLAUSIBLE_UM } from '../../contract/calibration';

/** Warnings for a calibrated voxel size outside what optics allow; none for an uncalibrated (px) one. */
export function calibrationWarnings(v: VoxelSize, where: string): string[] {
  if (unitToMicrons(v.unit) !== 1) return [];
  return implausibleMicrons(v, where);
}

/** Parses `X,Y,Z[unit]` (unit nm, µm/um, mm; default µm), e.g. `0.1,0.1,0.25um` or `100,100,250nm`. */
export function parseVoxelSize(raw: string, flagName = '--voxel-size'): VoxelSize {
  const m = /^\s*([^,]+),([^,]+),([0-9.eE+-]+)\s*([A-Za-zµμ]*)\s*$/.exec(raw);
  const bad = (why: string) =>
    new InvalidParameterError(
      flagName,
      `"${raw}" ${why}`,
      'Give X,Y,Z with an optional unit, e.g. 0.1,0.1,0.25um or 100,100,250nm.',
    );
  if (!m) throw bad('is not X,Y,Z[unit]');
  const unit = m[4] || 'µm';
  const scale = unitToMicrons(unit);
  if (scale === undefined) throw bad(`has unknown unit "${unit}" (use nm, um/µm or mm)`);
  // The three groups always match; an empty one would read as 0 and be refused below.
  const micrometres = (s: string | undefined) => Number((s ?? '').trim()) * scale;
  const x = micrometres(m[1]),
    y = micrometres(m[2]),
    z = micrometres(m[3]);
  if (![x, y, z].every((v) => Number.isFinite(v) && v > 0)) throw bad('must be three positive numbers');
  return { x, y, z, unit: 'µm' };
}
