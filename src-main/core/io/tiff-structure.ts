// Walks a TIFF's header and IFD chain with bounds checks, loop detection and page-count caps, so that a
// corrupt or hostile file ends in a TiffFormatError before any decoder (ours or geotiff's) touches it.
import type { promises as fs } from 'node:fs';
import { TiffFormatError } from '../errors';
import { defaultLimits, MetadataBudget, PAGE_COST, type MetadataLimits } from './metadata-budget';

export interface TiffPage {
  /** Position of this IFD in the file's IFD chain (geotiff's image index). */
  index: number;
  width: number;
  height: number;
  bitsPerSample: number[];
  /** 1 unsigned int, 2 signed int, 3 float (TIFF SampleFormat). */
  sampleFormat: number;
  samplesPerPixel: number;
  compression: number;
  photometric: number;
  planarConfig: number;
  predictor: number;
  subfileType: number;
  rowsPerStrip: number;
  tileWidth?: number;
  tileHeight?: number;
  offsets: number[];
  byteCounts: number[];
  /** ImageDescription of the first IFD only: no other page's is interpreted, so none is read. */
  description?: string;
  /** XResolution / YResolution as stored: pixels per unit = num / den. */
  xResolution?: [num: number, den: number];
  yResolution?: [num: number, den: number];
  resolutionUnit: number;
}

export interface TiffStructure {
  file: string;
  fileBytes: number;
  littleEndian: boolean;
  bigTiff: boolean;
  pages: TiffPage[];
}

const TYPE_SIZE: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8,
};
/** Array-valued tags we keep; every other entry is only bounds-checked. */
const WANTED = new Set([
  254, 256, 257, 258, 259, 262, 270, 273, 277, 278, 279, 282, 283, 284, 296, 317, 322, 323, 324, 325, 339,
]);
const MAX_ENTRIES = 4096;

export class FileBytes {
  constructor(
    readonly file: string,
    readonly handle: fs.FileHandle,
    readonly size: number,
  ) {}

  async read(position: number, length: number, what: string): Promise<DataView> {
    if (!Number.isSafeInteger(position) || position < 0 || length < 0 || position + length > this.size) {
      throw new TiffFormatError(
        this.file,
        `truncated or corrupt: ${what} lies outside the file (bytes ${position}–${position + length} of ${this.size})`,
        'The file may be incomplete; copy it again from its source.',
      );
    }
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buf, done, length - done, position + done);
      if (bytesRead === 0) throw new TiffFormatError(this.file, `truncated: unexpected end of file reading ${what}`);
      done += bytesRead;
    }
    return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
}

function readValue(dv: DataView, type: number, at: number, le: boolean): number {
  switch (type) {
    case 1:
    case 2:
    case 7:
      return dv.getUint8(at);
    case 6:
      return dv.getInt8(at);
    case 3:
      return dv.getUint16(at, le);
    case 8:
      return dv.getInt16(at, le);
    case 4:
    case 13:
      return dv.getUint32(at, le);
    case 9:
      return dv.getInt32(at, le);
    case 10: {
      const d = dv.getInt32(at + 4, le);
      return d === 0 ? NaN : dv.getInt32(at, le) / d;
    }
    case 11:
      return dv.getFloat32(at, le);
    case 12:
      return dv.getFloat64(at, le);
    case 16:
    case 18:
      return Number(dv.getBigUint64(at, le));
    case 17:
      return Number(dv.getBigInt64(at, le));
    default:
      return NaN;
  }
}

interface RawEntry {
  tag: number;
  values: number[];
  text?: string;
}
type Payload = Omit<RawEntry, 'tag'>;

/**
 * Reads out-of-line tag payloads once each: IFDs that point at the same bytes share one decoded payload
 * (callers treat TiffPage arrays as read-only), and every distinct payload is charged to the budget first.
 */
class PayloadReader {
  private readonly cache = new Map<string, Payload>();
  constructor(
    readonly src: FileBytes,
    readonly le: boolean,
    readonly budget: MetadataBudget,
  ) {}

  async read(type: number, count: number, ptr: number, what: string): Promise<Payload> {
    const key = `${type}:${ptr}:${count}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const size = checkedSize(type);
    this.budget.checkTag(size * count, what);
    // Rationals: only the first four pairs are ever used (X/YResolution hold one).
    const bytes = type === 5 ? Math.min(count, 4) * 8 : size * count;
    // Held in memory: the text, or one 8-byte number per value kept.
    this.budget.charge(type === 2 ? bytes : (type === 5 ? Math.min(count, 4) * 2 : count) * 8, what);
    const dv = await this.src.read(ptr, bytes, what);
    const payload = decodePayload(dv, 0, type, count, this.le);
    this.cache.set(key, payload);
    return payload;
  }
}

/** Bytes per value of a field type readIfd has accepted (it skips or rejects the types TYPE_SIZE lacks). */
function checkedSize(type: number): number {
  const size = TYPE_SIZE[type];
  if (size === undefined) throw new Error(`TIFF field type ${type} reached the payload reader unchecked`);
  return size;
}

function decodePayload(dv: DataView, base: number, type: number, count: number, le: boolean): Payload {
  const size = checkedSize(type);
  if (type === 2) {
    const raw = new Uint8Array(dv.buffer, dv.byteOffset + base, size * count);
    const end = raw.indexOf(0);
    return { values: [], text: Buffer.from(raw.subarray(0, end < 0 ? raw.length : end)).toString('utf8') };
  }
  const values: number[] = [];
  if (type === 5) {
    // Rationals are kept as [numerator, denominator] pairs so calibrations divide exactly once.
    for (let k = 0; k < Math.min(count, 4); k++)
      values.push(dv.getUint32(base + k * 8, le), dv.getUint32(base + k * 8 + 4, le));
  } else {
    for (let k = 0; k < count; k++) values.push(readValue(dv, type, base + k * size, le));
  }
  return { values };
}

async function readIfd(
  payloads: PayloadReader,
  offset: number,
  big: boolean,
  index: number,
): Promise<{ entries: Map<number, RawEntry>; next: number }> {
  const { src, le } = payloads;
  const countBytes = big ? 8 : 2;
  const entrySize = big ? 20 : 12;
  const inline = big ? 8 : 4;
  const head = await src.read(offset, countBytes, `IFD ${index}`);
  const n = big ? Number(head.getBigUint64(0, le)) : head.getUint16(0, le);
  if (n === 0 || n > MAX_ENTRIES) throw new TiffFormatError(src.file, `corrupt: IFD ${index} claims ${n} entries`);
  payloads.budget.charge(PAGE_COST, `IFD ${index}`);
  const body = await src.read(offset + countBytes, n * entrySize + (big ? 8 : 4), `IFD ${index}`);
  const entries = new Map<number, RawEntry>();
  for (let i = 0; i < n; i++) {
    const at = i * entrySize;
    const tag = body.getUint16(at, le);
    const type = body.getUint16(at + 2, le);
    const count = big ? Number(body.getBigUint64(at + 4, le)) : body.getUint32(at + 4, le);
    const size = TYPE_SIZE[type];
    if (size === undefined) {
      if (WANTED.has(tag))
        throw new TiffFormatError(src.file, `corrupt: tag ${tag} in IFD ${index} has unknown type ${type}`);
      continue;
    }
    const bytes = size * count;
    const valueAt = at + 4 + (big ? 8 : 4);
    if (bytes <= inline) {
      if (WANTED.has(tag)) entries.set(tag, { tag, ...decodePayload(body, valueAt, type, count, le) });
      continue;
    }
    const ptr = big ? Number(body.getBigUint64(valueAt, le)) : body.getUint32(valueAt, le);
    if (ptr + bytes > src.size)
      throw new TiffFormatError(src.file, `truncated or corrupt: tag ${tag} of IFD ${index} points outside the file`);
    // Only the first page's ImageDescription is ever interpreted (ImageJ and OME keep theirs there).
    if (!WANTED.has(tag) || (tag === 270 && index > 0)) continue;
    entries.set(tag, { tag, ...(await payloads.read(type, count, ptr, `tag ${tag} of IFD ${index}`)) });
  }
  const nextAt = n * entrySize;
  const next = big ? Number(body.getBigUint64(nextAt, le)) : body.getUint32(nextAt, le);
  return { entries, next };
}

function rational(e: RawEntry | undefined): [number, number] | undefined {
  if (!e || e.values.length < 2 || !(e.values[0]! > 0) || !(e.values[1]! > 0)) return undefined;
  return [e.values[0]!, e.values[1]!];
}

function toPage(entries: Map<number, RawEntry>, index: number): TiffPage {
  const one = (tag: number, def: number): number => entries.get(tag)?.values[0] ?? def;
  const tiled = entries.has(322);
  return {
    index,
    width: one(256, 0),
    height: one(257, 0),
    bitsPerSample: entries.get(258)?.values ?? [1],
    sampleFormat: one(339, 1),
    samplesPerPixel: one(277, 1),
    compression: one(259, 1),
    photometric: one(262, 1),
    planarConfig: one(284, 1),
    predictor: one(317, 1),
    subfileType: one(254, 0),
    rowsPerStrip: Math.min(one(278, 0xffffffff), one(257, 0)) || one(257, 0),
    tileWidth: tiled ? one(322, 0) : undefined,
    tileHeight: tiled ? one(323, 0) : undefined,
    offsets: entries.get(tiled ? 324 : 273)?.values ?? [],
    byteCounts: entries.get(tiled ? 325 : 279)?.values ?? [],
    description: entries.get(270)?.text,
    xResolution: rational(entries.get(282)),
    yResolution: rational(entries.get(283)),
    resolutionUnit: one(296, 2),
  };
}

/** Reads the header and every IFD of an open file. Throws TiffFormatError for anything malformed. */
export async function readStructure(
  src: FileBytes,
  limits: MetadataLimits = defaultLimits(src.size),
): Promise<TiffStructure> {
  if (src.size < 8)
    throw new TiffFormatError(src.file, `not a TIFF file (only ${src.size} bytes)`, 'Open a .tif/.tiff stack.');
  const head = await src.read(0, Math.min(16, src.size), 'header');
  const order = String.fromCharCode(head.getUint8(0), head.getUint8(1));
  if (order !== 'II' && order !== 'MM')
    throw new TiffFormatError(src.file, 'not a TIFF file (no II/MM byte-order mark)', 'Open a .tif/.tiff stack.');
  const le = order === 'II';
  const magic = head.getUint16(2, le);
  let big = false;
  let first: number;
  if (magic === 42) {
    first = head.getUint32(4, le);
  } else if (magic === 43) {
    if (src.size < 16 || head.getUint16(4, le) !== 8) throw new TiffFormatError(src.file, 'corrupt BigTIFF header');
    big = true;
    first = Number(head.getBigUint64(8, le));
  } else {
    throw new TiffFormatError(
      src.file,
      `not a TIFF file (magic number ${magic}, expected 42 or 43)`,
      'Open a .tif/.tiff stack.',
    );
  }
  const payloads = new PayloadReader(src, le, new MetadataBudget(src.file, limits));
  const pages: TiffPage[] = [];
  const seen = new Set<number>();
  // Each IFD takes at least 18 bytes, which bounds the page count by the file size.
  const maxPages = Math.floor(src.size / 18) + 1;
  let offset = first;
  while (offset !== 0) {
    if (seen.has(offset)) throw new TiffFormatError(src.file, `corrupt: IFD chain loops back to byte ${offset}`);
    if (pages.length >= maxPages) throw new TiffFormatError(src.file, 'corrupt: more IFDs than the file can hold');
    seen.add(offset);
    const { entries, next } = await readIfd(payloads, offset, big, pages.length);
    pages.push(toPage(entries, pages.length));
    offset = next;
  }
  if (pages.length === 0) throw new TiffFormatError(src.file, 'contains no images');
  return { file: src.file, fileBytes: src.size, littleEndian: le, bigTiff: big, pages };
}
