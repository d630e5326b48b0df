#!/usr/bin/env node
// The `cycledecon` command. Uses the bundled CLI (npm run build:cli) when it is at least as new as the
// sources; in a source checkout whose bundle is missing or stale it runs the TypeScript through tsx,
// so a checkout never runs yesterday's code by accident.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');
const sources = join(root, 'src-main');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const useBundle =
  existsSync(built) &&
  !process.env.CYCLEDECON_FROM_SOURCE &&
  (!existsSync(sources) || statSync(built).mtimeMs >= newestMtime(sources));

if (useBundle) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(sources, 'cli', 'main.ts')).href);
}
