// Runs a predictor over a volume tile by tile, blending overlaps with smooth windows. Input is read
// and output written one z-row of tiles at a time, so peak memory is a few slabs, not the volume.
// The in-memory path is the same code with an array-backed source and sink.
// Tiles are predicted independently, so this equals the untiled pass only for local predictors (see
// tiling.ts); networks with instance normalisation go through exact.ts, which reuses these sources/sinks.
import type { Shape3 } from '../io/volume';
import { CancelledError, InvalidVolumeError, NumericError, OutOfMemoryError } from '../errors';
import { axisWindow, shrinkTile, tileGrid, type TileBox } from './tiling';

export type PredictFn = (tile: Float32Array, shape: Shape3) => Float32Array | Promise<Float32Array>;

import type { SliceSource } from '../io/slice-source';

export type { SliceSource };

/** Receives finished output slices in order, from z = 0 up. */
export interface SliceSink {
  writeSlices(data: Float32Array): Promise<void>;
}

export interface TiledOptions {
  tile: Shape3;
  overlap: number | Shape3;
  /** Smallest edge an out-of-memory retry may shrink a tile to (default 8). */
  minTile?: number;
  /** Tile edges after shrinking stay multiples of this (U-Net pooling). */
  multiple?: number;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
  /** Told when an out-of-memory error made us continue with smaller tiles. */
  onShrink?(tile: Shape3, cause: unknown): void;
}

export interface TiledResult {
  tiles: number;
  /** Tile size in use at the end (smaller than requested after an out-of-memory retry). */
  tile: Shape3;
  oomRetries: number;
}

/** True for our OutOfMemoryError and for the allocation failures tfjs, WebGPU and V8 throw. */
export function isOutOfMemory(e: unknown): boolean {
  if (e instanceof OutOfMemoryError) return true;
  const msg = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  return (
    /out of memory|failed to allocate|allocation failed|array buffer allocation|invalid typed array length|could not allocate|exceeds? .*memory/i.test(
      msg,
    ) || /\bOOM\b/.test(msg)
  );
}

interface RunState {
  tile: Shape3;
  oomRetries: number;
}

/** The block at `start` of `size` out of z-major `src` of `srcShape`. */
export function copyBlock(src: Float32Array, srcShape: Shape3, start: Shape3, size: Shape3): Float32Array {
  const [, sy, sx] = srcShape;
  const out = new Float32Array(size[0] * size[1] * size[2]);
  for (let z = 0; z < size[0]; z++) {
    for (let y = 0; y < size[1]; y++) {
      const s = ((start[0] + z) * sy + start[1] + y) * sx + start[2];
      out.set(src.subarray(s, s + size[2]), (z * size[1] + y) * size[2]);
    }
  }
  return out;
}

async function predictChecked(predict: PredictFn, tile: Float32Array, shape: Shape3): Promise<Float32Array> {
  const out = await predict(tile, shape);
  if (out.length !== tile.length)
    throw new InvalidVolumeError(`predictor returned ${out.length} values for a ${shape.join('×')} tile`);
  return out;
}

/** Predicts one tile; on out-of-memory (now or earlier) splits it into smaller overlapping tiles. */
async function predictTile(
  predict: PredictFn,
  data: Float32Array,
  shape: Shape3,
  state: RunState,
  opts: TiledOptions,
): Promise<Float32Array> {
  const fits = shape.every((n, a) => n <= state.tile[a]!);
  if (fits) {
    try {
      return await predictChecked(predict, data, shape);
    } catch (e) {
      if (!isOutOfMemory(e)) throw e;
      // Never shrink below twice the overlap: the blend's zero bands would then eat the tile.
      const ov = typeof opts.overlap === 'number' ? opts.overlap : Math.max(...opts.overlap);
      const smaller = shrinkTile(
        shape.map((n, a) => Math.min(n, state.tile[a]!)) as Shape3,
        Math.max(opts.minTile ?? 8, 2 * ov),
        opts.multiple ?? 1,
      );
      if (!smaller)
        throw new OutOfMemoryError(
          `out of memory even with ${shape.join('×')} tiles`,
          'Use a smaller --tile, another --backend, or free memory.',
        );
      state.tile = smaller;
      state.oomRetries++;
      opts.onShrink?.(smaller, e);
    }
  }
  const out = new Float32Array(data.length);
  await runTiled(
    arraySource(data, shape),
    arraySink(out),
    predict,
    { ...opts, tile: state.tile, onProgress: undefined },
    state,
  );
  return out;
}

interface Accumulator {
  num: Float32Array;
  den: Float32Array;
}

function accumulate(acc: Map<number, Accumulator>, box: TileBox, pred: Float32Array, plane: number, nx: number): void {
  const [tz, ty, tx] = box.size;
  const wz = axisWindow(tz, box.overlapBefore[0], box.overlapAfter[0]);
  const wy = axisWindow(ty, box.overlapBefore[1], box.overlapAfter[1]);
  const wx = axisWindow(tx, box.overlapBefore[2], box.overlapAfter[2]);
  for (let z = 0; z < tz; z++) {
    if (wz[z] === 0) continue;
    const gz = box.start[0] + z;
    let a = acc.get(gz);
    if (!a) acc.set(gz, (a = { num: new Float32Array(plane), den: new Float32Array(plane) }));
    for (let y = 0; y < ty; y++) {
      const wzy = wz[z]! * wy[y]!;
      if (wzy === 0) continue;
      const row = (box.start[1] + y) * nx + box.start[2];
      const p = (z * ty + y) * tx;
      for (let x = 0; x < tx; x++) {
        const w = wzy * wx[x]!;
        a.num[row + x]! += w * pred[p + x]!;
        a.den[row + x]! += w;
      }
    }
  }
}

/** Blends the tile predictions of `source` into `sink`, reading and writing one z-row of tiles at a time. */
export async function runTiled(
  source: SliceSource,
  sink: SliceSink,
  predict: PredictFn,
  opts: TiledOptions,
  state?: RunState,
): Promise<TiledResult> {
  const shape = source.shape;
  const [nz, ny, nx] = shape;
  const plane = ny * nx;
  const st: RunState = state ?? { tile: [...opts.tile] as Shape3, oomRetries: 0 };
  const boxes = tileGrid(shape, opts.tile, opts.overlap);
  const rows = [...new Set(boxes.map((b) => b.start[0]))];
  const acc = new Map<number, Accumulator>();
  let written = 0,
    done = 0;
  for (let r = 0; r < rows.length; r++) {
    const z0 = rows[r]!;
    const rowBoxes = boxes.filter((b) => b.start[0] === z0);
    const tz = rowBoxes[0]!.size[0];
    const slab = await source.readSlices(z0, z0 + tz);
    const slabShape: Shape3 = [tz, ny, nx];
    for (const box of rowBoxes) {
      if (opts.signal?.aborted) throw new CancelledError('deconvolution');
      const tileData = copyBlock(slab, slabShape, [0, box.start[1], box.start[2]], box.size);
      const pred = await predictTile(predict, tileData, box.size, st, opts);
      accumulate(acc, box, pred, plane, nx);
      opts.onProgress?.(++done, boxes.length);
    }
    const finalUpTo = r + 1 < rows.length ? rows[r + 1]! : nz;
    for (; written < finalUpTo; written++) await sink.writeSlices(finishSlice(acc, written, plane));
  }
  return { tiles: boxes.length, tile: st.tile, oomRetries: st.oomRetries };
}

function finishSlice(acc: Map<number, Accumulator>, z: number, plane: number): Float32Array {
  const a = acc.get(z);
  if (!a) throw new NumericError(`slice ${z} received no tile weight (tiling bug)`);
  acc.delete(z);
  const out = a.num;
  for (let i = 0; i < plane; i++) {
    if (!(a.den[i]! > 0)) throw new NumericError(`voxel ${i} of slice ${z} received no tile weight (tiling bug)`);
    out[i] = a.num[i]! / a.den[i]!;
  }
  return out;
}

export function arraySource(data: Float32Array, shape: Shape3): SliceSource {
  const plane = shape[1] * shape[2];
  return { shape, readSlices: async (z0, z1) => data.subarray(z0 * plane, z1 * plane) };
}

export function arraySink(out: Float32Array): SliceSink {
  let off = 0;
  return {
    writeSlices: async (slices) => {
      out.set(slices, off);
      off += slices.length;
    },
  };
}

/** In-memory convenience: the whole volume in, the whole blended prediction out. */
export async function predictTiled(
  data: Float32Array,
  shape: Shape3,
  predict: PredictFn,
  opts: TiledOptions,
): Promise<Float32Array> {
  if (data.length !== shape[0] * shape[1] * shape[2])
    throw new InvalidVolumeError(`data length ${data.length} does not match ${shape.join('×')}`);
  const out = new Float32Array(data.length);
  await runTiled(arraySource(data, shape), arraySink(out), predict, opts);
  return out;
}
