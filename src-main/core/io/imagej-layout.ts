// Byte layout of the ImageJ-compatible TIFFs we write: header, contiguous slice data (as ImageJ itself
// writes it, so Fiji's fast reader applies), then one IFD per slice, the two resolution rationals and the
// ImageDescription. Everything except the description is known from the shape alone, which lets the
// streaming writer put pixels on disk before min/max (part of the description) are known.
import type { Shape3, VoxelSize } from './volume';

export type WriteDtype = 'float32' | 'uint16';
/** Classic TIFF offsets are 32-bit; above this size we write BigTIFF. */
export const CLASSIC_TIFF_LIMIT = 2 ** 32 - 1;

export interface Layout {
  bigTiff: boolean;
  headerBytes: number;
  sliceBytes: number;
  dataEnd: number;
  ifdOffsets: number[];
  rationalsAt: number;
  descriptionAt: number;
}

const TAGS_FIRST = 15;

function ifdSize(big: boolean, tags: number): number {
  return big ? 8 + tags * 20 + 8 : 2 + tags * 12 + 4;
}

/** `pages` is slices × channels × frames for a hyperstack (default: the z slices of one volume). */
export function planLayout(
  shape: Shape3,
  dtype: WriteDtype,
  bigTiffThreshold = CLASSIC_TIFF_LIMIT,
  pages = shape[0],
): Layout {
  const [, ny, nx] = shape;
  const nz = pages;
  const sliceBytes = ny * nx * (dtype === 'float32' ? 4 : 2);
  const estimate = 8 + nz * sliceBytes + nz * ifdSize(false, TAGS_FIRST) + 16 + 65536;
  const bigTiff = estimate > bigTiffThreshold;
  const headerBytes = bigTiff ? 16 : 8;
  const dataEnd = headerBytes + nz * sliceBytes;
  const ifdOffsets: number[] = [];
  let at = dataEnd;
  for (let z = 0; z < nz; z++) {
    ifdOffsets.push(at);
    at += ifdSize(bigTiff, z === 0 ? TAGS_FIRST : TAGS_FIRST - 1);
  }
  return {
    bigTiff,
    headerBytes,
    sliceBytes,
    dataEnd,
    ifdOffsets,
    rationalsAt: at,
    descriptionAt: at + (bigTiff ? 0 : 16),
  };
}

export function headerBytes(layout: Layout): Uint8Array {
  const b = new Uint8Array(layout.headerBytes);
  const dv = new DataView(b.buffer);
  b[0] = 0x49;
  b[1] = 0x49;
  if (layout.bigTiff) {
    dv.setUint16(2, 43, true);
    dv.setUint16(4, 8, true);
    dv.setUint16(6, 0, true);
    dv.setBigUint64(8, BigInt(layout.ifdOffsets[0]!), true);
  } else {
    dv.setUint16(2, 42, true);
    dv.setUint32(4, layout.ifdOffsets[0]!, true);
  }
  return b;
}

/** Best rational approximation num/den (both < 2³²) of `value`, by continued fractions. */
export function toRational(value: number): [number, number] {
  if (!Number.isFinite(value) || value <= 0) return [1, 1];
  const MAX = 0xffffffff;
  let [h0, h1, k0, k1] = [0, 1, 1, 0];
  let x = value;
  for (let i = 0; i < 64; i++) {
    const a = Math.floor(x);
    const h2 = a * h1 + h0;
    const k2 = a * k1 + k0;
    if (h2 > MAX || k2 > MAX) break;
    [h0, h1, k0, k1] = [h1, h2, k1, k2];
    if (h1 / k1 === value || x - a < 1e-12) break;
    x = 1 / (x - a);
  }
  return k1 === 0 ? [MAX, 1] : [h1, k1];
}

/** ImageJ calls a micrometre 'micron'; other units are written as they are (ASCII only). */
export function imagejUnit(unit: string): string | undefined {
  const u = unit.trim().toLowerCase();
  if (u === 'µm' || u === 'μm' || u === 'um' || u === 'micron' || u === 'microns') return 'micron';
  if (u === '' || u === 'px' || u === 'pixel' || u === 'pixels') return undefined;
  return /^[\x20-\x7e]+$/.test(unit) ? unit : undefined;
}

export function formatNumber(v: number): string {
  return Number.isFinite(v) ? String(v) : '0';
}

export interface DescriptionInput {
  nz: number;
  /** Hyperstack axes; pages are stored channel fastest, then slice, then frame (ImageJ's CZT order). */
  channels?: number;
  frames?: number;
  voxelSize: VoxelSize;
  min: number;
  max: number;
  intensityScale?: string;
  extra?: Record<string, string>;
}

const RESERVED = new Set([
  'imagej',
  'images',
  'slices',
  'channels',
  'frames',
  'hyperstack',
  'unit',
  'spacing',
  'loop',
  'min',
  'max',
  'mode',
  'intensityscale',
]);

/** ImageJ's description; extra keys are `key=value` lines ImageJ ignores and our reader restores. */
export function imagejDescription(d: DescriptionInput): string {
  const nc = d.channels ?? 1,
    nt = d.frames ?? 1;
  const lines = ['ImageJ=1.11a', `images=${d.nz * nc * nt}`];
  if (nc > 1) lines.push(`channels=${nc}`);
  lines.push(`slices=${d.nz}`);
  if (nt > 1) lines.push(`frames=${nt}`);
  if (nc > 1 || nt > 1) lines.push('hyperstack=true');
  if (nc > 1) lines.push('mode=grayscale');
  const unit = imagejUnit(d.voxelSize.unit);
  if (unit) lines.push(`unit=${unit}`, `spacing=${formatNumber(d.voxelSize.z)}`);
  lines.push('loop=false', `min=${formatNumber(d.min)}`, `max=${formatNumber(d.max)}`);
  const clean = (s: string) => s.replace(/[\r\n\0]+/g, ' ').trim();
  if (d.intensityScale) lines.push(`intensityScale=${clean(d.intensityScale)}`);
  for (const [k, v] of Object.entries(d.extra ?? {})) {
    if (/^[A-Za-z_][\w.-]*$/.test(k) && !RESERVED.has(k.toLowerCase())) lines.push(`${k}=${clean(v)}`);
  }
  return lines.join('\n') + '\n';
}

interface Tag {
  tag: number;
  type: number;
  count: number;
  value: number;
}

/** The IFDs, rationals and description that follow the pixel data. */
export function tailBytes(
  layout: Layout,
  shape: Shape3,
  dtype: WriteDtype,
  voxelSize: VoxelSize,
  description: string,
): Uint8Array {
  const [, ny, nx] = shape;
  const nz = layout.ifdOffsets.length;
  const desc = new TextEncoder().encode(description + '\0');
  const total = layout.descriptionAt + desc.length - layout.dataEnd;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const rel = (abs: number) => abs - layout.dataEnd;
  const big = layout.bigTiff;
  const calibrated = imagejUnit(voxelSize.unit) !== undefined;
  // XResolution is pixels per unit = den/num of the voxel size, so a reader computing den/num gets it back exactly.
  const flip = (r: [number, number]): [number, number] => [r[1], r[0]];
  const xr: [number, number] = calibrated ? flip(toRational(voxelSize.x)) : [1, 1];
  const yr: [number, number] = calibrated ? flip(toRational(voxelSize.y)) : [1, 1];
  if (!big) {
    dv.setUint32(rel(layout.rationalsAt), xr[0], true);
    dv.setUint32(rel(layout.rationalsAt) + 4, xr[1], true);
    dv.setUint32(rel(layout.rationalsAt) + 8, yr[0], true);
    dv.setUint32(rel(layout.rationalsAt) + 12, yr[1], true);
  }
  for (let z = 0; z < nz; z++) {
    const tags: Tag[] = [
      { tag: 254, type: 4, count: 1, value: 0 },
      { tag: 256, type: 4, count: 1, value: nx },
      { tag: 257, type: 4, count: 1, value: ny },
      { tag: 258, type: 3, count: 1, value: dtype === 'float32' ? 32 : 16 },
      { tag: 259, type: 3, count: 1, value: 1 },
      { tag: 262, type: 3, count: 1, value: 1 },
      ...(z === 0 ? [{ tag: 270, type: 2, count: desc.length, value: layout.descriptionAt }] : []),
      { tag: 273, type: big ? 16 : 4, count: 1, value: layout.headerBytes + z * layout.sliceBytes },
      { tag: 277, type: 3, count: 1, value: 1 },
      { tag: 278, type: 4, count: 1, value: ny },
      { tag: 279, type: big ? 16 : 4, count: 1, value: layout.sliceBytes },
      { tag: 282, type: 5, count: 1, value: big ? -1 : layout.rationalsAt },
      { tag: 283, type: 5, count: 1, value: big ? -2 : layout.rationalsAt + 8 },
      { tag: 296, type: 3, count: 1, value: 1 },
      { tag: 339, type: 3, count: 1, value: dtype === 'float32' ? 3 : 1 },
    ];
    let at = rel(layout.ifdOffsets[z]!);
    if (big) {
      dv.setBigUint64(at, BigInt(tags.length), true);
      at += 8;
    } else {
      dv.setUint16(at, tags.length, true);
      at += 2;
    }
    for (const t of tags) {
      dv.setUint16(at, t.tag, true);
      dv.setUint16(at + 2, t.type, true);
      const v = at + (big ? 12 : 8);
      if (big) dv.setBigUint64(at + 4, BigInt(t.count), true);
      else dv.setUint32(at + 4, t.count, true);
      if (t.type === 5 && big) {
        const r = t.value === -1 ? xr : yr;
        dv.setUint32(v, r[0], true);
        dv.setUint32(v + 4, r[1], true);
      } else if (t.type === 3) dv.setUint16(v, t.value, true);
      else if (big) dv.setBigUint64(v, BigInt(t.value), true);
      else dv.setUint32(v, t.value, true);
      at += big ? 20 : 12;
    }
    const next = z + 1 < nz ? layout.ifdOffsets[z + 1]! : 0;
    if (big) dv.setBigUint64(at, BigInt(next), true);
    else dv.setUint32(at, next, true);
  }
  out.set(desc, rel(layout.descriptionAt));
  return out;
}
