// The one in-memory volume type used everywhere in the core.
// Data are float32 in z-major order: index = (z * ny + y) * nx + x. Shape is [z, y, x].

export type Shape3 = [z: number, y: number, x: number];

/** Sample types we read from TIFF. Processing always happens in float32. */
export type SampleType = 'uint8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

export interface VoxelSize {
  x: number;
  y: number;
  z: number;
  /** Physical unit, normally 'µm'. 'px' when the file stores no calibration. */
  unit: string;
}

export interface VolumeMetadata {
  /** Where the volume came from: 'imagej', 'ome', 'tiff' (plain multi-page), 'bigtiff-…', 'synthetic', 'computed'. */
  sourceFormat: string;
  /** Sample type in the source file (processing is float32 regardless). */
  sourceDtype: SampleType;
  /** True when the voxel size was missing or absurd and 1 was used instead. */
  voxelSizeAssumed?: boolean;
  /** Where the voxel size came from (core/io/calibration.ts); absent for volumes made in memory. */
  voxelSizeSource?: 'file' | 'project' | 'cli' | 'psf' | 'none';
  /** Doubts raised while reading (reinterpreted axes, implausible calibration), for the user to see. */
  warnings?: string[];
  /** Channel / frame this volume was taken from, when the file had several. */
  channel?: number;
  frame?: number;
  channels?: number;
  frames?: number;
  /** Intensity scale of the data, e.g. 'raw counts', 'normalised [0,1] (p0.1–p99.9 of input)'. */
  intensityScale?: string;
  /** Free-form key/values preserved across read → process → write (ImageJ `key=value` pairs, OME fields). */
  extra: Record<string, string>;
}

export interface Volume {
  data: Float32Array;
  shape: Shape3;
  voxelSize: VoxelSize;
  metadata: VolumeMetadata;
}

export const DEFAULT_VOXEL_SIZE: VoxelSize = { x: 1, y: 1, z: 1, unit: 'px' };

export function voxelCount(shape: Shape3): number {
  return shape[0] * shape[1] * shape[2];
}

/** A new volume with the same geometry and metadata as `like`, holding `data`. */
export function volumeLike(like: Volume, data: Float32Array, extra: Partial<VolumeMetadata> = {}): Volume {
  if (data.length !== voxelCount(like.shape)) {
    throw new RangeError(`data length ${data.length} does not match shape ${like.shape.join('×')}`);
  }
  return {
    data,
    shape: [...like.shape] as Shape3,
    voxelSize: { ...like.voxelSize },
    metadata: { ...like.metadata, ...extra, extra: { ...like.metadata.extra, ...(extra.extra ?? {}) } },
  };
}

/** A volume made in memory (synthetic data, PSFs) rather than read from a file. */
export function makeVolume(
  data: Float32Array,
  shape: Shape3,
  voxelSize: VoxelSize = DEFAULT_VOXEL_SIZE,
  sourceFormat = 'computed',
): Volume {
  if (data.length !== voxelCount(shape)) {
    throw new RangeError(`data length ${data.length} does not match shape ${shape.join('×')}`);
  }
  return {
    data,
    shape: [...shape] as Shape3,
    voxelSize: { ...voxelSize },
    metadata: { sourceFormat, sourceDtype: 'float32', extra: {} },
  };
}
