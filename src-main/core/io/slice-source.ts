// A stack read lazily, z-slab by z-slab: what tiled inference and the streaming normaliser both consume.
import type { Shape3 } from './volume';

/** Lazily readable stack: slices [z0, z1) as one z-major Float32Array. */
export interface SliceSource {
  shape: Shape3;
  readSlices(z0: number, z1: number): Promise<Float32Array>;
}
