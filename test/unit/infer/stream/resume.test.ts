// A killed out-of-core run is continued by the same command: `rl --stream` is SIGKILLed in a child process
// after some boxes are recorded complete; re-running computes only the rest (counted), and the result,
// pyramid included, is identical to an uninterrupted run. Changed options are refused with a typed error.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as zarr from 'zarrita';
import { runCli } from '../../../../src-main/cli/main';
import { ConfinedFolderStore } from '../../../../src-main/core/io/zarr/store';
import { repoRoot, tempDir } from '../../../helpers';

const quiet = { out: () => undefined, err: () => undefined, interactive: false };

async function level(folder: string, l: number): Promise<Float32Array> {
  const arr = await zarr.open(zarr.root(await ConfinedFolderStore.open(folder, 2 ** 30)).resolve(String(l)), {
    kind: 'array',
  });
  return Float32Array.from(((await zarr.get(arr)) as { data: ArrayLike<number> }).data);
}

async function json(args: string[]): Promise<{ code: number; out: Record<string, unknown>; err: string }> {
  const out: string[] = [],
    err: string[] = [];
  const code = await runCli([...args, '--json'], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    interactive: false,
  });
  return { code, out: code === 0 ? (JSON.parse(out.join('\n')) as Record<string, unknown>) : {}, err: err.join('\n') };
}

describe('out-of-core resume', () => {
  it('continues after SIGKILL without recomputing complete boxes, and equals an uninterrupted run', async () => {
    const dir = tempDir();
    const psf = join(dir, 'psf.tif'),
      input = join(dir, 'in.zarr');
    expect(
      await runCli(
        ['psf', '--na', '1.0', '--wavelength', '0.5', '--dxy', '0.1', '--dz', '0.3', '--size', '5,9,9', psf],
        quiet,
      ),
    ).toBe(0);
    expect(await runCli(['synth', join(dir, 's'), '--shape', '16,64,64', '--seed', '3'], quiet)).toBe(0);
    expect(await runCli(['convert', join(dir, 's', 'blurred.tif'), input], quiet)).toBe(0);
    const args = (out: string) => ['rl', input, out, '--psf', psf, '--iters', '60', '--stream', '--chunk', '8,32,32'];

    const whole = await json(args(join(dir, 'whole.zarr')));
    expect(whole.code, whole.err).toBe(0);
    expect(whole.out).toMatchObject({ boxes: 8, computed: 8, resumed: 0 });

    const out = join(dir, 'out.zarr');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'test', 'unit', 'reliability', 'cli-child.ts'), ...args(out)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const record = join(`${out}.partial`, 'progress.json');
    const doneBoxes = () =>
      existsSync(record)
        ? (JSON.parse(readFileSync(record, 'utf8')) as { done: string }).done.split('').filter((c) => c === '1').length
        : 0;
    const poll = setInterval(() => {
      if (doneBoxes() >= 3) child.kill('SIGKILL');
    }, 5);
    const signal = await new Promise<string | null>((resolve) =>
      child.on('exit', (_c, s) => {
        clearInterval(poll);
        resolve(s);
      }),
    );
    expect(signal, stderr).toBe('SIGKILL');
    expect(existsSync(out)).toBe(false);
    const kept = doneBoxes();
    expect(kept).toBeGreaterThanOrEqual(3);
    expect(kept).toBeLessThan(8);

    const changed = await json([...args(out).slice(0, 5), '--iters', '61', ...args(out).slice(7)]);
    expect(changed.code).toBe(1);
    expect(changed.err, changed.err).toMatch(/details.iterations changed\), so it cannot be continued/);

    const resumed = await json(args(out));
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatchObject({ boxes: 8, resumed: kept, computed: 8 - kept });
    expect(existsSync(`${out}.partial`)).toBe(false);
    for (let l = 0; l < 3; l++) expect(await level(out, l)).toEqual(await level(join(dir, 'whole.zarr'), l));
  }, 90_000);
});
