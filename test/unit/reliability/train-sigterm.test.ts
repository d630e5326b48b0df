// A cluster's time limit sends SIGTERM: `cycledecon train` must write a checkpoint at the step it reached and
// exit 75, and `--resume` from there must end equal, loss for loss, to an uninterrupted run (cpu backend).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrainConfig, resolveTrainConfig } from '../../../src-main/core/train/config';
import type { HistoryRow } from '../../../src-main/core/train/events';
import { LOSS_KEYS } from '../../../src-main/core/train/step';
import { EXIT_REQUEUE, checkpointStep } from '../../../src-main/cli/requeue';
import { cliEntry, runCli } from '../../../scripts/faults/lib';
import { repoRoot, tempDir } from '../../helpers';

/** Runs the CLI and sends it SIGTERM once `ready()` holds (polled every 10 ms). */
function runTerminated(
  args: string[],
  ready: () => boolean,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [cliEntry, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CYCLEDECON_FROM_SOURCE: '1' },
    });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const poll = setInterval(() => {
      if (!ready()) return;
      clearInterval(poll);
      p.kill('SIGTERM');
    }, 10);
    p.on('error', reject);
    p.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr });
    });
  });
}

const hist = (run: string) => JSON.parse(readFileSync(join(run, 'history.json'), 'utf8')) as HistoryRow[];

describe('train on SIGTERM', () => {
  it('checkpoints the current step, exits 75, and --resume ends equal to an uninterrupted run', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    await runCli(['synth', data, '--shape', '16,32,32', '--seed', '7']);
    const base = resolveTrainConfig('tiny');
    // Checkpoints every 4 steps of 12: a SIGTERM checkpoint between them shows the step it was sent at.
    const cfg = parseTrainConfig({ ...base, seed: 7, optimiser: { ...base.optimiser, epochs: 3 }, checkpointEvery: 4 });
    const cfgFile = join(dir, 'config.json');
    writeFileSync(cfgFile, JSON.stringify(cfg));
    const common = ['--blurred', join(data, 'blurred.tif'), '--sharp', join(data, 'sharp.tif'), '--backend', 'cpu'];
    const ref = join(dir, 'reference'),
      run = join(dir, 'run');
    await runCli(['train', ...common, '--config', cfgFile, '--out', ref]);

    // SIGTERM once the first scheduled checkpoint is there (step 4), so at least four steps were taken.
    const stopped = await runTerminated(['train', ...common, '--config', cfgFile, '--out', run], () =>
      existsSync(join(run, 'checkpoint', 'checkpoint.json')),
    );
    expect(stopped.code, stopped.stderr).toBe(EXIT_REQUEUE);
    const at = Number(/cancelled at step (\d+)/.exec(stopped.stdout)?.[1]);
    expect(at).toBeGreaterThanOrEqual(4);
    expect(at).toBeLessThan(12);
    expect(await checkpointStep(run)).toBe(at);
    expect(stopped.stderr).toContain(`stopped by SIGTERM: checkpoint at step ${at}`);

    const resumed = await runCli(['train', ...common, '--resume', '--out', run]);
    expect(resumed.stderr).toMatch(new RegExp(`from step ${at} to 12`));
    const rows = hist(run),
      want = hist(ref);
    expect(rows.map((r) => r.step)).toEqual(want.map((r) => r.step));
    for (const [i, row] of rows.entries())
      for (const k of LOSS_KEYS) expect(row[k], `step ${row.step} ${k}`).toBe(want[i]![k]);
  }, 180_000);
});
