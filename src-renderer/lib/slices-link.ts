// The address of the single-stack viewer (Slices) opened on one stack, channel and time point: what the Datasets
// preview links to, and what the Slices view reads back. A hash link, so it works in Electron (file://) and the
// browser alike, and opens in a new tab too.
import type { ChannelFrame } from '../api/volumes';

export function slicesLink(id: string, at: ChannelFrame = { channel: 0, frame: 0 }): string {
  const q = new URLSearchParams({ id, channel: String(at.channel), frame: String(at.frame) });
  return `#/slices?${q.toString()}`;
}

type Query = Record<string, unknown>;
const index = (v: unknown) => (typeof v === 'string' && /^\d{1,7}$/.test(v) ? Number(v) : 0);

/** The stack a Slices address names, when it is one of `known` (a stale or edited link falls back to the default). */
export function slicesTarget(
  query: Query | undefined,
  known: readonly string[],
): { id: string; at: ChannelFrame } | null {
  const id = query?.id;
  if (typeof id !== 'string' || !known.includes(id)) return null;
  return { id, at: { channel: index(query!.channel), frame: index(query!.frame) } };
}
