// Every channel and time point of a stack through a per-volume step, into an ImageJ hyperstack with the same
// axes (TZCYX; OME's XYCZT), counts and calibration: nothing beyond channel 0, frame 0 is dropped without being asked.
import type { Volume, VolumeMetadata } from './volume';
import type { TiffInfo, VolumeReader } from './reader';
import { createVolumeWriter, type OutputFormat, type VolumeWriter, type WriteDtype } from './writer';
import { InvalidParameterError } from '../errors';
import type { NgffVersion } from './zarr/ngff-docs';

/** Which channels and frames to process, as indices into the file (from 0). */
export interface HyperstackSelection {
  channels: number[];
  frames: number[];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function checkIndices(name: string, list: number[] | undefined, n: number, what: string): number[] {
  if (list === undefined) return range(n);
  if (list.length === 0) throw new InvalidParameterError(name, 'selects nothing');
  for (const i of list) {
    if (!Number.isInteger(i) || i < 0 || i >= n)
      throw new InvalidParameterError(name, `${i} is out of range: the file has ${n} ${what} (counting from 0)`);
  }
  if (new Set(list).size !== list.length)
    throw new InvalidParameterError(name, `${list.join(',')} names a ${what.replace(/s$/, '')} twice`);
  return [...list];
}

/** All channels and frames, or the ones asked for (checked against the file before any work). */
export function selectVolumes(
  info: Pick<TiffInfo, 'channels' | 'frames'>,
  channels?: number[],
  frames?: number[],
): HyperstackSelection {
  return {
    channels: checkIndices('--channel', channels, info.channels, 'channels'),
    frames: checkIndices('--frame', frames, info.frames, 'frames'),
  };
}

export function describeSelection(info: Pick<TiffInfo, 'channels' | 'frames'>, sel: HyperstackSelection): string {
  return `${sel.channels.length} of ${info.channels} channel(s) × ${sel.frames.length} of ${info.frames} frame(s)`;
}

/** Metadata for the output: the input's extra keys, which source channels/frames it holds, and where its calibration came from. */
export function hyperstackExtra(info: TiffInfo, sel: HyperstackSelection): Record<string, string> {
  const extra: Record<string, string> = { ...info.extra, 'cycledecon.voxelSizeSource': info.voxelSizeSource };
  if (sel.channels.length !== info.channels) extra['cycledecon.sourceChannels'] = sel.channels.join(',');
  if (sel.frames.length !== info.frames) extra['cycledecon.sourceFrames'] = sel.frames.join(',');
  return extra;
}

/** A writer for the selected channels × frames of `info`, with its voxel size. */
export async function createHyperstackWriter(
  path: string,
  info: TiffInfo,
  selection: HyperstackSelection,
  opts: {
    dtype?: WriteDtype;
    force?: boolean;
    within?: string;
    format?: OutputFormat;
    ngff?: NgffVersion;
    metadata?: Partial<Pick<VolumeMetadata, 'intensityScale' | 'extra'>>;
  } = {},
): Promise<VolumeWriter> {
  return createVolumeWriter(path, {
    shape: info.shape,
    voxelSize: info.voxelSize,
    dtype: opts.dtype,
    force: opts.force,
    within: opts.within,
    format: opts.format,
    ngff: opts.ngff,
    channels: selection.channels.length,
    frames: selection.frames.length,
    metadata: {
      intensityScale: opts.metadata?.intensityScale ?? info.intensityScale,
      extra: { ...hyperstackExtra(info, selection), ...(opts.metadata?.extra ?? {}) },
    },
  });
}

export interface VolumeStep {
  /** Channel and frame in the input file, and their positions in the output. */
  (volume: Volume, where: { channel: number; frame: number; c: number; t: number }): Promise<Volume>;
}

/**
 * Reads each selected volume whole, runs `step` on it and writes the result into its place in the output
 * hyperstack (frame-major, so a time series streams). Atomic: on any failure nothing is written.
 * Returns the metadata of the last result (its `extra` is written to the file).
 */
export async function mapHyperstack(
  reader: VolumeReader,
  output: string,
  selection: HyperstackSelection,
  step: VolumeStep,
  opts: { dtype?: WriteDtype; force?: boolean; within?: string; format?: OutputFormat; ngff?: NgffVersion } = {},
): Promise<VolumeMetadata | undefined> {
  const writer = await createHyperstackWriter(output, reader.info, selection, opts);
  let last: VolumeMetadata | undefined;
  try {
    for (const [t, frame] of selection.frames.entries()) {
      for (const [c, channel] of selection.channels.entries()) {
        const result = await step(await reader.readAll({ channel, frame }), { channel, frame, c, t });
        await writer.writeSlicesAt(c, t, 0, result.data);
        last = result.metadata;
      }
    }
    if (last) {
      writer.setMetadata({
        intensityScale: last.intensityScale,
        extra: { ...hyperstackExtra(reader.info, selection), ...last.extra },
      });
    }
    await writer.close();
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return last;
}
