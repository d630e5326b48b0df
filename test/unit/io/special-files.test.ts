// FIFOs, folders and other special files: an input that is not a regular file is refused before it is
// opened (a FIFO used to block the thread forever), and an output that exists and is not a regular file is
// never replaced, --force or not (a rename would have put a file where the FIFO or device was).
// FIFOs are made with mkfifo in a temp folder; /dev/null itself is never touched.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeVolume, readVolume, writeVolume } from '../../../src-main/core/io';
import { writeBytesAtomic } from '../../../src-main/core/io/atomic';
import { contentHash } from '../../../src-main/core/project/hash';
import { ProjectStore, importDatasets } from '../../../src-main/core/project';
import { NotRegularFileError, TiffFormatError } from '../../../src-main/core/errors';
import { runCli } from '../../../src-main/cli/main';
import { repoRoot, tempDir } from '../../helpers';

const S = join(repoRoot, 'assets', 'sample', 'bars_blurred.tif');
const fifos: string[] = [];
function fifo(dir: string, name: string): string {
  const p = join(dir, name);
  execFileSync('mkfifo', [p]);
  fifos.push(p);
  return p;
}
// On the old code a reader blocks in open(); opening the write end releases it, so a failing run still ends.
afterAll(() => {
  for (const p of fifos) {
    try {
      closeSync(openSync(p, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      /* no reader waiting */
    }
  }
});

/** Rejects when `p` has not settled within `ms` (a hang is a failure, not a stuck test run). */
function within<T>(p: Promise<T>, ms = 5000): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms (blocked)`)), ms)),
  ]);
}

async function cli(argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await runCli(argv, { out: () => undefined, err: (l) => err.push(l), interactive: false });
  return { code, err: err.join('\n') };
}

const vol = () => makeVolume(new Float32Array(2 * 4 * 4).fill(1), [2, 4, 4]);

describe('special files as inputs', () => {
  it('readVolume and contentHash refuse a FIFO at once, naming it', async () => {
    const f = fifo(tempDir(), 'pipe.tif');
    await expect(within(readVolume(f))).rejects.toThrow(`${f}: is a FIFO (named pipe), not a regular file`);
    await expect(within(contentHash(f))).rejects.toBeInstanceOf(TiffFormatError);
  });

  it('a folder given as a TIFF is refused as a folder', async () => {
    const d = tempDir();
    await expect(readVolume(d)).rejects.toThrow(`${d}: is a folder, not a regular file`);
  });

  it('cycledecon info on a FIFO exits 1 with the reason, without hanging', async () => {
    const f = fifo(tempDir(), 'in.tif');
    const r = await within(cli(['info', f]));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/is a FIFO \(named pipe\), not a regular file/);
  });

  it('importing FIFOs (given directly and inside a folder) reports them; four at once leave the thread pool free', async () => {
    const dir = tempDir();
    const inner = join(dir, 'folder');
    mkdirSync(inner);
    const direct = [0, 1, 2, 3].map((i) => fifo(dir, `p${i}.tif`));
    fifo(inner, 'inner.tif');
    const store = await ProjectStore.create(join(tempDir(), 'proj'));
    const reports = await within(
      Promise.all([
        ...direct.map((p) => importDatasets(store, [p], { role: { kind: 'blurred' }, recursive: true })),
        importDatasets(store, [inner], { role: { kind: 'blurred' }, recursive: true }),
      ]),
    );
    expect(reports.map((r) => r.failed.map((f) => f.code))).toEqual([
      ['TIFF_FORMAT'],
      ['TIFF_FORMAT'],
      ['TIFF_FORMAT'],
      ['TIFF_FORMAT'],
      ['TIFF_FORMAT'],
    ]);
    expect(reports.flatMap((r) => r.imported)).toEqual([]);
  });
});

describe('special files as outputs', () => {
  it('--force never replaces a FIFO or a folder: writeVolume and writeBytesAtomic refuse, the FIFO stays a FIFO', async () => {
    const dir = tempDir();
    const f = fifo(dir, 'out.tif');
    const folder = join(dir, 'folder.tif');
    mkdirSync(folder);
    for (const target of [f, folder]) {
      await expect(within(writeVolume(target, vol(), { force: true }))).rejects.toBeInstanceOf(NotRegularFileError);
      await expect(within(writeBytesAtomic(target, 'x', { force: true }))).rejects.toThrow(
        /not a regular file; it is never replaced, even with --force/,
      );
    }
    expect(lstatSync(f).isFIFO()).toBe(true);
    expect(lstatSync(folder).isDirectory()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['folder.tif', 'out.tif']);
  });

  it('cycledecon convert x.tif <fifo> --force exits 1 and leaves the FIFO in place', async () => {
    const dir = tempDir();
    const f = fifo(dir, 'out.tif');
    const r = await within(cli(['convert', S, f, '--force']), 30_000);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `${f}: is a FIFO (named pipe), not a regular file; it is never replaced, even with --force`,
    );
    expect(lstatSync(f).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['out.tif']);
  }, 60_000);
});

describe('a train config that is not a regular file', () => {
  it('train --config <FIFO> is refused at once, not read forever', async () => {
    const dir = await tempDir();
    const cfg = fifo(dir, 'config.json');
    const r = await within(cli(['train', '--blurred', S, '--sharp', S, '--out', join(dir, 'run'), '--config', cfg]));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/FIFO \(named pipe\), not a regular file/);
  });
});
