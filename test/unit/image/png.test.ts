import { describe, expect, it } from 'vitest';
import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { crc32, encodePng, makeRaster, pngDataUri } from '../../../src-main/core/image/png';

/** Independent PNG reader for our subset (8-bit, filter 0): walks the chunks, checks CRCs with zlib's crc32, inflates IDAT. */
function decode(png: Uint8Array): { width: number; height: number; colorType: number; pixels: Uint8Array } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  expect([...png.subarray(0, 8)]).toEqual(sig);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let off = 8,
    width = 0,
    height = 0,
    colorType = -1;
  const idat: Uint8Array[] = [];
  const types: string[] = [];
  while (off < png.length) {
    const len = view.getUint32(off);
    const type = String.fromCharCode(...png.subarray(off + 4, off + 8));
    const body = png.subarray(off + 8, off + 8 + len);
    expect(view.getUint32(off + 8 + len)).toBe(zlibCrc32(png.subarray(off + 4, off + 8 + len)));
    types.push(type);
    if (type === 'IHDR') {
      width = new DataView(body.buffer, body.byteOffset).getUint32(0);
      height = new DataView(body.buffer, body.byteOffset).getUint32(4);
      expect(body[8]).toBe(8);
      colorType = body[9]!;
    }
    if (type === 'IDAT') idat.push(body);
    off += 12 + len;
  }
  expect(types[0]).toBe('IHDR');
  expect(types.at(-1)).toBe('IEND');
  const raw = inflateSync(Buffer.concat(idat));
  const ch = colorType === 2 ? 3 : 1;
  const pixels = new Uint8Array(width * height * ch);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * ch + 1)]).toBe(0);
    pixels.set(raw.subarray(y * (width * ch + 1) + 1, (y + 1) * (width * ch + 1)), y * width * ch);
  }
  return { width, height, colorType, pixels };
}

describe('PNG encoder', () => {
  it('computes the same CRC-32 as zlib', () => {
    const bytes = new TextEncoder().encode('IEND and some other bytes 0123456789');
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
  });

  it('round-trips an RGB image through an independent decoder', () => {
    const r = makeRaster(7, 5, 3);
    for (let i = 0; i < r.data.length; i++) r.data[i] = (i * 37) % 256;
    const d = decode(encodePng(r));
    expect([d.width, d.height, d.colorType]).toEqual([7, 5, 2]);
    expect([...d.pixels]).toEqual([...r.data]);
  });

  it('round-trips a grey image', () => {
    const r = makeRaster(3, 4, 1);
    r.data.set([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 255]);
    const d = decode(encodePng(r));
    expect(d.colorType).toBe(0);
    expect([...d.pixels]).toEqual([...r.data]);
  });

  it('makes a base64 data URI', () => {
    const uri = pngDataUri(makeRaster(2, 2, 3, 128));
    expect(uri.startsWith('data:image/png;base64,')).toBe(true);
    const bytes = Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');
    expect(decode(new Uint8Array(bytes)).pixels.every((v) => v === 128)).toBe(true);
  });

  it('rejects bad sizes', () => {
    expect(() => makeRaster(0, 3)).toThrow(/positive/);
    expect(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) })).toThrow(/does not match/);
  });
});
