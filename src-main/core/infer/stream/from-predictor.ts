// The stream method of a loaded predictor (deconvolve's network or `--method rl`): the network goes through
// exact tiling; any other predictor runs on each box plus a halo.
import type { Shape3 } from '../../io/volume';
import { withPadding, type Predictor } from '../predictor';
import type { StreamMethod } from './deconvolve-stream';

/**
 * Halo of Richardson–Lucy boxes in PSF radii (half the PSF's extent on each axis). The seam error against
 * whole-stack RL for 1, 2, 3, 4 radii is tabled in docs/large-stacks.md; 2 keeps it below 1 % of the range.
 */
export const RL_HALO_PSF_RADII = 2;

/** Halo per axis for a PSF of `psfShape`: `radii` times its half-extent, rounded up. */
export function psfHalo(psfShape: Shape3, radii = RL_HALO_PSF_RADII): Shape3 {
  return psfShape.map((n) => Math.ceil(radii * Math.ceil(n / 2))) as Shape3;
}

/** `halo` for a predictor without a network: given, or its suggested overlap (three PSF radii for rl). */
export function streamMethod(p: Predictor, o: { halo?: Shape3; statsTile?: Shape3 } = {}): StreamMethod {
  const common = { method: p.method, details: p.details, normalisation: p.normalisation };
  if (p.staged) return { ...common, staged: p.staged, statsTile: o.statsTile, domain: p.domain };
  const halo = o.halo ?? [p.overlap, p.overlap, p.overlap];
  const withStack = p.withStackStats?.bind(p);
  return {
    ...common,
    halo,
    stackStats: withStack !== undefined,
    predict: (_c, stack) => withPadding(stack && withStack ? withStack(stack) : p.predict, p.multiple),
  };
}
