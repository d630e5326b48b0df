// A tiny little-endian classic-TIFF builder for hostile inputs: blobs are appended once and any number of
// IFD entries may point at the same blob, which is how the shared-payload attacks below are made. The
// files are small on disk; what they claim is large.
import { deflateSync } from 'node:zlib';

/** An IFD entry: values written inline or as a new blob, or a pointer (`at`) to an existing blob. */
export type Entry =
  { tag: number; type: number; values: number[] } | { tag: number; type: number; count: number; at: number };

const SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4 };

export class TiffBuilder {
  private chunks: Uint8Array[] = [];
  private length = 8;
  private lastNextAt = 4;
  private patches: [at: number, value: number][] = [];

  /** Appends raw bytes (word-aligned) and returns their offset. */
  blob(bytes: Uint8Array): number {
    if (this.length % 2) this.push(new Uint8Array(1));
    const at = this.length;
    this.push(bytes);
    return at;
  }

  ascii(text: string): number {
    return this.blob(new TextEncoder().encode(text + '\0'));
  }

  longs(values: ArrayLike<number>): number {
    const b = new Uint8Array(values.length * 4);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) dv.setUint32(i * 4, values[i]!, true);
    return this.blob(b);
  }

  /** Appends an IFD, links it from the previous one (or the header) and returns its offset. */
  ifd(entries: Entry[]): number {
    const sorted = [...entries].sort((a, b) => a.tag - b.tag);
    const resolved = sorted.map((e) => {
      if ('at' in e)
        return { tag: e.tag, type: e.type, count: e.count, inline: undefined as Uint8Array | undefined, at: e.at };
      const bytes = encode(e.type, e.values);
      return bytes.length <= 4
        ? { tag: e.tag, type: e.type, count: e.values.length, inline: bytes, at: 0 }
        : { tag: e.tag, type: e.type, count: e.values.length, inline: undefined, at: this.blob(bytes) };
    });
    if (this.length % 2) this.push(new Uint8Array(1));
    const at = this.length;
    const b = new Uint8Array(2 + resolved.length * 12 + 4);
    const dv = new DataView(b.buffer);
    dv.setUint16(0, resolved.length, true);
    resolved.forEach((e, i) => {
      const p = 2 + i * 12;
      dv.setUint16(p, e.tag, true);
      dv.setUint16(p + 2, e.type, true);
      dv.setUint32(p + 4, e.count, true);
      if (e.inline) b.set(e.inline, p + 8);
      else dv.setUint32(p + 8, e.at, true);
    });
    this.push(b);
    this.patches.push([this.lastNextAt, at]);
    this.lastNextAt = at + 2 + resolved.length * 12;
    return at;
  }

  build(): Uint8Array {
    const out = new Uint8Array(this.length);
    out.set([0x49, 0x49, 42, 0], 0);
    let p = 8;
    for (const c of this.chunks) {
      out.set(c, p);
      p += c.length;
    }
    const dv = new DataView(out.buffer);
    for (const [at, v] of this.patches) dv.setUint32(at, v, true);
    return out;
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
}

function encode(type: number, values: number[]): Uint8Array {
  const size = SIZE[type];
  if (size === undefined) throw new Error(`TiffBuilder cannot encode field type ${type}`);
  const b = new Uint8Array(size * values.length);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => {
    if (size === 1) dv.setUint8(i, v);
    else if (size === 2) dv.setUint16(i * 2, v, true);
    else dv.setUint32(i * 4, v, true);
  });
  return b;
}

/** Entries of one single-strip greyscale uint8 page of width × height whose strip is at `stripAt`. */
export function pageEntries(
  width: number,
  height: number,
  stripAt: number,
  stripBytes: number,
  compression = 1,
): Entry[] {
  return [
    { tag: 256, type: 4, values: [width] },
    { tag: 257, type: 4, values: [height] },
    { tag: 258, type: 3, values: [8] },
    { tag: 259, type: 3, values: [compression] },
    { tag: 262, type: 3, values: [1] },
    { tag: 273, type: 4, values: [stripAt] },
    { tag: 277, type: 3, values: [1] },
    { tag: 278, type: 4, values: [height] },
    { tag: 279, type: 4, values: [stripBytes] },
  ];
}

/** `pages` 16×16 pages with their own pixels, every IFD's ImageDescription pointing at one `descBytes` text. */
export function sharedDescription(pages: number, descBytes: number): Uint8Array {
  const t = new TiffBuilder();
  const text = t.ascii('x'.repeat(descBytes - 1));
  for (let i = 0; i < pages; i++) {
    const strip = t.blob(new Uint8Array(256).fill(i & 0xff));
    t.ifd([...pageEntries(16, 16, strip, 256), { tag: 270, type: 2, count: descBytes, at: text }]);
  }
  return t.build();
}

/**
 * `ifds` IFDs whose `tags` array tags (StripOffsets, StripByteCounts, …) all point at one array of `values`
 * LONGs; with `vary` each entry claims a different count, so no two payloads are the same.
 */
export function sharedTagArrays(ifds: number, tags: number, values: number, vary = false): Uint8Array {
  const t = new TiffBuilder();
  const array = t.longs(new Uint32Array(values).fill(8));
  const strip = t.blob(new Uint8Array(256));
  const arrayTags = [273, 279, 258, 324, 325, 254, 277, 278, 284, 317, 339].slice(0, tags);
  for (let i = 0; i < ifds; i++) {
    const base = pageEntries(16, 16, strip, 256).filter((e) => !arrayTags.includes(e.tag));
    t.ifd([
      ...base,
      ...arrayTags.map((tag, k) => ({ tag, type: 4, count: vary ? values - i * tags - k : values, at: array })),
    ]);
  }
  return t.build();
}

/** `pages` width×height uint8 Deflate pages whose single strip is one shared compressed blob of zeros. */
export function sharedStrips(pages: number, width: number, height: number): Uint8Array {
  const t = new TiffBuilder();
  const packed = deflateSync(new Uint8Array(width * height), { level: 9 });
  const strip = t.blob(packed);
  for (let i = 0; i < pages; i++) t.ifd(pageEntries(width, height, strip, packed.length, 8));
  return t.build();
}

/** One width×height uint8 Deflate page of `strips` strips that all point at one compressed blob of zeros. */
export function sharedStripsInPage(width: number, height: number, strips: number): Uint8Array {
  const t = new TiffBuilder();
  const rows = Math.ceil(height / strips);
  const packed = deflateSync(new Uint8Array(width * rows), { level: 9 });
  const strip = t.blob(packed);
  const base = pageEntries(width, height, strip, packed.length, 8).filter((e) => ![273, 278, 279].includes(e.tag));
  t.ifd([
    ...base,
    { tag: 278, type: 4, values: [rows] },
    { tag: 273, type: 4, values: new Array<number>(strips).fill(strip) },
    { tag: 279, type: 4, values: new Array<number>(strips).fill(packed.length) },
  ]);
  return t.build();
}

/** Tile entries of a width×height page of tw×th tiles stored at `offsets` with `counts` bytes. */
export function tiledEntries(
  width: number,
  height: number,
  tw: number,
  th: number,
  bits: number,
  compression: number,
  offsets: number[],
  counts: number[],
): Entry[] {
  return [
    { tag: 256, type: 4, values: [width] },
    { tag: 257, type: 4, values: [height] },
    { tag: 258, type: 3, values: [bits] },
    { tag: 259, type: 3, values: [compression] },
    { tag: 262, type: 3, values: [1] },
    { tag: 277, type: 3, values: [1] },
    { tag: 322, type: 3, values: [tw] },
    { tag: 323, type: 3, values: [th] },
    { tag: 324, type: 4, values: offsets },
    { tag: 325, type: 4, values: counts },
  ];
}

/** `pages` pages of one 16×16 uint8 Deflate tile whose stream inflates to `inflated` bytes, far more than the tile. */
export function tileBomb(pages: number, inflated: number): Uint8Array {
  const t = new TiffBuilder();
  const bomb = deflateSync(new Uint8Array(inflated), { level: 9 });
  const at = t.blob(bomb);
  for (let i = 0; i < pages; i++) t.ifd(tiledEntries(16, 16, 16, 16, 8, 8, [at], [bomb.length]));
  return t.build();
}

/** One 16×16 page with an OME-XML description of about `bytes` bytes built to make regex scans backtrack. */
export function longOmeXml(bytes: number): Uint8Array {
  const t = new TiffBuilder();
  const text = `<?xml version="1.0"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06">${'<Pixels SizeZ=1 '.repeat(Math.ceil(bytes / 16))}`;
  const strip = t.blob(new Uint8Array(256));
  const desc = t.ascii(text);
  t.ifd([...pageEntries(16, 16, strip, 256), { tag: 270, type: 2, count: text.length + 1, at: desc }]);
  return t.build();
}

/** Small instances of every hostile shape above, named, for tests and as fuzz seeds. */
export function hostileSeeds(): { name: string; bytes: Uint8Array }[] {
  return [
    { name: 'hostile/shared-description', bytes: sharedDescription(8, 4096) },
    { name: 'hostile/shared-tag-arrays', bytes: sharedTagArrays(4, 4, 1024) },
    { name: 'hostile/shared-strips', bytes: sharedStrips(16, 64, 64) },
    { name: 'hostile/shared-strips-in-page', bytes: sharedStripsInPage(256, 256, 16) },
    { name: 'hostile/tile-bomb', bytes: tileBomb(2, 65536) },
    { name: 'hostile/long-ome-xml', bytes: longOmeXml(4096) },
  ];
}
