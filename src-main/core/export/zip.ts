// A ZIP archive writer (PKWARE APPNOTE 6.3.x, §4.3): local file headers, deflated data (raw DEFLATE, method 8),
// the central directory and its end record; no ZIP64, so entries and the archive stay under 4 GiB. Enough for a
// BioImage Model Zoo package, which is a zip with rdf.yaml at its root.
import { crc32, deflateRawSync } from 'node:zlib';
import { InvalidParameterError } from '../errors';

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

/** DOS date/time of the entries: fixed (1980-01-01 00:00), so the same package gives the same bytes. */
const DOS_TIME = 0,
  DOS_DATE = (0 << 9) | (1 << 5) | 1;

export function encodeZip(entries: readonly ZipEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    const packed = deflateRawSync(e.data);
    if (e.data.length >= 0xffffffff || offset >= 0xffffffff)
      throw new InvalidParameterError(
        'zip',
        `${e.name}: archives over 4 GiB need ZIP64, which this writer does not support`,
      );
    const crc = crc32(e.data);
    const local = new Uint8Array(30 + name.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, 20, true);
    l.setUint16(6, 0x0800, true); // version 2.0, UTF-8 names
    l.setUint16(8, 8, true);
    l.setUint16(10, DOS_TIME, true);
    l.setUint16(12, DOS_DATE, true);
    l.setUint32(14, crc, true);
    l.setUint32(18, packed.length, true);
    l.setUint32(22, e.data.length, true);
    l.setUint16(26, name.length, true);
    l.setUint16(28, 0, true);
    local.set(name, 30);
    const dir = new Uint8Array(46 + name.length);
    const d = new DataView(dir.buffer);
    d.setUint32(0, 0x02014b50, true);
    d.setUint16(4, 20, true);
    d.setUint16(6, 20, true);
    d.setUint16(8, 0x0800, true);
    d.setUint16(10, 8, true);
    d.setUint16(12, DOS_TIME, true);
    d.setUint16(14, DOS_DATE, true);
    d.setUint32(16, crc, true);
    d.setUint32(20, packed.length, true);
    d.setUint32(24, e.data.length, true);
    d.setUint16(28, name.length, true);
    d.setUint32(42, offset, true);
    dir.set(name, 46);
    parts.push(local, packed);
    central.push(dir);
    offset += local.length + packed.length;
  }
  const dirSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const v = new DataView(end.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, entries.length, true);
  v.setUint16(10, entries.length, true);
  v.setUint32(12, dirSize, true);
  v.setUint32(16, offset, true);
  const all = [...parts, ...central, end];
  const out = new Uint8Array(all.reduce((s, c) => s + c.length, 0));
  let o = 0;
  for (const c of all) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
