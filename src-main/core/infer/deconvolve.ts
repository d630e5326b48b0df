// Deconvolves one stack file to another, streaming: the input is read slab by slab, normalised as in
// training, predicted tile by tile, mapped back to input units and written slab by slab. The network
// goes through runExact (whole-volume instance-norm statistics, so tiled equals untiled); other
// predictors (Richardson–Lucy) through runTiled's windowed blend.
import type { Shape3 } from '../io/volume';
import type { OutputFormat } from '../io/output-format';
import type { NgffVersion } from '../io/zarr/ngff-docs';
import { openVolume, type OpenOptions, type VolumeReader, type VolumeWriter } from '../io/index';
import { createHyperstackWriter, hyperstackExtra, selectVolumes, type HyperstackSelection } from '../io/hyperstack';
import { fitNormaliserStreaming, type Normaliser } from '../normalise/normaliser';
import type { Predictor } from './predictor';
import { tileBudgetBytes, withPadding } from './predictor';
import { runExact } from './exact';
import { runTiled, type SliceSink, type SliceSource } from './tiled';
import { chooseTile } from './tiling';
import { checkGeometry, checkIntensity, sampleIntensityStats } from './domain-check';

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
  /** Channels and frames to process, as indices into the file (default: all of them; checked against the file). */
  select?: { channels?: number[]; frames?: number[] };
  /** How to open the input (e.g. a --voxel-size override). */
  open?: OpenOptions;
  /** ImageJ TIFF or OME-TIFF (default: from the output's name, see io/output-format.ts). */
  format?: OutputFormat;
  /** OME-Zarr output: NGFF 0.4 on Zarr v2 (default) or 0.5 on Zarr v3. */
  ngff?: NgffVersion;
}

export interface DeconvolveFileResult {
  input: string;
  output: string;
  /** [z, y, x] of one volume; `channels` × `frames` of them were processed. */
  shape: Shape3;
  channels: number;
  frames: number;
  /** All voxels processed (every channel and frame). */
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
  /** The first volume's normalisation; `normalisations` holds each volume's (frame-major) when there are several. */
  normalisation: ReturnType<Normaliser['toJSON']>;
  normalisations?: ReturnType<Normaliser['toJSON']>[];
  /** What the reader doubted (reinterpreted axes, implausible calibration). */
  warnings: string[];
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
  const t = chooseTile(shape, {
    budgetBytes: tileBudgetBytes(predictor.backend, predictor.memoryShare),
    bytesPerVoxel: predictor.bytesPerVoxel,
    multiple: predictor.multiple,
    overlap,
  });
  // Deep tiles on a wide stack make deep slabs: cap z so the slab buffers stay within SLAB_BUDGET_BYTES.
  const perSlice = 16 * shape[1] * shape[2];
  const maxZ = Math.max(
    predictor.multiple,
    2 * overlap + predictor.multiple,
    Math.floor(SLAB_BUDGET_BYTES / perSlice / predictor.multiple) * predictor.multiple,
  );
  if (t[0] > maxZ) t[0] = Math.min(shape[0], maxZ);
  return t;
}

interface VolumeRun {
  run: { tile: Shape3; tiles: number; passes: number; oomRetries: number };
  norm: Normaliser;
  clipped: number;
  /** Domain-check warnings for this volume (its intensity against the model's training data). */
  warnings: string[];
}

/** One channel at one time point: normalise, predict tile by tile, write into its place in the hyperstack. */
async function deconvolveVolume(
  reader: VolumeReader,
  at: { channel: number; frame: number; c: number; t: number; label: string },
  writer: VolumeWriter,
  predictor: Predictor,
  opts: DeconvolveFileOptions,
): Promise<VolumeRun> {
  const shape = [...reader.shape] as Shape3;
  const sel = { channel: at.channel, frame: at.frame };
  const source: SliceSource = { shape, readSlices: (z0, z1) => reader.readSlices(z0, z1, sel) };
  const { pLow, pHigh, clip } = predictor.normalisation;
  const norm = await fitNormaliserStreaming(source, pLow, pHigh, 8, predictor.normalisation);
  const clip01 = (d: Float32Array) => (clip ? d.map((v) => (v < 0 ? 0 : v > 1 ? 1 : v)) : d);
  const warnings = predictor.domain
    ? checkIntensity(
        predictor.domain,
        await sampleIntensityStats(shape[0], source.readSlices, (d) => clip01(norm.apply(d))),
        at.label,
      )
    : [];
  const overlap = opts.overlap ?? predictor.overlap;
  const tile = resolveTile(shape, opts.tile, predictor, predictor.staged ? Math.ceil(overlap / 2) : overlap);
  let clipped = 0;
  let z = 0;
  const sink: SliceSink = {
    writeSlices: async (slices) => {
      let raw = norm.invert(slices);
      if (opts.dtype === 'uint16') {
        const u = toUint16Range(raw);
        clipped += u.clipped;
        raw = u.data;
      }
      await writer.writeSlicesAt(at.c, at.t, z, raw);
      z += raw.length / (shape[1] * shape[2]);
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
  const common = { tile, overlap, signal: opts.signal, onProgress: opts.onProgress, onShrink: opts.onShrink };
  const run = predictor.staged
    ? await runExact(normalisedSource, sink, predictor.staged, common)
    : {
        ...(await runTiled(normalisedSource, sink, withPadding(predictor.predict, predictor.multiple), {
          ...common,
          multiple: predictor.multiple,
        })),
        passes: 1,
      };
  return { run, norm, clipped, warnings };
}

function outputMetadata(
  reader: VolumeReader,
  sel: HyperstackSelection,
  predictor: Predictor,
  dtype: OutputDtype,
  norms: Normaliser[],
) {
  const describe =
    norms.length === 1
      ? norms[0]!.describe()
      : `${norms[0]!.describe()} (channel ${sel.channels[0]}, frame ${sel.frames[0]}; each channel and frame normalised on its own, see cycledecon.normalisation)`;
  const scale =
    dtype === 'uint16' ? `input intensity units, rounded and clamped to 0..65535 (uint16); ${describe}` : describe;
  const json = norms.map((n) => n.toJSON());
  return {
    intensityScale: scale,
    extra: {
      ...hyperstackExtra(reader.info, sel),
      'cycledecon.method': predictor.method,
      'cycledecon.intensityScale': scale,
      'cycledecon.normalisation': JSON.stringify(json.length === 1 ? json[0] : json),
      ...Object.fromEntries(Object.entries(predictor.details).map(([k, v]) => [`cycledecon.${k}`, v])),
    },
  };
}

/**
 * Every selected channel and time point of `input` (all by default) through the predictor, written as an
 * ImageJ hyperstack or OME-TIFF with the input's axes, counts and calibration. Each volume is normalised on its own
 * (channels differ in brightness; the network was trained on one volume's statistics).
 */
export async function deconvolveFile(
  input: string,
  output: string,
  predictor: Predictor,
  opts: DeconvolveFileOptions,
): Promise<DeconvolveFileResult> {
  const started = performance.now();
  const reader = await openVolume(input, opts.open ?? {});
  try {
    const shape = [...reader.shape] as Shape3;
    const sel = selectVolumes(reader.info, opts.select?.channels, opts.select?.frames);
    // Before any output exists: a 2D input to a 3D model is refused, a voxel size far from training warned about.
    const domainWarnings = predictor.domain ? checkGeometry(predictor.domain, shape, reader.voxelSize, input) : [];
    const several = sel.channels.length * sel.frames.length > 1;
    const dtype = opts.dtype ?? 'float32';
    const writer = await createHyperstackWriter(output, reader.info, sel, {
      dtype,
      force: opts.force,
      within: opts.within,
      format: opts.format,
      ngff: opts.ngff,
    });
    const runs: VolumeRun[] = [];
    try {
      for (const [t, frame] of sel.frames.entries()) {
        for (const [c, channel] of sel.channels.entries())
          runs.push(
            await deconvolveVolume(
              reader,
              { channel, frame, c, t, label: several ? `${input} (channel ${channel}, frame ${frame})` : input },
              writer,
              predictor,
              { ...opts, dtype },
            ),
          );
      }
      writer.setMetadata(
        outputMetadata(
          reader,
          sel,
          predictor,
          dtype,
          runs.map((r) => r.norm),
        ),
      );
      await writer.close();
    } catch (e) {
      await writer.abort();
      throw e;
    }
    const seconds = (performance.now() - started) / 1000;
    const voxels = shape[0] * shape[1] * shape[2] * runs.length;
    const sum = (f: (r: VolumeRun) => number) => runs.reduce((s, r) => s + f(r), 0);
    return {
      input,
      output,
      shape,
      channels: sel.channels.length,
      frames: sel.frames.length,
      voxels,
      seconds,
      voxelsPerSecond: voxels / seconds,
      tile: runs[0]!.run.tile,
      tiles: sum((r) => r.run.tiles),
      passes: runs[0]!.run.passes,
      oomRetries: sum((r) => r.run.oomRetries),
      method: predictor.method,
      backend: predictor.backend,
      dtype,
      clippedVoxels: sum((r) => r.clipped),
      normalisation: runs[0]!.norm.toJSON(),
      ...(runs.length > 1 ? { normalisations: runs.map((r) => r.norm.toJSON()) } : {}),
      warnings: [...reader.info.warnings, ...domainWarnings, ...runs.flatMap((r) => r.warnings)],
    };
  } finally {
    await reader.close();
  }
}
