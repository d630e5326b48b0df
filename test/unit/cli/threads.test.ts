// --threads N on any command sets the FFT kernels' thread count (CYCLEDECON_THREADS) before the command runs.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { takeThreadsFlag } from '../../../src-main/cli/threads';
import { kernelThreadCount } from '../../../src-main/core/kernels/threads';
import { tempDir } from '../../helpers';

const saved = process.env.CYCLEDECON_THREADS;
afterEach(() => {
  if (saved === undefined) delete process.env.CYCLEDECON_THREADS;
  else process.env.CYCLEDECON_THREADS = saved;
});

function capture() {
  const out: string[] = [],
    err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}

describe('--threads', () => {
  it('is taken out of the arguments in both spellings, and not after --', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(takeThreadsFlag(['a.tif', '--threads', '3', '--json'], env)).toEqual(['a.tif', '--json']);
    expect(env.CYCLEDECON_THREADS).toBe('3');
    expect(takeThreadsFlag(['--threads=5', 'x', '--', '--threads', '2'], env)).toEqual(['x', '--', '--threads', '2']);
    expect(env.CYCLEDECON_THREADS).toBe('5');
  });

  it('refuses a count that is not 1..64, naming the flag', () => {
    for (const bad of [['--threads', '0'], ['--threads', '1.5'], ['--threads=65'], ['--threads']]) {
      expect(() => takeThreadsFlag(bad, {})).toThrow(/--threads: .* is not a whole number from 1 to 64/);
    }
  });

  it('sets the FFT thread count for the command it is given to', async () => {
    const c = capture();
    const psf = join(tempDir(), 'psf.tif');
    expect(
      await runCli(
        [
          'psf',
          '--threads',
          '3',
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
          psf,
        ],
        c.ctx,
      ),
    ).toBe(0);
    expect(kernelThreadCount()).toBe(3);
    const bad = capture();
    expect(await runCli(['psf', '--threads', 'many', psf], bad.ctx)).toBe(1);
    expect(bad.err.join('\n')).toMatch(/--threads: "many"/);
  });
});
