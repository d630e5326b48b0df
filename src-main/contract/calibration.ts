// One resolved voxel size per volume, and the optical plausibility check every calibration passes through.
// Pure (no Node): the core's reader, the services and the renderer's voxel-size editor all use it.
import { z } from 'zod';

/** Where a volume's voxel size came from: its file, the project's override, the command line, its PSF, or nowhere (1 px). */
export const VoxelSizeSource = z.enum(['file', 'project', 'cli', 'psf', 'none']);
export type VoxelSizeSource = z.infer<typeof VoxelSizeSource>;

interface Calibration {
  x: number;
  y: number;
  z: number;
  unit: string;
}

/**
 * What light microscopes resolve and sample: lateral pixels from ~10 nm (STED/expansion, heavily
 * oversampled) to ~5 µm (low-magnification widefield); z steps from ~20 nm to ~50 µm. A value outside is
 * almost always a unit slip (nm written as µm), which would make every PSF width wrong by 1000×.
 */
export const PLAUSIBLE_UM = { lateral: [0.01, 5], axial: [0.02, 50] } as const;

const MICRONS_PER: Record<string, number> = {
  µm: 1,
  μm: 1,
  um: 1,
  micron: 1,
  microns: 1,
  micrometer: 1,
  micrometre: 1,
  nm: 1e-3,
  mm: 1e3,
};

const fmt = (v: number) => String(Number(v.toPrecision(4)));

function slip(axis: string, v: number, range: readonly [number, number]): string | undefined {
  if (v > range[1]) return `${fmt(v)} µm ${axis}: did you mean ${fmt(v)} nm (${fmt(v / 1000)} µm)?`;
  if (v < range[0])
    return `${fmt(v)} µm ${axis}: did you mean ${fmt(v * 1000)} µm (the value given in mm, or nm written as µm)?`;
  return undefined;
}

/** Warnings for a voxel size in µm outside what optics allow (each names the likely unit slip). */
export function implausibleMicrons(v: Omit<Calibration, 'unit'>, where: string): string[] {
  const out: string[] = [];
  const what = `${where}: voxel size ${fmt(v.x)} × ${fmt(v.y)} × ${fmt(v.z)} µm is implausible for a light microscope — `;
  const lateral =
    slip('pixels', Math.max(v.x, v.y), PLAUSIBLE_UM.lateral) ??
    slip('pixels', Math.min(v.x, v.y), PLAUSIBLE_UM.lateral);
  if (lateral) out.push(what + lateral);
  const axial = slip('z steps', v.z, PLAUSIBLE_UM.axial);
  if (axial) out.push(what + axial);
  return out;
}

/** The same check for a voxel size in any unit the app offers (µm, nm, mm); none for an uncalibrated (px) one. */
export function voxelSizeWarnings(v: Calibration, where: string): string[] {
  const scale = MICRONS_PER[v.unit.trim().toLowerCase()];
  if (scale === undefined) return [];
  return implausibleMicrons({ x: v.x * scale, y: v.y * scale, z: v.z * scale }, where);
}

/** The voxel size every job, view and report of a dataset uses: the project's override, else the file's own. */
export function datasetCalibration<V extends Calibration>(d: {
  voxelSize: V;
  voxelSizeOverride: V | null;
  voxelSizeSource?: VoxelSizeSource;
}): { voxelSize: V; source: VoxelSizeSource } {
  if (d.voxelSizeOverride) return { voxelSize: d.voxelSizeOverride, source: 'project' };
  return { voxelSize: d.voxelSize, source: d.voxelSizeSource ?? (d.voxelSize.unit === 'px' ? 'none' : 'file') };
}
