// The metadata documents of the OME-Zarr we write (NGFF 0.4 on Zarr v2): the group's `.zattrs` with
// `multiscales` (axes tczyx with units, one scale per level) and `omero` channels, and each level's `.zarray`.
// Spec: https://ngff.openmicroscopy.org/0.4/ ("multiscales", "omero"); Zarr v2 storage specification.
import type { VoxelSize } from '../volume';
import type { WriteDtype } from '../imagej-layout';
import { unitToMicrons } from '../metadata';
import type { Level } from './pyramid';

export interface ImageDescription {
  name: string;
  channels: number;
  frames: number;
  voxelSize: VoxelSize;
  dtype: WriteDtype;
  levels: Level[];
  intensityScale?: string;
  extra?: Record<string, string>;
}

/**
 * Level 1: on microscope noise it is 3× faster than level 5 for 7 % more bytes (8 MiB uint16 chunk of a
 * synthetic stack: 0.5 s → 2.98 MB vs 1.5 s → 2.78 MB on the 2-core test box).
 */
export const GZIP_LEVEL = 1;

/** The voxel size in µm, or 1 px when uncalibrated (NGFF then gets no unit on the spatial axes). */
function micrometres(v: VoxelSize): { x: number; y: number; z: number; unit?: 'micrometer' } {
  const s = unitToMicrons(v.unit);
  return s === undefined ? { x: v.x, y: v.y, z: v.z } : { x: v.x * s, y: v.y * s, z: v.z * s, unit: 'micrometer' };
}

function channelLabels(n: number, extra: Record<string, string> | undefined): string[] {
  try {
    const names = JSON.parse(extra?.['ome.channels'] ?? 'null') as unknown;
    if (Array.isArray(names) && names.length === n && names.every((s) => typeof s === 'string'))
      return names as string[];
  } catch {
    /* not ours: default labels */
  }
  return Array.from({ length: n }, (_, c) => `channel ${c}`);
}

/** The group's .zattrs: multiscales (one dataset per level, scale in µm per axis) and omero. */
export function groupAttributes(d: ImageDescription, window: { min: number; max: number }): Record<string, unknown> {
  const um = micrometres(d.voxelSize);
  const space = (name: string) => ({ name, type: 'space', ...(um.unit ? { unit: um.unit } : {}) });
  const labels = channelLabels(d.channels, d.extra);
  return {
    multiscales: [
      {
        version: '0.4',
        name: d.name,
        type: 'mean',
        axes: [{ name: 't', type: 'time' }, { name: 'c', type: 'channel' }, space('z'), space('y'), space('x')],
        datasets: d.levels.map((l, i) => ({
          path: String(i),
          coordinateTransformations: [
            { type: 'scale', scale: [1, 1, um.z * l.factor[0], um.y * l.factor[1], um.x * l.factor[2]] },
          ],
        })),
        metadata: { method: 'mean of 2×2 pixels in y, x (z kept)', software: 'cycledecon' },
      },
    ],
    omero: {
      name: d.name,
      version: '0.4',
      rdefs: { model: labels.length > 1 ? 'color' : 'greyscale', defaultT: 0, defaultZ: 0 },
      channels: labels.map((label, c) => ({
        label,
        active: true,
        coefficient: 1,
        family: 'linear',
        inverted: false,
        color: d.channels === 1 ? 'FFFFFF' : ['00FF00', 'FF00FF', '00FFFF', 'FF0000', '0000FF', 'FFFF00'][c % 6],
        window: { min: window.min, max: window.max, start: window.min, end: window.max },
      })),
    },
    cycledecon: { ...(d.extra ?? {}), ...(d.intensityScale ? { intensityScale: d.intensityScale } : {}) },
  };
}

/** A level's .zarray (tczyx, C order, gzip, '/' separated chunk keys as NGFF 0.4 asks). */
export function arrayMetadata(d: ImageDescription, level: Level): Record<string, unknown> {
  return {
    zarr_format: 2,
    shape: [d.frames, d.channels, ...level.shape],
    chunks: [1, 1, ...level.chunks],
    dtype: d.dtype === 'uint16' ? '<u2' : '<f4',
    compressor: { id: 'gzip', level: GZIP_LEVEL },
    fill_value: 0,
    order: 'C',
    filters: null,
    dimension_separator: '/',
  };
}
