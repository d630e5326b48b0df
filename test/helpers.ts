// Paths shared by the tests: the repository root, committed fixtures, and ../shared/data.
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
/** The team's shared sample data (see ../shared/data/README.md for provenance). */
export const sharedDataDir = resolve(repoRoot, '..', 'shared', 'data');

export function fixture(...parts: string[]): string {
  return join(fixturesDir, ...parts);
}
export function sharedData(...parts: string[]): string {
  return join(sharedDataDir, ...parts);
}
export function tempDir(prefix = 'cycledecon-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Seeded uniform [0, 1) generator (mulberry32) for reproducible test inputs. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
