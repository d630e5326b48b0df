// A network run on tiles with whole-volume normalisation statistics. Instance normalisation computes
// statistics over its whole input, so a tile normalised by its own statistics differs from the same
// region of the untiled pass. This wraps a network whose normalisation layers have ids (the U-Net) so
// that, layer by layer, the statistics can first be measured over tile cores and then imposed on tiles.
import * as tf from '@tensorflow/tfjs';
import type { Shape3 } from '../io/volume';
import { InvalidVolumeError } from '../errors';
import { withNormStats, type NormStatsHook } from '../nn/ops';
import { boxMomentsCpu, cpuNormAvailable } from '../nn/ops/norm-cpu';
import type { Module } from '../nn/models';
import type { ChannelMoments, ChannelStats } from './core-grid';

/** What one forward pass over a tile produced. */
export type StagedResult = { layer: string; moments: ChannelMoments } | { output: Float32Array };

export interface StagedNet {
  /** Tile origins and sizes must be multiples of this (U-Net pooling). */
  multiple: number;
  /** Input voxels near a tile edge whose values the edge can change (a multiple of `multiple`). */
  halo: number;
  /** Ids of the normalisation layers, in the order a forward pass meets them. */
  layers: string[];
  /**
   * One forward pass over a tile. With `known` undefined, every layer uses the tile's own statistics (the
   * plain untiled pass when the tile is the whole volume). Otherwise layers in `known` use those statistics
   * and the pass stops at the first layer not in it, returning the moments of that layer's input over
   * `core` (tile-local voxels, multiples of `multiple`); with every layer known it returns the output.
   */
  run(
    tile: Float32Array,
    shape: Shape3,
    core: { start: Shape3; size: Shape3 },
    known?: ReadonlyMap<string, ChannelStats>,
  ): Promise<StagedResult>;
}

/** Thrown by the statistics hook to end a forward pass once the wanted layer has been seen. */
class StopForward extends Error {
  constructor(
    readonly layer: string,
    readonly count: number,
    readonly mean: tf.Tensor,
    readonly variance: tf.Tensor,
  ) {
    super(`forward pass stopped at ${layer}`);
  }
}

/** The normalisation layers a forward pass meets, found by running the network once on a tiny input. */
export function normLayers(net: Module, multiple: number): string[] {
  const ids: string[] = [];
  tf.tidy(() =>
    withNormStats(
      (id) => {
        ids.push(id);
        return undefined;
      },
      () => net.apply(tf.zeros([1, multiple, multiple, multiple, 1]) as tf.Tensor5D),
    ),
  );
  return ids;
}

function coreMomentsHook(
  tileShape: Shape3,
  core: { start: Shape3; size: Shape3 },
  known: ReadonlyMap<string, ChannelStats>,
): NormStatsHook {
  return (id, x) => {
    const stats = known.get(id);
    if (stats) return { mean: tf.tensor1d(stats.mean), variance: tf.tensor1d(stats.variance) };
    // x is the layer's input at this level of the network: the tile down-sampled by f on each axis.
    const f = tileShape[0] / x.shape[1];
    const ok = [0, 1, 2].every(
      (a) => tileShape[a]! === x.shape[a + 1]! * f && core.start[a]! % f === 0 && core.size[a]! % f === 0,
    );
    if (!ok)
      throw new InvalidVolumeError(
        `tile ${tileShape.join('×')} with core at ${core.start.join(',')} does not align with layer ${id} (${x.shape.slice(1, 4).join('×')})`,
      );
    const size = core.size.map((n) => n / f);
    const start = core.start.map((n) => n / f);
    if (cpuNormAvailable()) {
      // Typed arrays on CPU backends: tf.moments over a rank-5 slice runs through transposes there.
      const m = boxMomentsCpu(x, start, size);
      throw new StopForward(
        id,
        size[0]! * size[1]! * size[2]!,
        tf.keep(tf.tensor1d(Float32Array.from(m.mean))),
        tf.keep(tf.tensor1d(Float32Array.from(m.variance))),
      );
    }
    const c = tf.slice(x, [0, ...start, 0], [1, ...size, -1]);
    const { mean, variance } = tf.moments(c, [0, 1, 2, 3]);
    throw new StopForward(id, size[0]! * size[1]! * size[2]!, tf.keep(mean), tf.keep(variance));
  };
}

/** Wraps a network (NDHWC, one input and one output channel) for exact tiled inference. */
export function stagedNet(net: Module, multiple: number, halo: number): StagedNet {
  const layers = normLayers(net, multiple);
  return {
    multiple,
    halo,
    layers,
    async run(tile, shape, core, known) {
      const x = () => tf.tensor5d(tile, [1, shape[0], shape[1], shape[2], 1]);
      let y: tf.Tensor;
      try {
        y = known
          ? tf.tidy(() => withNormStats(coreMomentsHook(shape, core, known), () => net.apply(x())))
          : tf.tidy(() => net.apply(x()));
      } catch (e) {
        if (!(e instanceof StopForward)) throw e;
        try {
          const mean = Float64Array.from(await e.mean.data());
          const m2 = Float64Array.from(await e.variance.data(), (v) => v * e.count);
          return { layer: e.layer, moments: { count: e.count, mean, m2 } };
        } finally {
          e.mean.dispose();
          e.variance.dispose();
        }
      }
      try {
        return { output: (await y.data()) as Float32Array };
      } finally {
        y.dispose();
      }
    },
  };
}
