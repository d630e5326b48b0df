// What the app says about a voxel size: where it came from, and a question before an implausible one is kept.
import { voxelSizeWarnings, type VoxelSize, type VoxelSizeSource } from '../../src-main/contract';

const SOURCE_WORDS: Record<VoxelSizeSource, string> = {
  file: 'from the file',
  project: 'set in this project',
  cli: 'given on the command line',
  psf: 'taken from the PSF',
  none: 'uncalibrated: pixels',
};

export function describeSource(source: VoxelSizeSource | string | undefined): string {
  return source && source in SOURCE_WORDS ? SOURCE_WORDS[source as VoxelSizeSource] : '';
}

/**
 * True when `v` may be saved: plausible for a light microscope, or the user said yes to the warning naming the
 * likely unit slip (a 1000× slip makes every PSF width and FWHM wrong without any error).
 */
export function confirmVoxelSize(
  v: VoxelSize,
  where: string,
  ask: (message: string) => boolean = (m) => window.confirm(m),
): boolean {
  const warnings = voxelSizeWarnings(v, where);
  return !warnings.length || ask(`${warnings.join('\n')}\n\nUse this voxel size anyway?`);
}
