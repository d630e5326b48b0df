// Decompression-bomb guard: the pixels a set of pages declares must be explainable by the distinct bytes
// its strips or tiles occupy in the file. Summing byte counts is not enough — a 35 KB file whose 1024 pages
// all point at one compressed blob declares a 1 GiB stack — so overlapping ranges are counted once.
import type { TiffPage } from './tiff-structure';

/**
 * Largest decoded : stored ratio each compression can reach. Deflate: one length/distance pair (≥ 2 bits)
 * yields at most 258 bytes, 1032:1 (RFC 1951 §3.2.5); PackBits: a 2-byte run yields 128 bytes; LZW: 12-bit
 * codes whose strings reach ~4 KB once the table is full (~2700:1, rounded up); none: 1:1.
 */
export const MAX_EXPANSION: Record<number, number> = { 1: 1, 5: 4096, 8: 1032, 32946: 1032, 32773: 64 };

/** Stored bytes forgiven for compressed pages (rounding of the ratios above; genuine pages stay well below them). */
const SLACK_BYTES = 64;

/** Number of strips or tiles a page uses (the rest of its offset arrays is ignored by the decoder). */
export function chunkCount(page: TiffPage): number {
  if (page.tileWidth !== undefined) {
    return Math.ceil(page.width / (page.tileWidth || 1)) * Math.ceil(page.height / (page.tileHeight || 1));
  }
  return Math.ceil(page.height / (page.rowsPerStrip || 1));
}

/** Bytes covered by the union of the pages' used strip/tile ranges [offset, offset + byteCount). */
export function distinctStoredBytes(pages: TiffPage[]): number {
  let total = 0;
  for (const p of pages) total += Math.min(chunkCount(p), p.offsets.length, p.byteCounts.length);
  const starts = new Float64Array(total);
  const ends = new Float64Array(total);
  let n = 0;
  let sorted = true;
  for (const p of pages) {
    const k = Math.min(chunkCount(p), p.offsets.length, p.byteCounts.length);
    for (let i = 0; i < k; i++, n++) {
      starts[n] = p.offsets[i]!;
      ends[n] = p.offsets[i]! + p.byteCounts[i]!;
      if (n > 0 && starts[n]! < starts[n - 1]!) sorted = false;
    }
  }
  // Writers store strips in file order, so the sort is usually skipped.
  const order = sorted ? null : Array.from({ length: n }, (_, i) => i).sort((a, b) => starts[a]! - starts[b]!);
  let covered = 0;
  let reach = -Infinity;
  for (let j = 0; j < n; j++) {
    const i = order ? order[j]! : j;
    const s = Math.max(starts[i]!, reach);
    if (ends[i]! > s) covered += ends[i]! - s;
    reach = Math.max(reach, ends[i]!);
  }
  return covered;
}

/**
 * The pixel bytes `pages` declare and the distinct bytes their data occupies, when the first cannot come
 * from the second (Σ decoded / max expansion of each page's compression exceeds the distinct stored bytes).
 */
export function overExpanded(
  pages: TiffPage[],
  decodedBytes: (p: TiffPage) => number,
): { declared: number; stored: number } | undefined {
  let declared = 0;
  let neededRaw = 0;
  let neededPacked = 0;
  for (const p of pages) {
    const d = decodedBytes(p);
    declared += d;
    if (p.compression === 1) neededRaw += d;
    else neededPacked += d / (MAX_EXPANSION[p.compression] ?? 1);
  }
  const stored = distinctStoredBytes(pages);
  return neededRaw + Math.max(0, neededPacked - SLACK_BYTES) <= stored ? undefined : { declared, stored };
}
