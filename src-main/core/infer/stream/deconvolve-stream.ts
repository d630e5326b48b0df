// Out-of-core deconvolution, OME-Zarr to OME-Zarr: the output is computed box by box (its level-0 chunks)
// from the input box plus a halo, so memory is bounded by the box, not by the stack; the pyramid is built
// from the written chunks. Built in `<out>.partial/` with a progress record (io/zarr/partial.ts): a killed
// run is continued by the same command, skipping complete boxes; normalisation and network statistics
// are saved with the record, so a resumed run does not measure them again.
import { createHash } from 'node:crypto';
import type { Shape3 } from '../../io/volume';
import type { OpenOptions } from '../../io/reader';
import { openZarrVolume } from '../../io/zarr/read';
import { zarrFingerprint } from '../../io/zarr/fingerprint';
import { PartialZarr, type OutputBox } from '../../io/zarr/partial';
import type { NgffVersion } from '../../io/zarr/ngff-docs';
import { hyperstackExtra, selectVolumes } from '../../io/hyperstack';
import { makeNormaliser, type Normaliser, type NormaliserParams } from '../../normalise/normaliser';
import { CancelledError } from '../../errors';
import type { StagedNet } from '../staged';
import { checkGeometry, type TrainingDomain } from '../domain-check';
import type { PredictFn } from '../tiled';
import { mappedSource, type BoxSource } from './box-source';
import { fitNormaliserBoxes } from './normalise-boxes';
import { stackStatsBoxes, type StackStats } from './background';
import { haloBoxes, networkBoxes, type StatsRecord } from './predict-box';

/** What computes the voxels: the network (exact) or a plain predictor with a halo, on normalised or raw input. */
export interface StreamMethod {
  method: string;
  details: Record<string, string>;
  /** Percentile normalisation (and clip to [0, 1]) as in training; absent: boxes in input units. */
  normalisation?: Pick<NormaliserParams, 'pLow' | 'pHigh' | 'scale' | 'meanTarget'> & { clip?: boolean };
  staged?: StagedNet;
  /** A model's training domain: the input's geometry is checked against it before any output exists. */
  domain?: TrainingDomain | null;
  /** Tiles for the network's statistics passes. */
  statsTile?: Shape3;
  /** For a plain predictor: the tile function for channel index `c` of the selection (with the stack's statistics when asked for). */
  predict?: (c: number, stack?: StackStats) => PredictFn;
  halo?: Shape3;
  /** Measure Richardson–Lucy's background and starting mean once per volume, on the whole stack (normalised when normalising), and pass them to `predict`. */
  stackStats?: boolean;
}

export interface StreamOptions {
  /** Output chunk = box, z, y, x (clipped to the stack). */
  chunk: Shape3;
  dtype: 'float32' | 'uint16';
  /** NGFF 0.4 on Zarr v2 (default) or 0.5 on Zarr v3. */
  ngff?: NgffVersion;
  force?: boolean;
  within?: string;
  signal?: AbortSignal;
  select?: { channels?: number[]; frames?: number[] };
  open?: OpenOptions;
  /** After each box: boxes complete (this run and before) of the total. */
  onBox?(complete: number, total: number): void;
  /** Before each stage of a volume (normalisation, statistics, boxes, pyramid). */
  onStage?(what: string): void;
}

export interface StreamResult {
  input: string;
  output: string;
  shape: Shape3;
  channels: number;
  frames: number;
  boxes: number;
  /** Boxes computed by this run (the rest were complete from an earlier, interrupted one). */
  computed: number;
  resumed: number;
  chunk: Shape3;
  halo: Shape3 | number;
  seconds: number;
  voxelsPerSecond: number;
  warnings: string[];
}

const sha = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');

/** Deconvolves an OME-Zarr input into an OME-Zarr output box by box; continues `<output>.partial` when it is there. */
export async function deconvolveStream(
  input: string,
  output: string,
  m: StreamMethod,
  o: StreamOptions,
): Promise<StreamResult> {
  const started = performance.now();
  const reader = await openZarrVolume(input, o.open ?? {});
  try {
    const shape = [...reader.shape] as Shape3;
    const sel = selectVolumes(reader.info, o.select?.channels, o.select?.frames);
    const domainWarnings = m.domain ? checkGeometry(m.domain, shape, reader.voxelSize, input) : [];
    const chunk = shape.map((n, a) => Math.min(n, o.chunk[a]!)) as Shape3;
    const ngff = o.ngff ?? '0.4';
    const layout = { shape, channels: sel.channels.length, frames: sel.frames.length, chunk, dtype: o.dtype, ngff };
    const options = {
      method: m.method,
      details: m.details,
      normalisation: m.normalisation ?? null,
      halo: m.halo ?? null,
      stackStats: m.stackStats ?? false,
      chunk,
      dtype: o.dtype,
      select: sel,
      voxelSize: reader.info.voxelSize,
      // Only when not the default, so partial outputs begun before the option existed still resume.
      ...(ngff === '0.5' ? { ngff } : {}),
    };
    const fingerprint = (await zarrFingerprint(input)).hash;
    const partial = await PartialZarr.begin(output, layout, {
      fingerprint,
      optionsKey: sha(options),
      options,
      force: o.force,
      within: o.within,
    });
    let computed = 0;
    const norms: NormaliserParams[] = [];
    for (const [t, frame] of sel.frames.entries()) {
      for (const [c, channel] of sel.channels.entries()) {
        const key = `${t}/${c}`;
        const raw: BoxSource = { shape, readBox: (s, z) => reader.readBox(s, z, { channel, frame }) };
        const todo = partial.boxes.filter((b) => b.t === t && b.c === c && !partial.isDone(b.index));
        const norm = await normaliserFor(partial, key, raw, m, chunk, o);
        if (norm) norms.push(norm.toJSON());
        if (todo.length === 0) continue;
        const clip = m.normalisation?.clip ?? false;
        const src = norm
          ? mappedSource(raw, (d) => {
              const n = norm.apply(d);
              if (clip) for (let i = 0; i < n.length; i++) n[i] = n[i]! < 0 ? 0 : n[i]! > 1 ? 1 : n[i]!;
              return n;
            })
          : raw;
        const predictBox = await boxPredictor(partial, key, src, m, c, o);
        o.onStage?.(
          `channel ${channel}, frame ${frame}: ${todo.length} of ${partial.boxes.length / (layout.channels * layout.frames)} boxes to compute`,
        );
        for (const b of todo) {
          if (o.signal?.aborted) throw new CancelledError('deconvolution');
          const pred = await predictBox(b.start, b.size);
          await partial.writeBox(b, norm ? norm.invert(pred) : pred);
          computed++;
          o.onBox?.(partial.complete, partial.boxes.length);
        }
      }
    }
    o.onStage?.('pyramid');
    await partial.finish({
      name: output.split(/[\\/]/).pop()!,
      voxelSize: reader.voxelSize,
      ...metadata(reader.info, sel, m, norms, chunk),
    });
    const seconds = (performance.now() - started) / 1000;
    return {
      input,
      output,
      shape,
      channels: layout.channels,
      frames: layout.frames,
      boxes: partial.boxes.length,
      computed,
      resumed: partial.resumed,
      chunk,
      halo: m.halo ?? 0,
      seconds,
      voxelsPerSecond:
        ((computed / partial.boxes.length) * shape[0] * shape[1] * shape[2] * layout.channels * layout.frames) /
        seconds,
      warnings: [...reader.info.warnings, ...domainWarnings],
    };
  } finally {
    await reader.close();
  }
}

/** The volume's normaliser: saved by an earlier run of this output, or fitted (box by box) and saved. */
async function normaliserFor(
  partial: PartialZarr,
  key: string,
  raw: BoxSource,
  m: StreamMethod,
  chunk: Shape3,
  o: StreamOptions,
): Promise<Normaliser | undefined> {
  if (!m.normalisation) return undefined;
  const saved = partial.state<{ norm?: NormaliserParams }>(key)?.norm;
  if (saved) return makeNormaliser(saved);
  o.onStage?.(`normalisation of volume ${key}`);
  const { pLow, pHigh, scale, meanTarget } = m.normalisation;
  const norm = await fitNormaliserBoxes(raw, chunk, pLow, pHigh, 8, { scale, meanTarget });
  await partial.setState(key, { ...partial.state<object>(key), norm: norm.toJSON() });
  return norm;
}

async function boxPredictor(
  partial: PartialZarr,
  key: string,
  src: BoxSource,
  m: StreamMethod,
  c: number,
  o: StreamOptions,
): Promise<(start: Shape3, size: Shape3) => Promise<Float32Array>> {
  if (m.staged) {
    const stored = partial.state<{ stats?: StatsRecord }>(key)?.stats;
    if (!stored) o.onStage?.(`network statistics of volume ${key} (${m.staged.layers.length} passes over tiles)`);
    const net = await networkBoxes(src, m.staged, m.statsTile ?? boxTile(o.chunk, m.staged), stored, {
      signal: o.signal,
    });
    if (!stored) await partial.setState(key, { ...partial.state<object>(key), stats: net.stats });
    return net.predict;
  }
  if (!m.predict) throw new Error('internal: a stream method needs a network or a predictor');
  let stack: StackStats | undefined;
  if (m.stackStats) {
    stack = partial.state<{ stack?: StackStats }>(key)?.stack;
    if (stack === undefined) {
      o.onStage?.(`background and mean of volume ${key}`);
      stack = await stackStatsBoxes(src, Math.min(src.shape[0], o.chunk[0]));
      await partial.setState(key, { ...partial.state<object>(key), stack });
    }
  }
  return haloBoxes(src, m.predict(c, stack), m.halo ?? [0, 0, 0]);
}

/** Tiles of a box plus the network's halo on each side (rounded up to its multiple): a box is then predicted in one tile. */
const boxTile = (chunk: Shape3, net: StagedNet): Shape3 =>
  chunk.map((c) => Math.ceil((c + 2 * net.halo) / net.multiple) * net.multiple + 2 * net.multiple) as Shape3;

function metadata(
  info: Parameters<typeof hyperstackExtra>[0],
  sel: ReturnType<typeof selectVolumes>,
  m: StreamMethod,
  norms: NormaliserParams[],
  chunk: Shape3,
) {
  const scale = norms.length
    ? `input intensity units (each volume normalised as in training, then mapped back; see cycledecon.normalisation)`
    : 'input intensity units';
  return {
    intensityScale: scale,
    extra: {
      ...hyperstackExtra(info, sel),
      'cycledecon.method': m.method,
      'cycledecon.intensityScale': scale,
      ...(norms.length ? { 'cycledecon.normalisation': JSON.stringify(norms.length === 1 ? norms[0] : norms) } : {}),
      'cycledecon.stream': JSON.stringify({ chunk, halo: m.halo ?? 'network' }),
      ...Object.fromEntries(Object.entries(m.details).map(([k, v]) => [`cycledecon.${k}`, v])),
    },
  };
}

export type { OutputBox };
