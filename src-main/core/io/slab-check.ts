// The one check every volume writer (ImageJ/OME-TIFF, OME-Zarr) makes before writing a z-slab of one channel and
// frame: the writer is open, and the slab fits the declared hyperstack.
import { InvalidParameterError, InvalidVolumeError } from '../errors';
import type { Shape3 } from './volume';

export interface SlabTarget {
  path: string;
  done: boolean;
  shape: Shape3;
  channels?: number;
  frames?: number;
}

/** The number of slices in `length` values; throws before anything is written when the slab does not fit. */
export function checkSlab(w: SlabTarget, c: number, t: number, z0: number, length: number): number {
  if (w.done) throw new InvalidParameterError('writer', `${w.path} is already closed`);
  const [nz, ny, nx] = w.shape;
  const nc = w.channels ?? 1,
    nt = w.frames ?? 1;
  const n = length / (ny * nx);
  if (
    !Number.isInteger(n) ||
    n <= 0 ||
    z0 < 0 ||
    z0 + n > nz ||
    c < 0 ||
    c >= nc ||
    t < 0 ||
    t >= nt ||
    !Number.isInteger(c + t + z0)
  ) {
    throw new InvalidVolumeError(
      `writing ${w.path}: ${length} values at channel ${c}, frame ${t}, slice ${z0} do not fit ${nc} × ${nt} volumes of ${nx}×${ny}×${nz}`,
    );
  }
  return n;
}
