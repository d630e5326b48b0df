// `cycledecon rl` checks its output before it computes (an existing file, a FIFO, a missing or read-only
// folder fail in seconds, not after every iteration); SIGTERM stops a command as cleanly as Ctrl-C; the temp
// files a killed write left beside a target are swept when that target is next written; and read and write
// errors name the user's path with a hint that fits.
import { describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { IoError } from '../../../src-main/core/errors';
import { makeVolume, readVolume, writeVolume } from '../../../src-main/core/io';
import { setWriteFault } from '../../../src-main/core/io/write-faults';
import { repoRoot, tempDir } from '../../helpers';

const S = join(repoRoot, 'assets', 'sample', 'bars_blurred.tif');
const P = join(repoRoot, 'assets', 'sample', 'bars_psf.tif');
// Enough iterations that a run which got as far as computing would outlast the test (minutes on this sample).
const LONG = '10000';

async function cli(argv: string[]): Promise<{ code: number; err: string; seconds: number }> {
  const err: string[] = [];
  const t0 = performance.now();
  const code = await runCli(argv, { out: () => undefined, err: (l) => err.push(l), interactive: false });
  return { code, err: err.join('\n'), seconds: (performance.now() - t0) / 1000 };
}

describe('rl checks its output before the run', () => {
  it('a missing output folder: exit 1 at once, naming the folder (not a hidden temp file)', async () => {
    const dir = tempDir();
    const out = join(dir, 'nope', 'rl.tif');
    const r = await cli(['rl', S, out, '--psf', P, '--iters', LONG]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${out}: could not write (the folder ${join(dir, 'nope')} does not exist)`);
    expect(r.err).toMatch(/Create the folder first/);
    expect(r.err).not.toMatch(/\.tmp|disk space/);
    expect(r.seconds).toBeLessThan(20);
  }, 60_000);

  it('an existing output without --force, and a FIFO even with --force: exit 1 at once, both left as they were', async () => {
    const dir = tempDir();
    const out = join(dir, 'rl.tif');
    writeFileSync(out, 'mine');
    const pipe = join(dir, 'pipe.tif');
    execFileSync('mkfifo', [pipe]);
    const a = await cli(['rl', S, out, '--psf', P, '--iters', LONG]);
    expect(a.code).toBe(1);
    expect(a.err).toContain(`${out} already exists`);
    const b = await cli(['rl', S, pipe, '--psf', P, '--iters', LONG, '--force']);
    expect(b.code).toBe(1);
    expect(b.err).toContain('is a FIFO (named pipe), not a regular file');
    expect(readdirSync(dir).sort()).toEqual(['pipe.tif', 'rl.tif']);
  }, 60_000);

  it('a read-only folder (EROFS injected at open): exit 1 at once, "folder is not writable", nothing left', async () => {
    const dir = tempDir();
    setWriteFault({ code: 'EROFS', match: 'rl.tif', afterBytes: 0 });
    try {
      const r = await cli(['rl', S, join(dir, 'rl.tif'), '--psf', P, '--iters', LONG]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`${join(dir, 'rl.tif')}: could not write (folder is not writable)`);
    } finally {
      setWriteFault(null);
    }
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);
});

describe('interrupted writes', () => {
  it('SIGTERM during rl: exit 143 "cancelled", no output and no temp file', async () => {
    const dir = tempDir();
    const out = join(dir, 'rl.tif');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'test', 'unit', 'reliability', 'cli-child.ts'),
        'rl',
        S,
        out,
        '--psf',
        P,
        '--iters',
        LONG,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (c: Buffer) => {
        if (c.toString().includes('ready')) resolve();
      }),
    );
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.on('exit', (c, s) => resolve([c, s])),
    );
    expect({ code, signal }).toEqual({ code: 143, signal: null });
    expect(stderr).toMatch(/cancelled/);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it('the next write of a target sweeps its temp files whose process is gone, and only those', async () => {
    const dir = tempDir();
    const target = join(dir, 'rl.tif');
    const stale = '.rl.tif.999999999.0123abcd.tmp';
    const live = `.rl.tif.${process.pid}.0123abcd.tmp`;
    const other = '.other.tif.999999999.0123abcd.tmp';
    for (const n of [stale, live, other]) writeFileSync(join(dir, n), 'partial');
    await writeVolume(target, makeVolume(new Float32Array(2 * 4 * 4), [2, 4, 4]));
    expect(readdirSync(dir).sort()).toEqual([live, other, 'rl.tif'].sort());
  });
});

describe('read errors say what is wrong with reading', () => {
  it('a symlink loop: IoError naming the file, no "disk space" hint', async () => {
    const dir = tempDir();
    const loop = join(dir, 'loop.tif');
    symlinkSync(loop, loop);
    const err = await readVolume(loop).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).message).toBe(`${loop}: could not open (too many levels of symbolic links)`);
    expect((err as IoError).hint).not.toMatch(/disk space/);
  });
});
