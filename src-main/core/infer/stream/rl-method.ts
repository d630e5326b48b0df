// `cycledecon rl` out of core: Richardson–Lucy in input units (no normalisation) on each box plus a halo of
// the PSF's radii, with the PSF of the box's channel and, for an 'auto' background, the whole stack's.
import { makeVolume, type Shape3, type Volume, type VoxelSize } from '../../io/volume';
import { richardsonLucy, type RlOptions } from '../../deconv/rl';
import type { StreamMethod } from './deconvolve-stream';
import { psfHalo } from './from-predictor';

export function rlStreamMethod(
  psfs: Volume[],
  voxelSize: VoxelSize,
  rl: RlOptions,
  haloRadii: number,
  details: Record<string, string>,
): StreamMethod {
  const halo = psfs
    .map((p) => psfHalo(p.shape, haloRadii))
    .reduce((a, b) => a.map((v, i) => Math.max(v, b[i]!)) as Shape3);
  return {
    method: 'rl',
    details: {
      ...details,
      boundary: rl.boundary ?? 'extend',
      background: String(rl.background ?? 'auto'),
      acceleration: rl.acceleration ?? 'none',
      ...(rl.tv ? { tv: String(rl.tv) } : {}),
    },
    halo,
    stackStats: true,
    predict: (c, stack) => async (tile, shape) => {
      const background = stack && (rl.background ?? 'auto') === 'auto' ? stack.background : rl.background;
      const init =
        stack && rl.init === undefined
          ? Math.max(stack.mean - (typeof background === 'number' ? background : 0), 1e-6)
          : rl.init;
      return (await richardsonLucy(makeVolume(tile, shape, voxelSize), psfs[c]!, { ...rl, background, init })).data;
    },
  };
}
