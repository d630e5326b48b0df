// Disk full and read-only output folders on a real filesystem: a small tmpfs (needs the privilege to mount;
// skipped where it is missing — the CI tests inject the same errors through io/write-faults.ts instead).
//  1. A batch deconvolve into a tmpfs with room for about two outputs: ENOSPC → exit 1 naming "disk full",
//     the outputs that fit are complete, no temp file is left, the inputs are unchanged; after the folder is
//     enlarged a --skip-existing rerun finishes the batch.
//  2. Training whose run folder fills up at the second checkpoint: exit 1 with "disk full", the first
//     checkpoint still loads, and --resume finishes once there is room.
//  3. The tmpfs remounted read-only: deconvolve, rl, train, synth and report into it exit 1 with "not writable"
//     and write nothing.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src-main/core/train/checkpoint';
import { readVolume } from '../../src-main/core/io';
import { isTemp, listFiles, runCli, runKilled, sha256 } from './lib';

export interface DiskFaultReport {
  skipped?: string;
  cases: string[];
  problems: string[];
}

function mount(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
const remount = (dir: string, opts: string) => execFileSync('mount', ['-o', `remount,${opts}`, dir], { stdio: 'pipe' });
const umount = (dir: string) => {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    /* already gone */
  }
};

export async function runDiskFaults(o: { dir: string; log?: (line: string) => void }): Promise<DiskFaultReport> {
  const log = o.log ?? (() => undefined);
  const r: DiskFaultReport = { cases: [], problems: [] };
  const fs1 = join(o.dir, 'tmpfs');
  if (!mount(fs1, '400k'))
    return {
      skipped: 'cannot mount a tmpfs here (no privilege); covered by the injected faults in test/unit/reliability',
      cases: [],
      problems: [],
    };
  try {
    const data = join(o.dir, 'data');
    await runCli(['synth', data, '--shape', '16,48,48', '--seed', '5']);
    const inputs = join(o.dir, 'inputs');
    mkdirSync(inputs);
    for (let i = 1; i <= 5; i++) copyFileSync(join(data, 'blurred.tif'), join(inputs, `s${i}.tif`));
    const hashes = listFiles(inputs)
      .map((f) => sha256(join(inputs, f)))
      .join();
    const expectFailure = (what: string, res: { code: number | null; stderr: string }, words: RegExp) => {
      if (res.code !== 1 || !words.test(res.stderr))
        r.problems.push(`${what}: exit ${res.code}, stderr "${res.stderr.trim().slice(-300)}"`);
      const msg = /(error|failed): .*/.exec(res.stderr)?.[0] ?? '';
      r.cases.push(`${what} → exit ${res.code}, "${msg.replaceAll(`${o.dir}/`, '')}"`);
    };
    const checkFolder = async (what: string, dir: string) => {
      for (const f of listFiles(dir)) {
        if (isTemp(f)) r.problems.push(`${what}: temp file ${f} left behind`);
        else if (f.endsWith('.tif'))
          await readVolume(join(dir, f)).catch((e: Error) => r.problems.push(`${what}: ${f} unreadable: ${e.message}`));
      }
      if (
        listFiles(inputs)
          .map((f) => sha256(join(inputs, f)))
          .join() !== hashes
      )
        r.problems.push(`${what}: an input changed`);
    };

    // 1. Disk full in a batch deconvolve.
    const out = join(fs1, 'out');
    const method = ['--method', 'rl', '--psf', join(data, 'psf.tif'), '--iters', '5'];
    expectFailure(
      'deconvolve, 5 stacks of 147 kB into a 400 kB tmpfs',
      await runKilled(['deconvolve', ...method, inputs, out]),
      /disk full/,
    );
    await checkFolder('disk full', out);
    const fitted = listFiles(out).length;
    remount(fs1, 'size=2m');
    const rerun = await runKilled(['deconvolve', ...method, '--skip-existing', inputs, out]);
    if (rerun.code !== 0 || listFiles(out).length !== 5)
      r.problems.push(`rerun after freeing space: exit ${rerun.code}, ${listFiles(out).length} outputs`);
    r.cases.push(`${fitted} of 5 outputs fitted; after enlarging, --skip-existing wrote the other ${5 - fitted}`);
    await checkFolder('after the rerun', out);
    log(`disk: batch deconvolve ENOSPC checked (${fitted} fitted)`);

    // 2. Training whose checkpoint no longer fits.
    execFileSync('rm', ['-rf', out]);
    remount(fs1, 'size=420k');
    const run = join(fs1, 'run');
    const train = [
      'train',
      '--blurred',
      join(data, 'blurred.tif'),
      '--sharp',
      join(data, 'sharp.tif'),
      '--preset',
      'tiny',
      '--backend',
      'cpu',
      '--out',
      run,
    ];
    expectFailure('train, run folder on a 420 kB tmpfs (checkpoints of 244 kB)', await runKilled(train), /disk full/);
    await checkFolder('train disk full', run);
    const ck = await loadCheckpoint(run).catch((e: Error) => {
      r.problems.push(`checkpoint after ENOSPC: ${e.message}`);
      return null;
    });
    remount(fs1, 'size=2m');
    const resumed = await runKilled([...train.filter((a) => a !== '--preset' && a !== 'tiny'), '--resume']);
    if (resumed.code !== 0 || !/from step (\d+)/.test(resumed.stderr))
      r.problems.push(`train --resume after freeing space: exit ${resumed.code} ${resumed.stderr.slice(-300)}`);
    r.cases.push(
      `last good checkpoint kept at step ${ck?.step ?? '?'}; --resume continued ${/from step \d+ to \d+/.exec(resumed.stderr)?.[0] ?? '?'}`,
    );
    log('disk: training ENOSPC checked');

    // 3. Read-only.
    remount(fs1, 'ro');
    expectFailure(
      'deconvolve into a new folder on a read-only tmpfs',
      await runKilled(['deconvolve', ...method, inputs, join(fs1, 'new')]),
      /not writable/,
    );
    expectFailure(
      'train into a new run folder on a read-only tmpfs',
      await runKilled([...train.slice(0, -1), join(fs1, 'run2')]),
      /not writable/,
    );
    expectFailure('synth into a read-only tmpfs', await runKilled(['synth', join(fs1, 'syn')]), /not writable/);
    expectFailure(
      'report into a read-only tmpfs',
      await runKilled([
        'report',
        '--input',
        join(data, 'blurred.tif'),
        '--result',
        join(data, 'gt.tif'),
        join(fs1, 'rep'),
      ]),
      /not writable/,
    );
    expectFailure(
      'rl into a read-only tmpfs',
      await runKilled([
        'rl',
        join(inputs, 's1.tif'),
        join(fs1, 'x.tif'),
        '--psf',
        join(data, 'psf.tif'),
        '--iters',
        '2',
      ]),
      /not writable/,
    );
    await checkFolder('read-only', fs1);
    log('disk: read-only checked');
  } finally {
    umount(fs1);
  }
  return r;
}
