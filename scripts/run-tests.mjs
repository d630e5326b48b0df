#!/usr/bin/env node
// Runs the whole suite with vitest and closes with one line CI recognises: "N passed, N failed, N skipped".
// Extra arguments are passed to vitest (e.g. `npm test -- --project unit test/unit/io`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';

const out = 'test-output/vitest-results.json';
mkdirSync('test-output', { recursive: true });
if (existsSync(out)) rmSync(out);
const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${out}`,
  ...process.argv.slice(2),
];
const run = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, CYCLEDECON_TEST: '1' } });
let passed = 0,
  failed = 1,
  skipped = 0;
if (existsSync(out)) {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  passed = r.numPassedTests ?? 0;
  // A file that fails to load has no failed test of its own: count it once, not its suites again.
  const brokenFiles = (r.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
  failed = (r.numFailedTests ?? 0) + brokenFiles;
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}
const code = run.status === 0 && failed === 0 && passed > 0 ? 0 : 1;
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(code);
