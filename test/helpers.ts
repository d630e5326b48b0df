// Paths shared by the tests: the repository root, committed fixtures and the real sample stacks.
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
/** Real sample stacks committed with the tests: byte-identical copies, provenance and licence in each folder. */
export const sampleDataDir = join(fixturesDir, 'shared-data');
/** The team's fuller collection beside a developer checkout; absent on a bare clone, so only optional tests read it. */
export const sharedDataDir = resolve(repoRoot, '..', 'shared', 'data');

export function fixture(...parts: string[]): string {
  return join(fixturesDir, ...parts);
}
export function sampleData(...parts: string[]): string {
  return join(sampleDataDir, ...parts);
}
/** A real stack: the committed copy when there is one, else the path in ../shared/data (may not exist: skip then). */
export function realData(...parts: string[]): string {
  const inRepo = sampleData(...parts);
  return existsSync(inRepo) ? inRepo : join(sharedDataDir, ...parts);
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
