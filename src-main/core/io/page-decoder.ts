// Checks that a page is a single-sample greyscale image we can decode, and decodes it into float32.
// Strips and tiles are read directly and decompressed by the bounded codecs in strip-codecs.ts.
import type { SampleType } from './volume';
import type { FileBytes, TiffPage } from './tiff-structure';
import { TiffFormatError, UnsupportedFormatError } from '../errors';
import { chunkCount, overExpanded } from './expansion';
import { inflateDecode, lzwDecode, packbitsDecode, undoHorizontal } from './strip-codecs';

export const COMPRESSION_NAMES: Record<number, string> = {
  1: 'none',
  5: 'LZW',
  8: 'Deflate',
  32946: 'Deflate',
  32773: 'PackBits',
};

export function sampleTypeOf(file: string, page: TiffPage): SampleType {
  const bits = page.bitsPerSample[0];
  if (page.bitsPerSample.some((b) => b !== bits))
    throw new UnsupportedFormatError(file, 'samples of different bit depths');
  const key = `${page.sampleFormat}:${bits}`;
  const map: Record<string, SampleType> = {
    '1:8': 'uint8',
    '1:16': 'uint16',
    '1:32': 'uint32',
    '2:16': 'int16',
    '2:32': 'int32',
    '3:32': 'float32',
    '3:64': 'float64',
  };
  const t = map[key];
  if (!t) {
    const kind =
      page.sampleFormat === 3
        ? 'float'
        : page.sampleFormat === 2
          ? 'signed int'
          : page.sampleFormat === 1
            ? 'unsigned int'
            : `sample format ${page.sampleFormat}`;
    throw new UnsupportedFormatError(
      file,
      `${bits}-bit ${kind} samples are not supported`,
      'Supported: uint8, uint16, int16, uint32, int32, float32, float64.',
    );
  }
  return t;
}

export const BYTES: Record<SampleType, number> = {
  uint8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  float64: 8,
};

/** Most bytes a compressed chunk of `decoded` bytes can take: LZW's worst case is 12 bits a byte (1.5×). */
const maxStoredBytes = (decoded: number): number => 2 * decoded + 4096;

/** Bytes the decoder produces for `page`: its pixels, or all of its whole tiles, padding included. */
export function declaredBytes(page: TiffPage, type: SampleType): number {
  const perSample = BYTES[type];
  if (page.tileWidth === undefined) return page.width * page.height * perSample;
  return chunkCount(page) * page.tileWidth * (page.tileHeight ?? 0) * perSample;
}

/** Validates one page against the file size and the allocation limit; returns its sample type. */
export function checkPage(file: string, fileBytes: number, page: TiffPage, maxBytes: number): SampleType {
  if (page.width <= 0 || page.height <= 0) {
    throw new TiffFormatError(file, `page ${page.index} has a zero-sized dimension (${page.width}×${page.height})`);
  }
  if (page.samplesPerPixel !== 1 || page.photometric === 2) {
    throw new UnsupportedFormatError(
      file,
      `RGB or multi-sample pixels (${page.samplesPerPixel} samples per pixel) are not supported`,
      'Save each colour channel as a separate greyscale channel (ImageJ: Image › Color › Split Channels).',
    );
  }
  if (page.photometric > 1)
    throw new UnsupportedFormatError(
      file,
      `photometric interpretation ${page.photometric} (palette/colour) is not supported`,
    );
  const type = sampleTypeOf(file, page);
  if (!(page.compression in COMPRESSION_NAMES)) {
    throw new UnsupportedFormatError(
      file,
      `compression ${page.compression} is not supported`,
      'Supported: none, LZW, Deflate, PackBits.',
    );
  }
  const pageBytes = page.width * page.height * BYTES[type];
  if (pageBytes > maxBytes)
    throw new TiffFormatError(
      file,
      `page ${page.index} would need ${pageBytes} bytes, above the ${maxBytes}-byte limit`,
    );
  const tiled = page.tileWidth !== undefined;
  let chunks: number;
  if (tiled) {
    const tw = page.tileWidth ?? 0;
    const th = page.tileHeight ?? 0;
    if (tw <= 0 || th <= 0 || tw * th * BYTES[type] > maxBytes)
      throw new TiffFormatError(file, `page ${page.index} has invalid tile size ${tw}×${th}`);
    chunks = Math.ceil(page.width / tw) * Math.ceil(page.height / th);
  } else {
    if (page.rowsPerStrip <= 0) throw new TiffFormatError(file, `page ${page.index} has invalid RowsPerStrip`);
    chunks = Math.ceil(page.height / page.rowsPerStrip);
  }
  if (page.offsets.length < chunks || page.byteCounts.length < chunks) {
    throw new TiffFormatError(
      file,
      `corrupt: page ${page.index} lists ${page.offsets.length} data blocks, needs ${chunks}`,
    );
  }
  const chunkBytes = tiled
    ? (page.tileWidth ?? 0) * (page.tileHeight ?? 0) * BYTES[type]
    : page.rowsPerStrip * page.width * BYTES[type];
  for (let i = 0; i < chunks; i++) {
    const off = page.offsets[i]!;
    const n = page.byteCounts[i]!;
    if (!Number.isSafeInteger(off) || !Number.isSafeInteger(n) || off < 0 || n < 0 || off + n > fileBytes) {
      throw new TiffFormatError(
        file,
        `truncated: image data of page ${page.index} extends past the end of the file`,
        'The file may be incomplete; copy it again from its source.',
      );
    }
    // Each compressed chunk is read whole: one claiming far more than it can decode to would make every
    // strip re-read a large part of the file.
    if (page.compression !== 1 && n > maxStoredBytes(chunkBytes)) {
      throw new TiffFormatError(
        file,
        `corrupt: block ${i} of page ${page.index} stores ${n} compressed bytes for ${chunkBytes} bytes of pixels`,
      );
    }
  }
  const declared = declaredBytes(page, type);
  const over = overExpanded([page], () => declared);
  if (over && page.compression === 1) {
    throw new TiffFormatError(
      file,
      `truncated: page ${page.index} holds ${over.stored} bytes of image data, needs ${declared}`,
    );
  }
  if (over)
    throw new TiffFormatError(
      file,
      `corrupt: page ${page.index} claims ${declared} bytes from ${over.stored} compressed bytes`,
    );
  if (page.predictor !== 1 && !(page.predictor === 2 && type !== 'float32' && type !== 'float64')) {
    throw new UnsupportedFormatError(
      file,
      `predictor ${page.predictor} with ${type} samples is not supported`,
      'Save without a predictor, or with horizontal differencing for integer data.',
    );
  }
  if (tiled && page.compression === 5)
    throw new UnsupportedFormatError(file, 'tiled LZW pages are not supported', 'Save with strips, or with Deflate.');
  return type;
}

const VIEWS = {
  uint8: Uint8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};
const GETTERS: Record<SampleType, (v: DataView, i: number, le: boolean) => number> = {
  uint8: (v, i) => v.getUint8(i),
  uint16: (v, i, le) => v.getUint16(i * 2, le),
  int16: (v, i, le) => v.getInt16(i * 2, le),
  uint32: (v, i, le) => v.getUint32(i * 4, le),
  int32: (v, i, le) => v.getInt32(i * 4, le),
  float32: (v, i, le) => v.getFloat32(i * 4, le),
  float64: (v, i, le) => v.getFloat64(i * 8, le),
};
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function convertRaw(
  view: DataView,
  type: SampleType,
  le: boolean,
  out: Float32Array,
  outAt: number,
  count: number,
): void {
  if (le === HOST_LE && view.byteOffset % BYTES[type] === 0) {
    out.set(new VIEWS[type](view.buffer as ArrayBuffer, view.byteOffset, count), outAt);
    return;
  }
  const get = GETTERS[type];
  for (let i = 0; i < count; i++) out[outAt + i] = get(view, i, le);
}

function decompress(page: TiffPage, raw: Uint8Array, need: number): Uint8Array {
  switch (page.compression) {
    case 5:
      return lzwDecode(raw, need);
    case 8:
    case 32946:
      return inflateDecode(raw, need);
    case 32773:
      return packbitsDecode(raw, need);
    default:
      return raw;
  }
}

/** Strip or tile `s` of `page` as exactly `need` bytes in a fresh buffer (aligned for typed views). */
async function readChunk(src: FileBytes, page: TiffPage, s: number, need: number, what: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (page.compression === 1) {
    const view = await src.read(page.offsets[s]!, need, what);
    bytes = new Uint8Array(view.buffer, view.byteOffset, need);
  } else {
    const view = await src.read(page.offsets[s]!, page.byteCounts[s]!, what);
    try {
      bytes = decompress(page, new Uint8Array(view.buffer, view.byteOffset, view.byteLength), need);
    } catch (e) {
      throw new TiffFormatError(
        src.file,
        `corrupt: could not decompress ${what} (${COMPRESSION_NAMES[page.compression]}): ${(e as Error).message}`,
        undefined,
        e,
      );
    }
    if (bytes.length < need)
      throw new TiffFormatError(
        src.file,
        `corrupt or truncated: ${what} decompresses to ${bytes.length} bytes, needs ${need}`,
      );
  }
  const aligned = new Uint8Array(need);
  aligned.set(bytes.subarray(0, need));
  return aligned;
}

/** Converts `count` stored samples (rows of `rowWidth`) to float32 at out[outAt…], undoing predictor 2. */
function convertChunk(
  bytes: Uint8Array,
  page: TiffPage,
  type: SampleType,
  le: boolean,
  rowWidth: number,
  count: number,
  out: Float32Array,
  outAt: number,
): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (page.predictor !== 2) {
    convertRaw(view, type, le, out, outAt, count);
    return;
  }
  const native = new VIEWS[type](count) as Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;
  convertRawInto(view, type, le, native, count);
  undoHorizontal(native, rowWidth);
  out.set(native, outAt);
}

async function decodeStrips(
  src: FileBytes,
  page: TiffPage,
  type: SampleType,
  le: boolean,
  out: Float32Array,
  outAt: number,
): Promise<void> {
  const n = page.width * page.height;
  let done = 0;
  for (let s = 0; done < n; s++) {
    const count = Math.min(page.rowsPerStrip * page.width, n - done);
    const bytes = await readChunk(src, page, s, count * BYTES[type], `strip ${s} of page ${page.index}`);
    convertChunk(bytes, page, type, le, page.width, count, out, outAt + done);
    done += count;
  }
}

/**
 * Tiles are decoded here with the same bounded codecs as strips: each tile's output is capped at its
 * declared tw·th samples, which checkPage has weighed against the file's distinct stored bytes.
 */
async function decodeTiles(
  src: FileBytes,
  page: TiffPage,
  type: SampleType,
  le: boolean,
  out: Float32Array,
  outAt: number,
): Promise<void> {
  const tw = page.tileWidth ?? 0;
  const th = page.tileHeight ?? 0;
  const across = Math.ceil(page.width / tw);
  const tile = new Float32Array(tw * th);
  for (let s = 0; s < chunkCount(page); s++) {
    const bytes = await readChunk(src, page, s, tw * th * BYTES[type], `tile ${s} of page ${page.index}`);
    convertChunk(bytes, page, type, le, tw, tw * th, tile, 0);
    const x0 = (s % across) * tw;
    const y0 = Math.floor(s / across) * th;
    const w = Math.min(tw, page.width - x0);
    for (let y = 0; y < th && y0 + y < page.height; y++) {
      out.set(tile.subarray(y * tw, y * tw + w), outAt + (y0 + y) * page.width + x0);
    }
  }
}

function convertRawInto(
  view: DataView,
  type: SampleType,
  le: boolean,
  target: { [i: number]: number },
  count: number,
): void {
  const get = GETTERS[type];
  for (let i = 0; i < count; i++) target[i] = get(view, i, le);
}

/** Decodes `page` (checked by checkPage) into out[outAt … outAt + width·height). */
export async function decodePage(
  src: FileBytes,
  page: TiffPage,
  type: SampleType,
  le: boolean,
  out: Float32Array,
  outAt: number,
): Promise<void> {
  if (page.tileWidth === undefined) await decodeStrips(src, page, type, le, out, outAt);
  else await decodeTiles(src, page, type, le, out, outAt);
}
