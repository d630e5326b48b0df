// PackBits as specified in TIFF 6.0, section 9: the worked example there, and inputs cut short.
import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers';
import { readVolume } from '../../../src-main/core/io/index';
import { TiffFormatError } from '../../../src-main/core/errors';
import { packbitsDecode } from '../../../src-main/core/io/strip-codecs';
import { pageEntries, TiffBuilder } from './tiff-builder';

const hex = (s: string): Uint8Array => Uint8Array.from(s.split(' ').map((b) => parseInt(b, 16)));

describe('packbitsDecode', () => {
  it('decodes the example of the TIFF 6.0 specification', () => {
    const packed = hex('FE AA 02 80 00 2A FD AA 03 80 00 2A 22 F7 AA');
    const unpacked = hex('AA AA AA 80 00 2A AA AA AA AA 80 00 2A 22 AA AA AA AA AA AA AA AA AA AA');
    expect(Array.from(packbitsDecode(packed, 24))).toEqual(Array.from(unpacked));
  });

  it('stops at maxOut', () => {
    expect(Array.from(packbitsDecode(hex('F7 AA'), 4))).toEqual([0xaa, 0xaa, 0xaa, 0xaa]);
  });

  it('skips the no-op header -128', () => {
    expect(Array.from(packbitsDecode(hex('80 00 05'), 1))).toEqual([5]);
  });

  it('returns only the bytes present when a literal run is cut short', () => {
    expect(Array.from(packbitsDecode(hex('03 01 02'), 4))).toEqual([1, 2]);
  });

  it('stops before a repeat header whose byte is missing instead of writing zeros', () => {
    // Header F7 asks for ten copies of the next byte, but the strip ends there.
    expect(Array.from(packbitsDecode(hex('01 07 08 F7'), 12))).toEqual([7, 8]);
  });

  it('makes a PackBits strip cut inside a repeat run a truncation error when read', async () => {
    // 4×4 uint8 page: a 2-byte literal, then a run of 14 whose byte is missing (14 of 16 pixels unknown).
    const t = new TiffBuilder();
    const strip = hex('01 07 08 F3');
    t.ifd(pageEntries(4, 4, t.blob(strip), strip.length, 32773));
    const path = join(tempDir(), 'cut-run.tif');
    writeFileSync(path, t.build());
    const read = readVolume(path);
    await expect(read).rejects.toBeInstanceOf(TiffFormatError);
    await expect(read).rejects.toThrow(/strip 0 of page 0 decompresses to 2 bytes, needs 16/);
  });
});
