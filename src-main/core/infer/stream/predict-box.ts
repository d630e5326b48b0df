// One output box computed from its input box and a halo. The network (exact tiling, exact.ts): whole-volume
// statistics of every normalisation layer are measured first, over the tile cores of the padded stack read
// tile by tile; a box is then predicted on a tile of the box plus the network's halo, aligned to the
// network's size multiple, with every statistic fixed, so it equals the untiled pass up to float rounding.
// Other predictors (Richardson–Lucy): the box plus a halo sized from the PSF, predicted alone; the seam
// error this leaves is measured in docs/large-stacks.md.
import type { Shape3 } from '../../io/volume';
import type { ChannelStats } from '../core-grid';
import { momentsToStats } from '../core-grid';
import { ExactRunner } from '../exact';
import type { StagedNet } from '../staged';
import { copyBlock, type PredictFn } from '../tiled';
import { paddedBoxSource, withHalo, type BoxSource } from './box-source';

export type StatsRecord = Record<string, { mean: number[]; variance: number[] }>;

export function statsToRecord(known: ReadonlyMap<string, ChannelStats>): StatsRecord {
  return Object.fromEntries(
    [...known].map(([k, s]) => [k, { mean: Array.from(s.mean), variance: Array.from(s.variance) }]),
  );
}

export interface NetBoxes {
  runner: ExactRunner;
  /** The statistics, to be saved for a resumed run. */
  stats: StatsRecord;
  predict(start: Shape3, size: Shape3): Promise<Float32Array>;
}

/**
 * The network ready to predict boxes of `src` (normalised input, original shape): statistics from `stored`
 * when a resumed run saved them, else measured tile by tile with tiles of `tile` (one pass per layer).
 */
export async function networkBoxes(
  src: BoxSource,
  net: StagedNet,
  tile: Shape3,
  stored: StatsRecord | undefined,
  o: { signal?: AbortSignal; onProgress?(done: number, total: number): void },
): Promise<NetBoxes> {
  const m = net.multiple;
  const padded = src.shape.map((n) => Math.ceil(n / m) * m) as Shape3;
  const padSrc = paddedBoxSource(src, padded);
  const runner = new ExactRunner(padSrc, net, {
    tile: tile.map((t, a) => (t >= src.shape[a]! ? padded[a]! : t)) as Shape3,
    signal: o.signal,
    onProgress: o.onProgress,
  });
  if (stored && net.layers.every((l) => stored[l])) {
    for (const l of net.layers)
      runner.known.set(l, {
        mean: Float32Array.from(stored[l]!.mean),
        variance: Float32Array.from(stored[l]!.variance),
      });
  } else {
    const passes = net.layers.length;
    for (const layer of net.layers) {
      runner.known.set(layer, momentsToStats(await runner.statsPass(layer, passes)));
      runner.passIndex++;
    }
  }
  const h = runner.halo;
  return {
    runner,
    stats: statsToRecord(runner.known),
    predict: async (start, size) => {
      const t = withHalo(start, size, [h, h, h], padded, m);
      const pred = await runner.predictTile(await padSrc.readBox(t.start, t.size), t.size);
      return copyBlock(pred, t.size, t.inner, size);
    },
  };
}

/** A predictor run on the box plus `halo` (clipped to the stack), keeping the box. */
export function haloBoxes(
  src: BoxSource,
  predict: PredictFn,
  halo: Shape3,
): (start: Shape3, size: Shape3) => Promise<Float32Array> {
  return async (start, size) => {
    const t = withHalo(start, size, halo, src.shape);
    return copyBlock(await predict(await src.readBox(t.start, t.size), t.size), t.size, t.inner, size);
  };
}
