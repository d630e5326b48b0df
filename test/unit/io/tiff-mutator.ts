// Seeded mutations of TIFF files for fuzzing the reader: truncation, bit flips, random and "interesting"
// values written over header/IFD fields, and spliced chunks. Same seed → same variants.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readVolume } from '../../../src-main/core/io/index';
import { isCycleDeconError } from '../../../src-main/core/errors';
import { mulberry32 } from '../../helpers';

/** Same seed → same variants. */
export const rng = mulberry32;

const INTERESTING = [0, 1, 2, 0x7f, 0xff, 0x100, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0xffffffff, 0x80000000];

/** Byte ranges worth hitting harder: the header and everything after the pixel data start (IFDs, tag values). */
function hotRange(bytes: Uint8Array, r: () => number): number {
  if (r() < 0.3) return Math.floor(r() * Math.min(bytes.length, 16));
  if (r() < 0.6) return Math.floor(bytes.length - 1 - r() * Math.min(bytes.length, 1024));
  return Math.floor(r() * bytes.length);
}

export function mutate(original: Uint8Array, r: () => number): { bytes: Uint8Array; how: string } {
  const bytes = Uint8Array.from(original);
  const kind = Math.floor(r() * 6);
  const dv = new DataView(bytes.buffer);
  switch (kind) {
    case 0: {
      const n = Math.floor(r() * bytes.length);
      return { bytes: bytes.subarray(0, n), how: `truncate@${n}` };
    }
    case 1: {
      const flips = 1 + Math.floor(r() * 8);
      for (let i = 0; i < flips; i++) {
        const at = hotRange(bytes, r);
        bytes[at]! ^= 1 << Math.floor(r() * 8);
      }
      return { bytes, how: `flip×${flips}` };
    }
    case 2: {
      const n = 1 + Math.floor(r() * 16);
      for (let i = 0; i < n; i++) bytes[hotRange(bytes, r)] = Math.floor(r() * 256);
      return { bytes, how: `random×${n}` };
    }
    case 3: {
      const at = Math.min(hotRange(bytes, r), bytes.length - 4);
      const v =
        r() < 0.2 ? bytes.length + Math.floor(r() * 16) - 8 : INTERESTING[Math.floor(r() * INTERESTING.length)]!;
      if (at >= 0) {
        if (r() < 0.5) dv.setUint32(at, v >>> 0, r() < 0.5);
        else dv.setUint16(at, v & 0xffff, r() < 0.5);
      }
      return { bytes, how: `value ${v}@${at}` };
    }
    case 4: {
      const from = Math.floor(r() * bytes.length);
      const len = Math.floor(r() * 64);
      const to = Math.floor(r() * bytes.length);
      bytes.copyWithin(to, from, from + len);
      return { bytes, how: `splice ${from}+${len}→${to}` };
    }
    default: {
      // Several mutations stacked.
      let b: Uint8Array = bytes;
      const parts: string[] = [];
      for (let i = 0; i < 3; i++) {
        const m = mutate(b, r);
        b = m.bytes;
        parts.push(m.how);
      }
      return { bytes: b, how: parts.join(' + ') };
    }
  }
}

export function seedFiles(dir: string): { name: string; bytes: Uint8Array }[] {
  const all = [
    ...readdirSync(dir)
      .filter((f) => f.endsWith('.tif'))
      .map((f) => join(dir, f)),
    ...readdirSync(join(dir, 'ours'))
      .filter((f) => f.endsWith('.tif'))
      .map((f) => join(dir, 'ours', f)),
  ];
  return all.sort().map((p) => ({ name: p.slice(dir.length + 1), bytes: new Uint8Array(readFileSync(p)) }));
}

export type Outcome =
  { kind: 'read' | 'typed-error'; detail: string; ms: number } | { kind: 'FAILURE'; detail: string; ms: number };

/** Reads one variant; anything but a consistent volume or a CycleDeconError is a FAILURE, as is taking > limitMs. */
export async function tryVariant(
  path: string,
  bytes: Uint8Array,
  limitMs = 2000,
  maxBytes = 64 * 1024 * 1024,
): Promise<Outcome> {
  writeFileSync(path, bytes);
  const t0 = performance.now();
  let out: Outcome;
  try {
    const v = await readVolume(path, { maxBytes });
    const ok =
      v.data.length === v.shape[0] * v.shape[1] * v.shape[2] &&
      v.shape.every((n) => n > 0) &&
      v.voxelSize.x > 0 &&
      v.voxelSize.z > 0;
    out = ok
      ? { kind: 'read', detail: v.shape.join('×'), ms: 0 }
      : { kind: 'FAILURE', detail: `inconsistent volume ${v.shape.join('×')}`, ms: 0 };
  } catch (e) {
    out = isCycleDeconError(e)
      ? { kind: 'typed-error', detail: e.name, ms: 0 }
      : { kind: 'FAILURE', detail: `untyped ${(e as Error)?.stack ?? String(e)}`, ms: 0 };
  }
  out.ms = performance.now() - t0;
  if (out.ms > limitMs && out.kind !== 'FAILURE')
    out = { kind: 'FAILURE', detail: `took ${out.ms.toFixed(0)} ms`, ms: out.ms };
  return out;
}
