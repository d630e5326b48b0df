// Minimal PNG encoder (8-bit grey or RGB, no interlace) on node:zlib, so reports need no image library.
import { deflateSync } from 'node:zlib';
import { InvalidParameterError } from '../errors';

/** An 8-bit raster: `channels` 1 (grey) or 3 (RGB), row-major, `data.length = width * height * channels`. */
export interface Raster {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export function makeRaster(width: number, height: number, channels: 1 | 3 = 3, fill = 0): Raster {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidParameterError('raster', `size ${width}×${height} must be positive whole numbers`);
  }
  return { width, height, channels, data: new Uint8Array(width * height * channels).fill(fill) };
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out, 4, 8 + body.length));
  return out;
}

export function encodePng(r: Raster): Uint8Array {
  const { width, height, channels, data } = r;
  if (data.length !== width * height * channels) {
    throw new InvalidParameterError(
      'raster',
      `data length ${data.length} does not match ${width}×${height}×${channels}`,
    );
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = channels === 3 ? 2 : 0; // colour type: truecolour or greyscale
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ];
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function pngDataUri(r: Raster): string {
  return `data:image/png;base64,${Buffer.from(encodePng(r)).toString('base64')}`;
}
