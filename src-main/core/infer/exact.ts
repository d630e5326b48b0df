// Exact tiled inference for networks with instance normalisation (the U-Net G_AB). The untiled pass
// normalises each layer with statistics over the whole volume; a tile alone would use its own. So:
//   for each normalisation layer k, in forward order: run every tile up to layer k (earlier layers with
//   their already-fixed whole-volume statistics), accumulate the moments of layer k's input over the
//   tile's core, and merge them into whole-volume mean and variance for layer k;
//   then one last pass with every layer fixed, keeping each tile's core.
// Cores are at least one halo (the network's reach from a tile edge) away from inner tile edges, tile
// grids line up with the network's pooling, and cores partition the volume, so every core voxel, every
// statistic and the result equal the untiled pass up to float rounding. Cost: K + 1 passes over the tiles
// for K normalisation layers (pass k stops at layer k, so the statistics passes together cost about K/2
// full passes), plus tiles overlapping by two halos. A volume that fits in one tile takes one plain pass.
// Input is read one z-row of tiles at a time, once per pass; output is written once, in the last pass.
import type { Shape3 } from '../io/volume';
import { CancelledError, InvalidVolumeError, OutOfMemoryError } from '../errors';
import {
  coreGrid,
  exactTile,
  mergeMoments,
  momentsToStats,
  paddedShape,
  type ChannelMoments,
  type ChannelStats,
  type CoreBox,
} from './core-grid';
import type { StagedNet } from './staged';
import { copyBlock, isOutOfMemory, type SliceSink, type SliceSource, type TiledResult } from './tiled';
import { shrinkTile } from './tiling';

export interface ExactOptions {
  /** Requested tile; rounded to the network's multiple and enlarged to at least 2·halo + multiple. */
  tile: Shape3;
  /** Overlap between neighbouring tiles; raised to twice the network's halo when smaller. */
  overlap?: number;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
  /** Told when an out-of-memory error made us continue with smaller tiles. */
  onShrink?(tile: Shape3, cause: unknown): void;
}

export interface ExactResult extends TiledResult {
  /** Passes over the tiles: 1 when one tile held the volume, else normalisation layers + 1. */
  passes: number;
  /** The halo in use (tiles overlap by twice this). */
  halo: number;
}

const mirror = (i: number, n: number) => {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = i % period;
  return m < n ? m : period - m;
};

/** The source mirror-padded at the high end of each axis to `padded`, as withPadding pads a whole volume. */
export function paddedSource(source: SliceSource, padded: Shape3): SliceSource {
  const [nz, ny, nx] = source.shape;
  const [, py, px] = padded;
  if (padded[0] === nz && py === ny && px === nx) return source;
  return {
    shape: padded,
    readSlices: async (z0, z1) => {
      const zs = Array.from({ length: z1 - z0 }, (_, i) => mirror(z0 + i, nz));
      const lo = Math.min(...zs);
      const block = await source.readSlices(lo, Math.max(...zs) + 1);
      const out = new Float32Array(zs.length * py * px);
      zs.forEach((sz, i) => {
        for (let y = 0; y < py; y++) {
          const row = ((sz - lo) * ny + mirror(y, ny)) * nx;
          const o = (i * py + y) * px;
          for (let x = 0; x < px; x++) out[o + x] = block[row + (x < nx ? x : mirror(x, nx))]!;
        }
      });
      return out;
    },
  };
}

/** Receives padded slices and passes on the original volume's part of them. */
export function croppingSink(sink: SliceSink, shape: Shape3, padded: Shape3): SliceSink {
  const [nz, ny, nx] = shape;
  const [, py, px] = padded;
  if (padded[0] === nz && py === ny && px === nx) return sink;
  let z = 0;
  return {
    writeSlices: async (data) => {
      const count = data.length / (py * px);
      const keep = Math.max(0, Math.min(count, nz - z));
      if (keep > 0) await sink.writeSlices(copyBlock(data, [count, py, px], [0, 0, 0], [keep, ny, nx]));
      z += count;
    },
  };
}

/** Copies `box`'s core from its tile prediction `pred` into `dst` (of `dstShape`, whose origin is `origin` in volume voxels). */
function pasteCore(dst: Float32Array, dstShape: Shape3, origin: Shape3, box: CoreBox, pred: Float32Array): void {
  const [, dy, dx] = dstShape;
  const [, ty, tx] = box.size;
  const [cz, cy, cx] = box.coreSize;
  for (let z = 0; z < cz; z++) {
    for (let y = 0; y < cy; y++) {
      const s =
        ((box.coreStart[0] - box.start[0] + z) * ty + box.coreStart[1] - box.start[1] + y) * tx +
        box.coreStart[2] -
        box.start[2];
      const d =
        ((box.coreStart[0] - origin[0] + z) * dy + box.coreStart[1] - origin[1] + y) * dx +
        box.coreStart[2] -
        origin[2];
      dst.set(pred.subarray(s, s + cx), d);
    }
  }
}

const localCore = (b: CoreBox) => ({ start: b.coreStart.map((c, a) => c - b.start[a]!) as Shape3, size: b.coreSize });
const same = (a: Shape3, b: Shape3) => a.every((n, i) => n === b[i]);

interface RunState {
  tile: Shape3;
  oomRetries: number;
  /** Tiles finished in this pass, and tiles per pass. */
  done: number;
}

/** A source that can also read one box (an OME-Zarr): tiles are then read one by one, not a z-row of slices at a time. */
export type BoxedSliceSource = SliceSource & { readBox?(start: Shape3, size: Shape3): Promise<Float32Array> };

export class ExactRunner {
  readonly padded: Shape3;
  readonly halo: number;
  readonly st: RunState;
  readonly known = new Map<string, ChannelStats>();
  passIndex = 0;

  constructor(
    readonly src: BoxedSliceSource,
    readonly net: StagedNet,
    readonly opts: ExactOptions,
  ) {
    const m = net.multiple;
    this.padded = src.shape;
    this.halo = Math.max(net.halo, Math.ceil((opts.overlap ?? 0) / 2 / m) * m);
    this.st = { tile: exactTile(this.padded, opts.tile, this.halo, m), oomRetries: 0, done: 0 };
  }

  grid(): CoreBox[] {
    return coreGrid(this.padded, this.st.tile, this.halo, this.net.multiple);
  }

  /** After an out-of-memory error: continue with smaller tiles, or give up when none is smaller. */
  shrink(shape: Shape3, cause: unknown): void {
    const m = this.net.multiple;
    const next = shrinkTile(shape.map((n, a) => Math.min(n, this.st.tile[a]!)) as Shape3, 2 * this.halo + m, m);
    const tile = next && exactTile(this.padded, next, this.halo, m);
    if (!tile || same(tile, shape)) {
      throw new OutOfMemoryError(
        `out of memory even with ${shape.join('×')} tiles (the network needs at least ${2 * this.halo + m} voxels per tiled axis)`,
        'Use another --backend or free memory.',
      );
    }
    this.st.tile = tile;
    this.st.oomRetries++;
    this.opts.onShrink?.(tile, cause);
  }

  tick(total: number): void {
    if (this.opts.signal?.aborted) throw new CancelledError('deconvolution');
    this.opts.onProgress?.(++this.st.done, total);
  }

  /** Calls `each` for every tile with its data, reading one z-row of tiles at a time; `afterRow` after each row. */
  async forTiles(
    boxes: CoreBox[],
    each: (b: CoreBox, data: Float32Array) => Promise<void>,
    afterRow?: (row: CoreBox[]) => Promise<void>,
  ): Promise<void> {
    const [, ny, nx] = this.padded;
    const readBox = this.src.readBox?.bind(this.src);
    for (const z0 of [...new Set(boxes.map((b) => b.start[0]))]) {
      const row = boxes.filter((b) => b.start[0] === z0);
      if (readBox) {
        for (const b of row) await each(b, await readBox(b.start, b.size));
        await afterRow?.(row);
        continue;
      }
      const tz = row[0]!.size[0];
      const slab = await this.src.readSlices(z0, z0 + tz);
      for (const b of row) await each(b, copyBlock(slab, [tz, ny, nx], [0, b.start[1], b.start[2]], b.size));
      await afterRow?.(row);
    }
  }

  /** Whole-volume moments of `layer`'s input; restarts with smaller tiles after an out-of-memory error. */
  async statsPass(layer: string, passes: number): Promise<ChannelMoments> {
    for (;;) {
      const boxes = this.grid();
      const total = boxes.length * passes;
      this.st.done = this.passIndex * boxes.length;
      let acc: ChannelMoments | undefined;
      try {
        await this.forTiles(boxes, async (b, data) => {
          const r = await this.net.run(data, b.size, localCore(b), this.known);
          if (!('layer' in r) || r.layer !== layer)
            throw new InvalidVolumeError(
              `expected the statistics of ${layer}, the network returned ${'layer' in r ? r.layer : 'its output'}`,
            );
          acc = mergeMoments(acc, r.moments);
          this.tick(total);
        });
        return acc!;
      } catch (e) {
        if (!isOutOfMemory(e)) throw e;
        this.shrink(this.st.tile, e);
      }
    }
  }

  /** A tile's prediction with every statistic fixed, exact inside its core; split into smaller tiles after an out-of-memory error. */
  async predictTile(data: Float32Array, shape: Shape3): Promise<Float32Array> {
    if (shape.every((n, a) => n <= this.st.tile[a]!)) {
      try {
        const r = await this.net.run(data, shape, { start: [0, 0, 0], size: shape }, this.known);
        if (!('output' in r))
          throw new InvalidVolumeError(`the network stopped at ${r.layer}, whose statistics should be known`);
        return r.output;
      } catch (e) {
        if (!isOutOfMemory(e)) throw e;
        this.shrink(shape, e);
      }
    }
    // Sub-tiles of this tile with cores: every voxel of the parent's core is a halo away from any edge
    // that is not a volume edge, so it comes out exact.
    const out = new Float32Array(data.length);
    for (const b of coreGrid(
      shape,
      exactTile(shape, this.st.tile, this.halo, this.net.multiple),
      this.halo,
      this.net.multiple,
    )) {
      pasteCore(out, shape, [0, 0, 0], b, await this.predictTile(copyBlock(data, shape, b.start, b.size), b.size));
    }
    return out;
  }

  async finalPass(sink: SliceSink, passes: number): Promise<number> {
    const [, ny, nx] = this.padded;
    const boxes = this.grid();
    const total = boxes.length * passes;
    this.st.done = this.passIndex * boxes.length;
    let rowOut = new Float32Array(0);
    await this.forTiles(
      boxes,
      async (b, data) => {
        if (b.start[1] === 0 && b.start[2] === 0) rowOut = new Float32Array(b.coreSize[0] * ny * nx);
        pasteCore(rowOut, [b.coreSize[0], ny, nx], [b.coreStart[0], 0, 0], b, await this.predictTile(data, b.size));
        this.tick(total);
      },
      async () => sink.writeSlices(rowOut),
    );
    return boxes.length;
  }

  /** The whole volume as one tile with its own statistics (the untiled pass); false after an out-of-memory error. */
  async tryWhole(sink: SliceSink): Promise<boolean> {
    try {
      const data = await this.src.readSlices(0, this.padded[0]);
      const r = await this.net.run(data, this.padded, { start: [0, 0, 0], size: this.padded });
      if (!('output' in r)) throw new InvalidVolumeError('the network returned statistics instead of its output');
      this.tick(1);
      await sink.writeSlices(r.output);
      return true;
    } catch (e) {
      if (!isOutOfMemory(e)) throw e;
      this.shrink(this.padded, e);
      return false;
    }
  }
}

/** Runs `net` over `source` (any shape; mirror-padded to the network's multiple) into `sink`, exactly as one untiled pass would. */
export async function runExact(
  source: SliceSource,
  sink: SliceSink,
  net: StagedNet,
  opts: ExactOptions,
): Promise<ExactResult> {
  const padded = paddedShape(source.shape, net.multiple);
  const out = croppingSink(sink, source.shape, padded);
  // A tile covering an axis of the input covers it padded too (else padding alone would force tiling).
  const tile = opts.tile.map((t, a) => (t >= source.shape[a]! ? padded[a]! : t)) as Shape3;
  const r = new ExactRunner(paddedSource(source, padded), net, { ...opts, tile });
  const result = (tiles: number, passes: number): ExactResult => ({
    tiles,
    tile: r.st.tile,
    oomRetries: r.st.oomRetries,
    passes,
    halo: r.halo,
  });
  if (same(r.st.tile, padded) && (await r.tryWhole(out))) return result(1, 1);
  const passes = net.layers.length + 1;
  for (const layer of net.layers) {
    r.known.set(layer, momentsToStats(await r.statsPass(layer, passes)));
    r.passIndex++;
  }
  const tiles = await r.finalPass(out, passes);
  return result(tiles, passes);
}
