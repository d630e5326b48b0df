// Paths shared by the tests: the repository root, committed fixtures and the real sample stacks.
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Rng } from '../src-main/core/engine/train/rng';

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

/** Seeded uniform [0, 1) generator for reproducible test inputs: the core's mulberry32, so there is one copy. */
export function mulberry32(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}
