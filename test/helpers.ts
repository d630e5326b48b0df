// Paths shared by the tests: the repository root, committed fixtures and the real sample stacks.
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Rng } from '../src-main/core/train/rng';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
/** Real sample stacks committed with the tests: byte-identical copies, provenance and licence in each folder. */
export const sampleDataDir = join(fixturesDir, 'shared-data');

export function fixture(...parts: string[]): string {
  return join(fixturesDir, ...parts);
}
export function sampleData(...parts: string[]): string {
  return join(sampleDataDir, ...parts);
}
export function tempDir(prefix = 'cycledecon-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Seeded uniform [0, 1) generator for reproducible test inputs: the core's mulberry32, so there is one copy. */
export function mulberry32(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}
