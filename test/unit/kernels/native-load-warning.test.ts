// When the native kernel should load (linux-x64) but cannot (here: a temporary folder that does not exist, as a
// noexec or missing TMPDIR would), the process says so once on stderr and falls back to WebAssembly.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers';

// TMPDIR is set after the imports: tsx itself needs a working temporary folder; the addon is loaded lazily.
const script = `
import { nativeIsa, nativeEw, createNativeConvRuntime } from './src-main/core/kernels/native-conv.ts';
process.env.TMPDIR = process.env.NATIVE_TEST_TMPDIR;
console.log(JSON.stringify([nativeIsa(), nativeEw() === null, createNativeConvRuntime(1) === null]));
`;

describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('native kernel load failure', () => {
  it('warns once on stderr and runs without the addon', () => {
    // A regular file as the temporary folder: mkdtemp fails as it would in a missing or unusable TMPDIR.
    const file = join(mkdtempSync(join(tmpdir(), 'native-warn-')), 'not-a-folder');
    writeFileSync(file, '');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      env: { ...process.env, NATIVE_TEST_TMPDIR: file, CYCLEDECON_NATIVE: '' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual([null, true, true]);
    const lines = r.stderr.split('\n').filter((l) => l.includes('native kernel could not load'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('WebAssembly');
  });
});
