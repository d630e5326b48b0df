import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../../helpers';

const child = join(repoRoot, 'test', 'unit', 'queue', 'queue-child.ts');

function runChild(args: string[], killAfterStep?: number): Promise<{ out: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killed = false;
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const steps = out.match(/^PROGRESS \S+ \d+$/gm) ?? [];
      if (killAfterStep !== undefined && !killed && steps.length >= killAfterStep) {
        killed = true;
        p.kill('SIGKILL');
      }
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve({ out, killed: signal === 'SIGKILL' });
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

describe('queue persistence across SIGKILL', () => {
  it('loses no queued job and no finished result, and completes the interrupted one', async () => {
    const dir = tempDir();
    // 3 jobs × 10 steps; kill during the second job (step 14 of 30).
    const first = await runChild([dir, 'submit', '3'], 14);
    expect(first.killed).toBe(true);
    const finishedBefore = readdirSync(join(dir, 'results')).filter((f) => f.endsWith('.txt'));
    expect(finishedBefore).toHaveLength(1);
    const second = await runChild([dir, 'resume']);
    const summary = JSON.parse(second.out.split('SUMMARY ')[1]!) as {
      id: string;
      state: string;
      attempts: number;
      results: string[];
    }[];
    expect(summary).toHaveLength(3);
    expect(summary.every((j) => j.state === 'done')).toBe(true);
    const interrupted = summary.filter((j) => j.attempts === 2);
    expect(interrupted).toHaveLength(1);
    for (const j of summary) expect(existsSync(j.results[0]!)).toBe(true);
    // The interrupted job resumed from its last checkpoint rather than from step 0.
    expect(readFileSync(interrupted[0]!.results[0]!, 'utf8')).toMatch(/from [1-9]/);
    // The job finished before the kill was not run again.
    expect(summary.filter((j) => j.attempts === 1)).toHaveLength(2);
    // No temp files left half-written in results.
    expect(readdirSync(join(dir, 'results')).filter((f) => f.endsWith('.tmp'))).toHaveLength(0);
  });
});
