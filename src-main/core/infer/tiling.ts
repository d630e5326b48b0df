// Tile geometry for inference on volumes larger than memory: where tiles go, how much they overlap,
// the smooth blending window, and the automatic tile size from a memory budget.
// This windowed blend serves predictors that are local operators (Richardson–Lucy). The network G_AB uses
// instance normalisation, whose statistics span the whole volume, so it is tiled by exact.ts instead
// (aligned tiles with cores, whole-volume statistics; core-grid.ts); chooseTile/shrinkTile serve both.
//
// Blending: along each axis a tile's weight is 0 for the first third of an overlap it shares with a
// neighbour, then rises as a raised cosine to 1, and the result is Σ wᵢ·predᵢ / Σ wᵢ. The zero band
// discards the tile-edge voxels a CNN gets wrong; for a predictor whose receptive-field radius is at
// most floor(overlap/3) the tiled result equals the untiled one exactly (up to float rounding).
import type { Shape3 } from '../io/volume';
import { InvalidParameterError } from '../errors';

export interface TileBox {
  /** First voxel of the tile, [z, y, x]. */
  start: Shape3;
  size: Shape3;
  /** Overlap with the previous / next tile along each axis (0 at the volume border). */
  overlapBefore: Shape3;
  overlapAfter: Shape3;
}

/** Tile starts along one axis of length n: evenly spread, first at 0, last flush with the end, neighbours overlapping ≥ overlap. */
export function axisStarts(n: number, tile: number, overlap: number): number[] {
  if (tile >= n) return [0];
  if (overlap >= tile) throw new InvalidParameterError('overlap', `${overlap} must be smaller than the tile (${tile})`);
  const count = Math.ceil((n - overlap) / (tile - overlap));
  const k = Math.max(2, count);
  return Array.from({ length: k }, (_, i) => Math.round((i * (n - tile)) / (k - 1)));
}

/** Overlap clamped to half the tile: more would multiply the tile count for no gain in the blend. */
export function effectiveOverlap(tile: number, overlap: number): number {
  return Math.max(0, Math.min(overlap, Math.floor(tile / 2)));
}

export function validateTile(tile: Shape3, overlap: Shape3): void {
  tile.forEach((t, a) => {
    if (!Number.isInteger(t) || t < 1)
      throw new InvalidParameterError('tile', `${tile.join(',')}: each size must be a positive whole number`);
    const o = overlap[a]!;
    if (!Number.isInteger(o) || o < 0)
      throw new InvalidParameterError('overlap', `${o} must be a non-negative whole number`);
  });
}

/** All tiles covering `shape`, z-major order (all tiles of one z-row come together, which streaming relies on). */
export function tileGrid(shape: Shape3, tile: Shape3, overlap: Shape3 | number): TileBox[] {
  const ov: Shape3 = typeof overlap === 'number' ? [overlap, overlap, overlap] : overlap;
  validateTile(tile, ov);
  const sizes = shape.map((n, a) => Math.min(n, tile[a]!)) as Shape3;
  const starts = shape.map((n, a) => axisStarts(n, sizes[a]!, effectiveOverlap(sizes[a]!, ov[a]!))) as [
    number[],
    number[],
    number[],
  ];
  const before = (a: number, i: number) => (i === 0 ? 0 : starts[a]![i - 1]! + sizes[a]! - starts[a]![i]!);
  const after = (a: number, i: number) =>
    i === starts[a]!.length - 1 ? 0 : starts[a]![i]! + sizes[a]! - starts[a]![i + 1]!;
  const boxes: TileBox[] = [];
  starts[0].forEach((z, iz) =>
    starts[1].forEach((y, iy) =>
      starts[2].forEach((x, ix) => {
        boxes.push({
          start: [z, y, x],
          size: [...sizes] as Shape3,
          overlapBefore: [before(0, iz), before(1, iy), before(2, ix)],
          overlapAfter: [after(0, iz), after(1, iy), after(2, ix)],
        });
      }),
    ),
  );
  return boxes;
}

/** Weight ramp at distance j (0 = the tile's edge) into an overlap of length o. */
export function ramp(j: number, o: number): number {
  if (o <= 0) return 1;
  const m = Math.floor(o / 3);
  if (j < m) return 0;
  if (j >= o - m) return 1;
  const t = (j - m + 0.5) / (o - 2 * m);
  return 0.5 - 0.5 * Math.cos(Math.PI * t);
}

/** 1D blending window of a tile of `size` with the given overlaps before/after. */
export function axisWindow(size: number, before: number, after: number): Float32Array {
  const w = new Float32Array(size);
  for (let i = 0; i < size; i++) w[i] = ramp(i, before) * ramp(size - 1 - i, after);
  return w;
}

export interface AutoTileOptions {
  /** Bytes the predictor may use for one tile. */
  budgetBytes: number;
  /** Peak bytes the predictor needs per tile voxel (activations, gradients-free). */
  bytesPerVoxel: number;
  /** Tile sizes are rounded to multiples of this (U-Net pooling: 2^(levels-1)). */
  multiple?: number;
  overlap?: number;
  /** Never go below this edge length (default 16 or the multiple). */
  minSize?: number;
}

/**
 * The largest tile, no bigger than the volume, that fits the budget: start with the whole volume and
 * halve the longest edge until it fits. A whole-volume tile is preferred because it needs no blending
 * (and, for the network, a single pass instead of one per normalisation layer plus one).
 */
export function chooseTile(shape: Shape3, opts: AutoTileOptions): Shape3 {
  if (!(opts.budgetBytes > 0) || !(opts.bytesPerVoxel > 0)) {
    throw new InvalidParameterError('tile', 'memory budget and bytes per voxel must be positive');
  }
  const mult = Math.max(1, opts.multiple ?? 1);
  const minSize = Math.max(mult, opts.minSize ?? 16, 2 * (opts.overlap ?? 0) + mult);
  const roundUp = (v: number) => Math.ceil(v / mult) * mult;
  const tile = [...shape] as Shape3;
  const fits = () => tile[0] * tile[1] * tile[2] * opts.bytesPerVoxel <= opts.budgetBytes;
  while (!fits()) {
    const shrinkable = [0, 1, 2].filter((a) => tile[a]! > minSize);
    if (shrinkable.length === 0) break;
    const a = shrinkable.reduce((best, i) => (tile[i]! > tile[best]! ? i : best), shrinkable[0]!);
    tile[a] = Math.max(minSize, roundUp(tile[a]! / 2));
    tile[a] = Math.min(tile[a], shape[a]!);
  }
  return tile;
}

/** Half the longest edge (at least minSize): the next size to try after an out-of-memory error; undefined when none is smaller. */
export function shrinkTile(tile: Shape3, minSize = 8, multiple = 1): Shape3 | undefined {
  const a = [0, 1, 2].reduce((best, i) => (tile[i]! > tile[best]! ? i : best), 0);
  const next = Math.max(minSize, Math.ceil(tile[a]! / 2 / multiple) * multiple);
  if (next >= tile[a]!) return undefined;
  const out = [...tile] as Shape3;
  out[a] = next;
  return out;
}

/** Parses "auto" or "Z,Y,X" (or one number for a cube). */
export function parseTile(text: string): Shape3 | 'auto' {
  if (text === 'auto') return 'auto';
  const parts = text.split(',').map((s) => Number(s.trim()));
  const dims = parts.length === 1 ? [parts[0], parts[0], parts[0]] : parts;
  if (dims.length !== 3 || dims.some((d) => !Number.isInteger(d) || d! < 1)) {
    throw new InvalidParameterError(
      '--tile',
      `"${text}" is not "auto" or three whole numbers Z,Y,X`,
      'Example: --tile 32,128,128',
    );
  }
  return dims as Shape3;
}
