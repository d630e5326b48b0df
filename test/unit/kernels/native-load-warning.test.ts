// When the native kernel should load (linux-x64) but cannot (here: an altered addon where the packaged app keeps
// it, <resources>/app.asar.unpacked/prebuilds/), the process says so once on stderr, reports why in
// nativeKernelStatus and for the job log (nativeLoadFailure), and falls back to WebAssembly; the committed file
// copied there loads in place.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers';

// process.resourcesPath is what Electron sets; the addon is loaded lazily, so setting it after the imports counts.
const script = `
import { nativeIsa, nativeEw, createNativeConvRuntime, nativeKernelStatus, nativeLoadFailure } from './src-main/core/kernels/native-conv.ts';
process.resourcesPath = process.env.NATIVE_TEST_RESOURCES;
const loaded = [nativeIsa() !== null, nativeEw() !== null, createNativeConvRuntime(1) !== null];
console.log(JSON.stringify({ loaded, status: nativeKernelStatus(), jobLog: nativeLoadFailure() }));
`;

const committed = join(repoRoot, 'prebuilds', 'linux-x64', 'conv.node');

/** A fake resources folder holding `bytes` as the packaged app's addon; returns [folder, addon path]. */
function resources(bytes: Buffer | null): [string, string] {
  const dir = mkdtempSync(join(tmpdir(), 'native-res-'));
  const file = join(dir, 'app.asar.unpacked', 'prebuilds', 'linux-x64', 'conv.node');
  mkdirSync(join(file, '..'), { recursive: true });
  if (bytes) writeFileSync(file, bytes);
  else copyFileSync(committed, file);
  return [dir, file];
}

function run(dir: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    env: { ...process.env, NATIVE_TEST_RESOURCES: dir, CYCLEDECON_NATIVE: '' },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim()) as {
    loaded: boolean[];
    status: { loaded: boolean; path: string | null; error: string | null };
    jobLog: string | null;
  };
  return { ...out, warnings: r.stderr.split('\n').filter((l) => l.includes('native kernel could not load')) };
}

const avx2 = (() => {
  try {
    return (
      /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8')) && /\bfma\b/.test(readFileSync('/proc/cpuinfo', 'utf8'))
    );
  } catch {
    return false;
  }
})();

describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('native kernel load failure', () => {
  it('warns once on stderr, reports the SHA mismatch and runs without the addon', () => {
    const bytes = readFileSync(committed);
    bytes[bytes.length - 1]! ^= 1; // one flipped bit: same size, another SHA-256
    const [dir, file] = resources(bytes);
    const r = run(dir);
    expect(r.loaded).toEqual([false, false, false]);
    expect(r.status.loaded).toBe(false);
    expect(r.status.path).toBe(file);
    expect(r.status.error).toContain('is not the committed addon');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain('WebAssembly');
    // The line the training and deconvolution jobs put in their log (the app's Queue view).
    expect(r.jobLog).toContain('is not the committed addon');
    expect(r.jobLog).toContain('WebAssembly');
  });

  it.skipIf(!avx2)("loads the committed addon in place from the packaged app's unpacked resources, silently", () => {
    const [dir, file] = resources(null);
    const r = run(dir);
    expect(r.loaded).toEqual([true, true, true]);
    expect(r.status).toEqual({ loaded: true, path: file, error: null });
    expect(r.warnings).toHaveLength(0);
    expect(r.jobLog).toBeNull();
  });
});
