// Slurm emulation without Slurm: N runs of `deconvolve` with SLURM_ARRAY_TASK_ID=0..N-1 (or --shard I/N)
// cover a batch exactly once, whatever order its inputs were named in.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { shardFromArgs, takeShard } from '../../../src-main/cli/shard';
import { tempDir } from '../../helpers';

const SLURM = [
  'SLURM_ARRAY_TASK_ID',
  'SLURM_ARRAY_TASK_COUNT',
  'SLURM_ARRAY_TASK_MIN',
  'SLURM_ARRAY_TASK_STEP',
] as const;
const saved = Object.fromEntries(SLURM.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of SLURM) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

function capture() {
  const out: string[] = [],
    err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}
const args = (shard?: string) => ({ values: shard === undefined ? {} : { shard }, positionals: [] });

describe('--shard I/N and Slurm array variables', () => {
  it('split a shuffled batch into disjoint shares that cover it exactly once', () => {
    const files = Array.from({ length: 11 }, (_, i) => `/d/s${String(i).padStart(2, '0')}.tif`);
    const shuffled = [...files].reverse();
    const shares = [0, 1, 2, 3].map((i) => takeShard(shuffled, shardFromArgs(args(`${i}/4`), {})));
    expect(shares.flat().sort()).toEqual(files);
    expect(shares.map((s) => s.length)).toEqual([3, 3, 3, 2]);
    expect(shares[1]).toEqual(['/d/s01.tif', '/d/s05.tif', '/d/s09.tif']);
    expect(takeShard(shuffled, undefined)).toEqual(shuffled);
  });

  it('take the share from the Slurm array rank, counting from the array minimum and step', () => {
    expect(shardFromArgs(args(), { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '3' })).toMatchObject({
      index: 2,
      count: 3,
    });
    expect(
      shardFromArgs(args(), {
        SLURM_ARRAY_TASK_ID: '5',
        SLURM_ARRAY_TASK_COUNT: '3',
        SLURM_ARRAY_TASK_MIN: '1',
        SLURM_ARRAY_TASK_STEP: '2',
      }),
    ).toMatchObject({ index: 2, count: 3 });
    // --shard wins over the environment; no variables, no shard.
    expect(shardFromArgs(args('0/2'), { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '2' })).toMatchObject({
      index: 0,
      count: 2,
    });
    expect(shardFromArgs(args(), {})).toBeUndefined();
  });

  it('refuse a shard that does not exist or is not I/N, naming it', () => {
    expect(() => shardFromArgs(args('4/4'), {})).toThrow(/--shard: shard 4 does not exist among 4/);
    expect(() => shardFromArgs(args('1/0'), {})).toThrow(/at least 1/);
    expect(() => shardFromArgs(args('-1/3'), {})).toThrow(/not I\/N/);
    expect(() => shardFromArgs(args('1'), {})).toThrow(/not I\/N/);
    expect(() => shardFromArgs(args(), { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '3' })).toThrow(
      /SLURM_ARRAY_TASK_ID: shard 3 does not exist/,
    );
    expect(() => shardFromArgs(args(), { SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '3' })).toThrow(
      /SLURM_ARRAY_TASK_ID/,
    );
  });

  it('make deconvolve refuse a bad shard before it looks at the inputs', async () => {
    const c = capture();
    expect(await runCli(['deconvolve', '--shard', '3/3', join(tempDir(), 'missing.tif'), 'out/'], c.ctx)).toBe(1);
    expect(c.err.join('\n')).toMatch(/^error: --shard: shard 3 does not exist among 3/);
  });

  it('three deconvolve array tasks write each output of a five-file batch exactly once', async () => {
    const dir = tempDir(),
      inputs = join(dir, 'in'),
      outDir = join(dir, 'out');
    mkdirSync(inputs);
    mkdirSync(outDir);
    for (let i = 0; i < 5; i++) {
      const c = capture();
      expect(
        await runCli(
          [
            'psf',
            '--na',
            '1.0',
            '--wavelength',
            '0.5',
            '--dxy',
            '0.1',
            '--dz',
            '0.3',
            '--size',
            '5,9,9',
            join(inputs, `stack_${i}.tif`),
          ],
          c.ctx,
        ),
      ).toBe(0);
    }
    const psf = join(inputs, 'stack_0.tif');
    // A temp file of a pid that is dead here: on a shared folder it may be another node's live write.
    const foreign = join(outDir, `.other_decon.tif.${spawnSync(process.execPath, ['-e', '0']).pid}.0123abcd.tmp`);
    writeFileSync(foreign, 'partial');
    const written: string[][] = [];
    for (let task = 0; task < 3; task++) {
      process.env.SLURM_ARRAY_TASK_ID = String(task);
      process.env.SLURM_ARRAY_TASK_COUNT = '3';
      const before = new Set(readdirSync(outDir));
      const c = capture();
      expect(await runCli(['deconvolve', '--method', 'rl', '--psf', psf, '--iters', '1', inputs, outDir], c.ctx)).toBe(
        0,
      );
      expect(c.err.join('\n')).toMatch(new RegExp(`Slurm array task ${task} of 3: ${task < 2 ? 2 : 1} of 5 file`));
      written.push(readdirSync(outDir).filter((n) => !before.has(n)));
    }
    expect(
      written
        .flat()
        .filter((n) => !n.startsWith('.'))
        .sort(),
    ).toEqual([0, 1, 2, 3, 4].map((i) => `stack_${i}_decon.tif`));
    expect(existsSync(foreign)).toBe(true);
    expect(written[0]).toEqual(['stack_0_decon.tif', 'stack_3_decon.tif']);
  }, 120_000);
});
