// Fetching viewable data (downsampled volumes, single planes) with a small cache so switching views
// does not refetch. Binary replies become VolumeData.
import type { BinaryPayload } from '../../src-main/contract';
import type { VolumeData } from '../lib/volume';
import { useClient } from './index';

const cache = new Map<string, Promise<VolumeData>>();
const MAX_ENTRIES = 12;

function toVolume(p: BinaryPayload): VolumeData {
  const s = p.meta.shape;
  // BinaryMeta's schema holds 2 or 3 axes, so these reads are in range.
  const shape: [number, number, number] = s.length === 3 ? [s[0]!, s[1]!, s[2]!] : [1, s[0]!, s[1]!];
  const { voxelSizeSource, channels, frames } = p.meta;
  return {
    data: p.data,
    shape,
    voxelSize: p.meta.voxelSize,
    min: p.meta.min,
    max: p.meta.max,
    voxelSizeSource,
    channels,
    frames,
  };
}

/** Which channel and time point of a stack (from 0). */
export interface ChannelFrame {
  channel: number;
  frame: number;
}
const FIRST: ChannelFrame = { channel: 0, frame: 0 };

/** A whole volume (one channel, one frame), downsampled on the server to at most `maxVoxels` (level of detail). */
export function loadVolume(id: string, maxVoxels = 128 ** 3, at: ChannelFrame = FIRST): Promise<VolumeData> {
  const key = `${id}@${maxVoxels}c${at.channel}t${at.frame}`;
  let p = cache.get(key);
  if (!p) {
    p = (
      useClient().invoke('dataset.volume', {
        id,
        maxVoxels,
        channel: at.channel,
        frame: at.frame,
      }) as Promise<unknown> as Promise<BinaryPayload>
    ).then(toVolume);
    p.catch(() => cache.delete(key));
    cache.set(key, p);
    if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  }
  return p;
}

/** One plane at full (or reduced in-plane) resolution. */
export async function loadSlice(
  id: string,
  axis: 'z' | 'y' | 'x',
  index: number,
  factor = 1,
  at: ChannelFrame = FIRST,
): Promise<VolumeData> {
  // Binary methods resolve to { meta, data } (see ContractClient); the cast covers ResponseOf's typing.
  return toVolume(
    (await useClient().invoke('dataset.slice', {
      id,
      axis,
      index,
      factor,
      channel: at.channel,
      frame: at.frame,
    })) as BinaryPayload,
  );
}

export function clearVolumeCache(): void {
  cache.clear();
}
