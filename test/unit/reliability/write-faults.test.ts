// Disk full and read-only folders, injected through io/write-faults.ts (the real-tmpfs version is in
// scripts/faults/disk-full.ts): a write that fails mid-way is a typed IoError naming the file and saying
// why, the partial temp file is removed, the previous output and the inputs are untouched; the CLI exits 1
// with that message; training keeps its last good checkpoint and resumes from it.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { IoError, InvalidParameterError } from '../../../src-main/core/errors';
import { writeBytesAtomic, removeStaleTemps } from '../../../src-main/core/io/atomic';
import { makeVolume, readVolume, writeVolume } from '../../../src-main/core/io';
import { parseWriteFault, setWriteFault, WRITE_FAULT_ENV } from '../../../src-main/core/io/write-faults';
import { loadCheckpoint } from '../../../src-main/core/train/checkpoint';
import { repoRoot, tempDir } from '../../helpers';
import { runKilled, sha256 } from '../../../scripts/faults/lib';

// assets/sample: flowdec "Hollow Bars" (Apache-2.0, see assets/sample/README.md); test/fixtures/model-bars: the demo run.
const S = join(repoRoot, 'assets', 'sample', 'bars_blurred.tif');
const P = join(repoRoot, 'assets', 'sample', 'bars_psf.tif');
const M = join(repoRoot, 'test', 'fixtures', 'model-bars');

afterEach(() => setWriteFault(null));

async function cli(argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await runCli(argv, { out: () => undefined, err: (l) => err.push(l), interactive: false });
  return { code, err: err.join('\n') };
}

const vol = (n: number, v: number) =>
  makeVolume(new Float32Array(n * 32 * 32).fill(v), [n, 32, 32], { x: 0.1, y: 0.1, z: 0.2, unit: 'µm' });

describe('injected write failures', () => {
  it('writeBytesAtomic: disk full half-way → IoError naming the file, no temp file, the old file intact', async () => {
    const dir = tempDir();
    const target = join(dir, 'a.json');
    writeFileSync(target, 'old contents');
    setWriteFault({ code: 'ENOSPC', match: 'a.json', afterBytes: 100 });
    const err = await writeBytesAtomic(target, 'x'.repeat(1000), { force: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).file).toBe(target);
    expect((err as IoError).message).toBe(`${target}: could not write (disk full)`);
    expect((err as IoError).hint).toMatch(/free disk space/);
    expect(readdirSync(dir)).toEqual(['a.json']);
    expect(readFileSync(target, 'utf8')).toBe('old contents');
  });

  it('the streaming TIFF writer: disk full after some slices → IoError, no temp file, the previous output unchanged', async () => {
    const dir = tempDir();
    const target = join(dir, 'v.tif');
    await writeVolume(target, vol(8, 1));
    const before = sha256(target);
    setWriteFault({ code: 'ENOSPC', match: 'v.tif', afterBytes: 20_000 });
    const err = await writeVolume(target, vol(8, 2), { force: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).message).toBe(`${target}: could not write (disk full)`);
    expect(readdirSync(dir)).toEqual(['v.tif']);
    expect(sha256(target)).toBe(before);
    expect((await readVolume(target)).data[0]).toBe(1);
  });

  it('a read-only folder (EROFS at open) and EACCES name the file and say it is not writable', async () => {
    const dir = tempDir();
    setWriteFault({ code: 'EROFS', match: '', afterBytes: 0 });
    await expect(writeVolume(join(dir, 'r.tif'), vol(2, 1))).rejects.toThrow(
      `${join(dir, 'r.tif')}: could not write (folder is not writable)`,
    );
    setWriteFault({ code: 'EACCES', match: '', afterBytes: 0 });
    await expect(writeBytesAtomic(join(dir, 'r.json'), '{}')).rejects.toThrow(
      /r\.json: could not write \(folder is not writable\)/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('skip lets the first matching files through; a malformed spec is a typed error', async () => {
    const dir = tempDir();
    setWriteFault({ code: 'ENOSPC', match: 'ck-', afterBytes: 1, skip: 2 });
    await writeBytesAtomic(join(dir, 'ck-1'), 'ab');
    await writeBytesAtomic(join(dir, 'ck-2'), 'ab');
    await writeBytesAtomic(join(dir, 'other'), 'ab');
    await expect(writeBytesAtomic(join(dir, 'ck-3'), 'ab')).rejects.toBeInstanceOf(IoError);
    expect(readdirSync(dir).sort()).toEqual(['ck-1', 'ck-2', 'other']);
    expect(() => parseWriteFault('{"code":"EFOO","match":"","afterBytes":0}')).toThrow(InvalidParameterError);
    expect(() => parseWriteFault('nope')).toThrow(/CYCLEDECON_WRITE_FAULT/);
  });

  it('removeStaleTemps removes only temp files of processes that are gone', async () => {
    const dir = tempDir();
    const dead = join(dir, '.out.tif.999999999.0123abcd.tmp');
    const live = join(dir, `.out.tif.${process.pid}.0123abcd.tmp`);
    for (const f of [dead, live, join(dir, 'out.tif'), join(dir, '.hidden.tmp')]) writeFileSync(f, 'x');
    expect(await removeStaleTemps(dir)).toEqual(['.out.tif.999999999.0123abcd.tmp']);
    expect(readdirSync(dir).sort()).toEqual(['.hidden.tmp', `.out.tif.${process.pid}.0123abcd.tmp`, 'out.tif']);
  });
});

describe('the CLI under write failures', () => {
  it('rl: disk full → exit 1, a message naming the output and "disk full", no file, the input unchanged', async () => {
    const dir = tempDir();
    const out = join(dir, 'rl.tif');
    const before = sha256(S);
    setWriteFault({ code: 'ENOSPC', match: 'rl.tif', afterBytes: 4096 });
    const r = await cli(['rl', S, out, '--psf', P, '--iters', '1']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${out}: could not write (disk full)`);
    expect(r.err).toMatch(/Check free disk space/);
    expect(readdirSync(dir)).toEqual([]);
    expect(sha256(S)).toBe(before);
  }, 60_000);

  it('deconvolve batch: the file that hits the full disk fails, the others are written, exit 1; --skip-existing then finishes it', async () => {
    const dir = tempDir();
    const inputs = join(dir, 'in');
    const out = join(dir, 'out');
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(inputs);
    for (const n of ['a', 'b', 'c']) copyFileSync(S, join(inputs, `${n}.tif`));
    setWriteFault({ code: 'ENOSPC', match: 'b_decon', afterBytes: 50_000 });
    const r = await cli(['deconvolve', '--method', 'rl', '--psf', P, '--iters', '1', inputs, out]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `failed: ${join(inputs, 'b.tif')}: ${join(out, 'b_decon.tif')}: could not write (disk full)`,
    );
    expect(readdirSync(out).sort()).toEqual(['a_decon.tif', 'c_decon.tif']);
    const a = sha256(join(out, 'a_decon.tif'));
    setWriteFault(null);
    const again = await cli([
      'deconvolve',
      '--method',
      'rl',
      '--psf',
      P,
      '--iters',
      '1',
      '--skip-existing',
      inputs,
      out,
    ]);
    expect(again.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['a_decon.tif', 'b_decon.tif', 'c_decon.tif']);
    expect(sha256(join(out, 'a_decon.tif'))).toBe(a);
    expect(sha256(join(out, 'b_decon.tif'))).toBe(a); // same input, same result
    expect((await cli(['deconvolve', '--model', M, '--force', '--skip-existing', inputs, out])).err).toMatch(
      /--skip-existing: cannot be combined with --force/,
    );
  }, 60_000);

  it('train: a checkpoint that hits a full disk → exit 1 "disk full", the last good checkpoint is kept and --resume finishes', async () => {
    const dir = tempDir();
    const run = join(dir, 'run');
    const args = [
      'train',
      '--blurred',
      S,
      '--sharp',
      S,
      '--preset',
      'tiny',
      '--steps',
      '6',
      '--backend',
      'cpu',
      '--out',
      run,
    ];
    const fault = JSON.stringify({ code: 'ENOSPC', match: 'checkpoint-', afterBytes: 10_000, skip: 1 });
    const failed = await runKilled(args, undefined, { env: { [WRITE_FAULT_ENV]: fault } });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/checkpoint-00000004\.bin: could not write \(disk full\)/);
    expect((await loadCheckpoint(run)).step).toBe(2);
    expect(readdirSync(join(run, 'checkpoint')).sort()).toEqual(['checkpoint-00000002.bin', 'checkpoint.json']);
    const resumed = await runKilled([...args.filter((a) => a !== '--preset' && a !== 'tiny'), '--resume']);
    expect(resumed.stderr).toMatch(/from step 2 to 6/);
    expect(resumed.code).toBe(0);
    expect(existsSync(join(run, 'psf.tif'))).toBe(true);
  }, 120_000);
});
