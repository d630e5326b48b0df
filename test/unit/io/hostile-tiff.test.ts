// Hostile TIFFs (built by tiff-builder.ts) whose IFDs share one description, tag array or block of image
// data: what they declare is read at most once, weighed against a budget, and refused with a
// TiffFormatError before anything large is allocated.
import { describe, it, expect, vi, afterEach } from 'vitest';
import { promises as fs, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../../helpers';
import { readTiffInfo, readVolume } from '../../../src-main/core/io/index';
import { FileBytes, readStructure } from '../../../src-main/core/io/tiff-structure';
import { TiffFormatError } from '../../../src-main/core/errors';
import {
  pageEntries,
  sharedDescription,
  sharedStrips,
  sharedStripsInPage,
  sharedTagArrays,
  tileBomb,
  tiledEntries,
  TiffBuilder,
} from './tiff-builder';

const MIB = 1024 * 1024;
const dir = tempDir();
function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}
async function structureOf(path: string, limits?: { totalBytes: number; tagBytes: number }) {
  const handle = await fs.open(path, 'r');
  try {
    return await readStructure(new FileBytes(path, handle, (await handle.stat()).size), limits);
  } finally {
    await handle.close();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('shared metadata is read once and within a budget', () => {
  it('32 IFDs sharing a 1 MiB description read it once', async () => {
    const path = write('desc.tif', sharedDescription(32, MIB));
    const read = vi.spyOn(FileBytes.prototype, 'read');
    const info = await readTiffInfo(path);
    const bytesRead = read.mock.calls.reduce((sum, call) => sum + call[1], 0);
    expect(info.shape).toEqual([32, 16, 16]);
    // Once per IFD this was 32 MiB.
    expect(bytesRead).toBeLessThan(2 * MIB);
  });

  it('IFDs pointing at one tag array share one decoded payload', async () => {
    const s = await structureOf(write('arrays.tif', sharedTagArrays(20, 2, 65536)), { totalBytes: MIB, tagBytes: MIB });
    expect(s.pages).toHaveLength(20);
    expect(s.pages[19]!.offsets).toBe(s.pages[0]!.offsets);
    expect(s.pages[0]!.offsets).toHaveLength(65536);
  });

  it('distinct payloads beyond the budget end in a TiffFormatError', async () => {
    // 40 payloads of ~64 Ki LONGs (512 KiB each in memory) against a 1 MiB budget.
    const path = write('varied.tif', sharedTagArrays(20, 2, 65536, true));
    await expect(structureOf(path, { totalBytes: MIB, tagBytes: MIB })).rejects.toThrow(
      /metadata would need more than 1048576 bytes/,
    );
    await expect(structureOf(path, { totalBytes: MIB, tagBytes: MIB })).rejects.toBeInstanceOf(TiffFormatError);
  });

  it('one tag above the per-tag limit ends in a TiffFormatError', async () => {
    const path = write('bigtag.tif', sharedTagArrays(1, 1, 65536));
    await expect(structureOf(path, { totalBytes: 64 * MIB, tagBytes: 65536 })).rejects.toThrow(
      /262144 bytes, above the 65536-byte limit for one tag/,
    );
  });

  // In a child with a 160 MB heap: reading per IFD needs ~1 GB there and aborts the child (exit 134).
  it.each(['description', 'arrays', 'arrays-varied'])(
    'the %s shape at full size stays within a small heap',
    (shape) => {
      const out = execFileSync(
        process.execPath,
        ['--max-old-space-size=160', '--import', 'tsx', join(repoRoot, 'test/unit/io/hostile-child.ts'), dir, shape],
        { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 },
      );
      const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { outcome: string; name?: string };
      expect(result.outcome).not.toBe('untyped');
      // The shared array is read once and then fails the page checks (it claims 8 samples per pixel).
      if (shape === 'description') expect(result.outcome).toBe('read');
      else if (shape === 'arrays')
        expect(result).toMatchObject({ outcome: 'typed-error', name: 'UnsupportedFormatError' });
      else expect(result).toMatchObject({ outcome: 'typed-error', name: 'TiffFormatError' });
    },
  );
});

describe('declared pixels must fit the distinct stored bytes', () => {
  it('pages sharing one compressed strip are refused before decoding', async () => {
    // 16 pages of 256×256 zeros from one ~100-byte Deflate blob: each page alone is plausible, the stack is not.
    await expect(readTiffInfo(write('strips.tif', sharedStrips(16, 256, 256)))).rejects.toThrow(
      /declare 1048576 bytes of pixels but their image data occupies only \d+ distinct bytes/,
    );
  });

  it('strips of one page sharing one compressed blob are refused', async () => {
    // 4096×4096 (16 MiB) from 256 strips that are all the same ~40 bytes.
    await expect(readTiffInfo(write('in-page.tif', sharedStripsInPage(4096, 4096, 256)))).rejects.toThrow(
      /page 0 claims 16777216 bytes from \d+ compressed bytes/,
    );
  });

  it('pages with their own copy of the same strip still read', async () => {
    const t = new TiffBuilder();
    const packed = deflateSync(new Uint8Array(64 * 64).fill(7));
    for (let i = 0; i < 8; i++) t.ifd(pageEntries(64, 64, t.blob(packed), packed.length, 8));
    const v = await readVolume(write('copies.tif', t.build()));
    expect(v.shape).toEqual([8, 64, 64]);
    expect(v.data.every((x) => x === 7)).toBe(true);
  });

  it('a compressed strip claiming most of the file is refused before it is read', async () => {
    // 16×16 Deflate page whose StripByteCounts takes in 1 MiB of the file after the 12-byte stream.
    const t = new TiffBuilder();
    const packed = deflateSync(new Uint8Array(256));
    const at = t.blob(packed);
    t.blob(new Uint8Array(MIB));
    t.ifd(pageEntries(16, 16, at, MIB, 8));
    await expect(readTiffInfo(write('greedy.tif', t.build()))).rejects.toThrow(
      /block 0 of page 0 stores 1048576 compressed bytes for 256 bytes of pixels/,
    );
  });

  it('a tile whose stream inflates past its declared size is a TiffFormatError, not a 4 MiB allocation', async () => {
    // ~4 KB of Deflate for a 256-byte tile: small enough to pass the stored-size check, a bomb once inflated.
    await expect(readVolume(write('tile-bomb.tif', tileBomb(1, 4 * MIB)))).rejects.toThrow(
      /could not decompress tile 0 of page 0 \(Deflate\): the stream inflates to more than the 256 bytes declared/,
    );
  });

  it('tiles are reassembled with edge clipping and the horizontal predictor', async () => {
    // 20×12 uint16 in 8×8 tiles (3 across, 2 down), Deflate with predictor 2; value = 100·y + x.
    const [w, h, tw, th] = [20, 12, 8, 8];
    const t = new TiffBuilder();
    const offsets: number[] = [];
    const counts: number[] = [];
    for (let ty = 0; ty < 2; ty++) {
      for (let tx = 0; tx < 3; tx++) {
        const tile = new Uint16Array(tw * th);
        for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) tile[y * tw + x] = 100 * (ty * th + y) + tx * tw + x;
        for (let y = 0; y < th; y++) for (let x = tw - 1; x > 0; x--) tile[y * tw + x]! -= tile[y * tw + x - 1]!;
        const packed = deflateSync(new Uint8Array(tile.buffer));
        offsets.push(t.blob(packed));
        counts.push(packed.length);
      }
    }
    t.ifd([...tiledEntries(w, h, tw, th, 16, 8, offsets, counts), { tag: 317, type: 3, values: [2] }]);
    const v = await readVolume(write('tiles.tif', t.build()));
    expect(v.shape).toEqual([1, h, w]);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(v.data[y * w + x]).toBe(100 * y + x);
  });
});
