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
