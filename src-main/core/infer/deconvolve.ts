// Deconvolves one stack file to another, streaming: the input is read slab by slab, normalised as in
// training, predicted tile by tile, mapped back to input units and written slab by slab. The network
// goes through runExact (whole-volume instance-norm statistics, so tiled equals untiled); other
// predictors (Richardson–Lucy) through runTiled's windowed blend.
import type { Shape3 } from '../io/volume';
import { createVolumeWriter, openVolume } from '../io/index';
import { fitNormaliserStreaming, type Normaliser } from './normalise';
import type { Predictor } from './predictor';
import { tileBudgetBytes, withPadding } from './predictor';
import { runExact } from './exact';
import { runTiled, type SliceSink, type SliceSource } from './tiled';
import { chooseTile } from './tiling';

export type OutputDtype = 'float32' | 'uint16';

export interface DeconvolveFileOptions {
  tile: Shape3 | 'auto';
  /** Overlap in voxels (default: the predictor's suggestion). */
  overlap?: number;
  dtype?: OutputDtype;
  force?: boolean;
  /** The folder the output must resolve into (a project's results folder). */
  within?: string;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
  onShrink?(tile: Shape3): void;
}

export interface DeconvolveFileResult {
  input: string;
  output: string;
  shape: Shape3;
  voxels: number;
  seconds: number;
  voxelsPerSecond: number;
  tile: Shape3;
  tiles: number;
  /** Passes over the tiles (exact network tiling: normalisation layers + 1; otherwise 1). */
  passes: number;
  oomRetries: number;
  method: string;
  backend: string;
  dtype: OutputDtype;
  /** Voxels outside 0..65535 that a uint16 output had to clamp (always 0 for float32). */
  clippedVoxels: number;
  normalisation: ReturnType<Normaliser['toJSON']>;
}

/** The documented uint16 mapping: input intensity units rounded to the nearest integer, clamped to 0..65535 (clamped voxels are counted). */
export function toUint16Range(data: Float32Array): { data: Float32Array; clipped: number } {
  let clipped = 0;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Math.round(data[i]!);
    if (v < 0 || v > 65535 || Number.isNaN(v)) clipped++;
    out[i] = Number.isNaN(v) ? 0 : Math.min(65535, Math.max(0, v));
  }
  return { data: out, clipped };
}

/** Bytes the streaming buffers may take: a z-row of tiles holds ~4 float32 copies of tile-depth slices (input, normalised input, weighted sum, weights). */
export const SLAB_BUDGET_BYTES = 2 * 2 ** 30;

/** `overlap` here is what a tile needs on each side: the overlap, or for exact network tiling the halo (half of it). */
export function resolveTile(shape: Shape3, tile: Shape3 | 'auto', predictor: Predictor, overlap: number): Shape3 {
  if (tile !== 'auto') return tile;
  const t = chooseTile(shape, { budgetBytes: tileBudgetBytes(predictor.backend, predictor.memoryShare), bytesPerVoxel: predictor.bytesPerVoxel, multiple: predictor.multiple, overlap });
  // Deep tiles on a wide stack make deep slabs: cap z so the slab buffers stay within SLAB_BUDGET_BYTES.
  const perSlice = 16 * shape[1] * shape[2];
  const maxZ = Math.max(predictor.multiple, 2 * overlap + predictor.multiple, Math.floor(SLAB_BUDGET_BYTES / perSlice / predictor.multiple) * predictor.multiple);
  if (t[0] > maxZ) t[0] = Math.min(shape[0], maxZ);
  return t;
}

export async function deconvolveFile(input: string, output: string, predictor: Predictor, opts: DeconvolveFileOptions): Promise<DeconvolveFileResult> {
  const started = performance.now();
  const reader = await openVolume(input);
  try {
    const shape = [...reader.shape] as Shape3;
    const source: SliceSource = { shape, readSlices: (z0, z1) => reader.readSlices(z0, z1) };
    const { pLow, pHigh, clip } = predictor.normalisation;
    const norm = await fitNormaliserStreaming(source, pLow, pHigh, 8, predictor.normalisation);
    const overlap = opts.overlap ?? predictor.overlap;
    const tile = resolveTile(shape, opts.tile, predictor, predictor.staged ? Math.ceil(overlap / 2) : overlap);
    const dtype = opts.dtype ?? 'float32';
    const scale = dtype === 'uint16'
      ? `input intensity units, rounded and clamped to 0..65535 (uint16); ${norm.describe()}`
      : norm.describe();
    const writer = await createVolumeWriter(output, {
      shape,
      voxelSize: reader.voxelSize,
      dtype,
      force: opts.force,
      within: opts.within,
      metadata: {
        intensityScale: scale,
        extra: {
          ...reader.info.extra,
          'cycledecon.method': predictor.method,
          'cycledecon.intensityScale': scale,
          'cycledecon.normalisation': JSON.stringify(norm.toJSON()),
          ...Object.fromEntries(Object.entries(predictor.details).map(([k, v]) => [`cycledecon.${k}`, v])),
        },
      },
    });
    let clipped = 0;
    const sink: SliceSink = {
      writeSlices: async (slices) => {
        const raw = norm.invert(slices);
        if (dtype === 'uint16') {
          const u = toUint16Range(raw);
          clipped += u.clipped;
          await writer.writeSlices(u.data);
        } else await writer.writeSlices(raw);
      },
    };
    const normalisedSource: SliceSource = {
      shape,
      readSlices: async (z0, z1) => {
        const d = norm.apply(await source.readSlices(z0, z1));
        if (clip) for (let i = 0; i < d.length; i++) d[i] = d[i]! < 0 ? 0 : d[i]! > 1 ? 1 : d[i]!;
        return d;
      },
    };
    let run;
    try {
      const common = { tile, overlap, signal: opts.signal, onProgress: opts.onProgress, onShrink: opts.onShrink };
      run = predictor.staged
        ? await runExact(normalisedSource, sink, predictor.staged, common)
        : { ...(await runTiled(normalisedSource, sink, withPadding(predictor.predict, predictor.multiple), { ...common, multiple: predictor.multiple })), passes: 1 };
      await writer.close();
    } catch (e) {
      await writer.abort();
      throw e;
    }
    const seconds = (performance.now() - started) / 1000;
    const voxels = shape[0] * shape[1] * shape[2];
    return {
      input, output, shape, voxels, seconds, voxelsPerSecond: voxels / seconds, tile: run.tile, tiles: run.tiles, passes: run.passes,
      oomRetries: run.oomRetries, method: predictor.method, backend: predictor.backend, dtype, clippedVoxels: clipped, normalisation: norm.toJSON(),
    };
  } finally {
    await reader.close();
  }
}
