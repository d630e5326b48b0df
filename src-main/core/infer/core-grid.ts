// Tile geometry for exact tiled inference of networks with instance normalisation: tiles whose origins
// and sizes are multiples of the network's size multiple (so pooling grids line up with the untiled pass),
// overlapping by at least two halos, each owning a non-overlapping "core" at least one halo away from
// every tile edge that is not a volume edge. Values in a core are then those of the untiled pass, and
// the cores partition the volume, so per-core statistics sum to whole-volume statistics.
import type { Shape3 } from '../io/volume';
import { InvalidParameterError } from '../errors';

export interface CoreBox {
  /** The tile, in volume voxels [z, y, x]. */
  start: Shape3;
  size: Shape3;
  /** The part of the volume this tile is responsible for (inside the tile). */
  coreStart: Shape3;
  coreSize: Shape3;
}

const roundUp = (v: number, m: number) => Math.ceil(v / m) * m;

/** `shape` rounded up to multiples of `multiple` (the size the network actually sees). */
export function paddedShape(shape: Shape3, multiple: number): Shape3 {
  return shape.map((n) => roundUp(n, multiple)) as Shape3;
}

/**
 * The tile actually used on an axis of length n (a multiple of `multiple`): the whole axis if the request
 * covers it; otherwise the request rounded down to the multiple, but at least 2·halo + multiple so the
 * core is non-empty (and the whole axis if even that does not fit).
 */
export function exactTile(shape: Shape3, tile: Shape3, halo: number, multiple: number): Shape3 {
  return shape.map((n, a) => {
    const t = tile[a]!;
    if (!Number.isInteger(t) || t < 1)
      throw new InvalidParameterError('tile', `${tile.join(',')}: each size must be a positive whole number`);
    if (t >= n) return n;
    const aligned = Math.max(Math.floor(t / multiple) * multiple, 2 * halo + multiple);
    return Math.min(aligned, n);
  }) as Shape3;
}

/** Tile starts on one axis: multiples of `multiple`, first 0, last flush with the end, neighbours sharing ≥ 2·halo. */
export function alignedStarts(n: number, tile: number, halo: number, multiple: number): number[] {
  if (tile >= n) return [0];
  const step = tile - 2 * halo;
  if (step < multiple || tile % multiple || n % multiple || halo % multiple) {
    throw new InvalidParameterError(
      'tile',
      `${tile} cannot tile ${n} voxels exactly with a halo of ${halo} and size multiple ${multiple}`,
    );
  }
  // Spread q units of `multiple` over k−1 steps of at most step/multiple units each.
  const q = (n - tile) / multiple;
  const steps = Math.ceil(q / (step / multiple));
  return Array.from({ length: steps + 1 }, (_, i) => Math.floor((i * q) / steps) * multiple);
}

/** Core boundaries between neighbours: the middle of each overlap, on the multiple, at least `halo` from either tile's inner edge. */
function axisCores(n: number, starts: number[], tile: number, halo: number, multiple: number): Array<[number, number]> {
  const cuts = [0];
  for (let i = 0; i + 1 < starts.length; i++) {
    const lo = starts[i + 1]! + halo;
    const hi = starts[i]! + tile - halo;
    const mid = Math.floor((lo + hi) / 2 / multiple) * multiple;
    cuts.push(Math.min(hi, Math.max(lo, mid)));
  }
  cuts.push(n);
  return starts.map((_, i) => [cuts[i]!, cuts[i + 1]! - cuts[i]!]);
}

/** All tiles of `shape` (multiples of `multiple`), z-major, with their cores; `tile` must come from exactTile. */
export function coreGrid(shape: Shape3, tile: Shape3, halo: number, multiple: number): CoreBox[] {
  const starts = shape.map((n, a) => alignedStarts(n, tile[a]!, halo, multiple));
  const cores = shape.map((n, a) => axisCores(n, starts[a]!, tile[a]!, halo, multiple));
  const boxes: CoreBox[] = [];
  starts[0]!.forEach((z, iz) =>
    starts[1]!.forEach((y, iy) =>
      starts[2]!.forEach((x, ix) => {
        const c = [cores[0]![iz]!, cores[1]![iy]!, cores[2]![ix]!];
        boxes.push({
          start: [z, y, x],
          size: [...tile] as Shape3,
          coreStart: c.map((v) => v[0]) as Shape3,
          coreSize: c.map((v) => v[1]) as Shape3,
        });
      }),
    ),
  );
  return boxes;
}

/** Per-channel count, mean and sum of squared deviations (M2), merged exactly (Chan et al.) in float64. */
export interface ChannelMoments {
  count: number;
  mean: Float64Array;
  m2: Float64Array;
}

export function mergeMoments(a: ChannelMoments | undefined, b: ChannelMoments): ChannelMoments {
  if (!a || a.count === 0) return b;
  if (a.mean.length !== b.mean.length)
    throw new InvalidParameterError('moments', `channel counts differ (${a.mean.length} vs ${b.mean.length})`);
  const count = a.count + b.count;
  const mean = new Float64Array(a.mean.length);
  const m2 = new Float64Array(a.mean.length);
  for (let c = 0; c < mean.length; c++) {
    const delta = b.mean[c]! - a.mean[c]!;
    mean[c] = a.mean[c]! + (delta * b.count) / count;
    m2[c] = a.m2[c]! + b.m2[c]! + (delta * delta * a.count * b.count) / count;
  }
  return { count, mean, m2 };
}

/** Per-channel statistics a normalisation layer applies: mean and biased variance. */
export interface ChannelStats {
  mean: Float32Array;
  variance: Float32Array;
}

export function momentsToStats(m: ChannelMoments): ChannelStats {
  return { mean: Float32Array.from(m.mean), variance: Float32Array.from(m.m2, (v) => Math.max(0, v / m.count)) };
}
