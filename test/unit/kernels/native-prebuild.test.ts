// Where the native addon is looked for in each layout (a checkout, the CLI bundle, the packaged app), as a pure
// function over a fake file system, and the SHA-256 check it passes before dlopen.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  NativeKernelError,
  missingPrebuild,
  prebuildCandidates,
  resolvePrebuild,
  verifyPrebuild,
} from '../../../src-main/core/kernels/native-prebuild';

const pa = 'linux-x64';
const inRepo = '/home/u/cycledecon/prebuilds/linux-x64/conv.node';
const inDist = '/home/u/cycledecon/dist/prebuilds/linux-x64/conv.node';
const inApp = '/opt/CycleDecon/resources/app.asar.unpacked/prebuilds/linux-x64/conv.node';
const fs =
  (...files: string[]) =>
  (f: string) =>
    files.includes(f);

describe('prebuild path resolution', () => {
  it('a checkout (tsx runs src-main/core/kernels/native-conv.ts) finds <root>/prebuilds', () => {
    expect(
      resolvePrebuild({ moduleDir: '/home/u/cycledecon/src-main/core/kernels', platformArch: pa }, fs(inRepo, inDist)),
    ).toBe(inRepo);
  });

  it("the CLI bundle (dist/cli/main.js, dist/worker/*.js) finds the dist/prebuilds copy before the checkout's", () => {
    for (const d of ['cli', 'worker'])
      expect(resolvePrebuild({ moduleDir: `/home/u/cycledecon/dist/${d}`, platformArch: pa }, fs(inRepo, inDist))).toBe(
        inDist,
      );
    // A dist/ copied elsewhere without its prebuilds finds nothing.
    expect(resolvePrebuild({ moduleDir: '/srv/cd/dist/cli', platformArch: pa }, fs(inRepo, inDist))).toBeNull();
  });

  it("the unpackaged app (out/main/*.js) finds the checkout's prebuilds", () => {
    expect(resolvePrebuild({ moduleDir: '/home/u/cycledecon/out/main', platformArch: pa }, fs(inRepo))).toBe(inRepo);
  });

  it('the packaged app finds the copy unpacked from the asar, never a path inside the archive', () => {
    const place = {
      moduleDir: '/opt/CycleDecon/resources/app.asar/out/main',
      resourcesPath: '/opt/CycleDecon/resources',
      platformArch: pa,
    };
    expect(resolvePrebuild(place, fs(inApp))).toBe(inApp);
    const all = prebuildCandidates(place);
    expect(all[0]).toBe(inApp);
    expect(all.filter((c) => c === inApp)).toHaveLength(1);
    expect(all.some((c) => c.includes('app.asar/'))).toBe(false);
    // The module folder alone (no resourcesPath, e.g. a worker that lost it) leads to the same unpacked file.
    expect(resolvePrebuild({ moduleDir: place.moduleDir, platformArch: pa }, fs(inApp))).toBe(inApp);
  });

  it('looks in the folder of this platform and architecture only', () => {
    expect(
      prebuildCandidates({ moduleDir: '/a/b/c', platformArch: 'darwin-arm64' }).every((c) =>
        c.includes('/prebuilds/darwin-arm64/'),
      ),
    ).toBe(true);
  });

  it('names every folder it looked in when the addon is missing', () => {
    const e = missingPrebuild({ moduleDir: '/x/dist/cli', platformArch: pa });
    expect(e).toBeInstanceOf(NativeKernelError);
    expect(e.problem).toBe('missing');
    expect(e.code).toBe('BACKEND');
    expect(e.message).toContain('/x/dist/prebuilds/linux-x64');
    expect(e.message).toContain('/x/prebuilds/linux-x64');
  });
});

describe('prebuild SHA-256 check', () => {
  const bytes = new TextEncoder().encode('not really an ELF file');
  const expected = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };

  it('accepts the bytes of the manifest', () => {
    expect(() => verifyPrebuild('/p/conv.node', bytes, expected)).not.toThrow();
  });

  it('refuses one changed byte, and a file of another size, with a typed error naming the file', () => {
    const changed = bytes.slice();
    changed[3]! ^= 0x20;
    for (const b of [changed, bytes.subarray(1)]) {
      let err: unknown;
      try {
        verifyPrebuild('/p/conv.node', b, expected);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NativeKernelError);
      expect((err as NativeKernelError).problem).toBe('sha-mismatch');
      expect((err as NativeKernelError).file).toBe('/p/conv.node');
      expect((err as Error).message).toContain('/p/conv.node is not the committed addon');
    }
  });
});
