// A Slurm time limit or scancel sends SIGTERM to a batch deconvolve: the files it finished stay, the one it was
// writing is discarded (no temp file left), it exits 143, and --skip-existing then does only the rest.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { readVolume } from '../../../src-main/core/io';
import { repoRoot, tempDir } from '../../helpers';

const quiet = { out: () => undefined, err: () => undefined, interactive: false };

describe('deconvolve on SIGTERM', () => {
  it('keeps finished outputs, discards the one in progress, exits 143; --skip-existing finishes the batch', async () => {
    const dir = tempDir(),
      inputs = join(dir, 'in'),
      out = join(dir, 'out');
    mkdirSync(inputs);
    const psf = join(dir, 'psf.tif');
    expect(
      await runCli(
        ['psf', '--na', '1.0', '--wavelength', '0.5', '--dxy', '0.1', '--dz', '0.3', '--size', '7,11,11', psf],
        quiet,
      ),
    ).toBe(0);
    for (let i = 0; i < 3; i++)
      expect(await runCli(['synth', join(dir, `s${i}`), '--shape', '16,48,48', '--seed', String(i + 1)], quiet)).toBe(
        0,
      );
    for (let i = 0; i < 3; i++)
      expect(await runCli(['convert', join(dir, `s${i}`, 'blurred.tif'), join(inputs, `stack_${i}.tif`)], quiet)).toBe(
        0,
      );
    const args = ['deconvolve', '--method', 'rl', '--psf', psf, '--iters', '400', inputs, out];
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'test', 'unit', 'reliability', 'cli-child.ts'), ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    // SIGTERM as soon as the first output is complete: the second file is then being computed.
    const poll = setInterval(() => {
      if (existsSync(join(out, 'stack_0_decon.tif'))) {
        clearInterval(poll);
        child.kill('SIGTERM');
      }
    }, 10);
    const code = await new Promise<number | null>((resolve) =>
      child.on('exit', (c) => {
        clearInterval(poll);
        resolve(c);
      }),
    );
    expect(code, stderr).toBe(143);
    expect(stderr).toMatch(/cancelled/);
    const left = readdirSync(out);
    expect(left.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(left.length).toBeGreaterThanOrEqual(1);
    expect(left.length).toBeLessThan(3);
    for (const n of left) expect((await readVolume(join(out, n))).shape).toEqual([16, 48, 48]);

    const rest: string[] = [];
    expect(
      await runCli([...args.slice(0, -4), '--iters', '1', '--skip-existing', inputs, out], {
        ...quiet,
        out: (l: string) => rest.push(l),
      }),
    ).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['stack_0_decon.tif', 'stack_1_decon.tif', 'stack_2_decon.tif']);
    expect(rest.filter((l) => l.includes('exists, skipped'))).toHaveLength(left.length);
  }, 120_000);
});
