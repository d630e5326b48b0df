import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { LocalJobQueue } from '../../../src-main/core/queue';
import { tempDir } from '../../helpers';
import { slowRunner, psfSpec } from './slow-runner';
import type { Job, Result } from '../../../src-main/contract/schemas';
import type { RunContext } from '../../../src-main/core/queue';
import { IoError } from '../../../src-main/core/errors';

function openQueue(dir: string, steps: number, autoStart = true) {
  return LocalJobQueue.open({
    dir: join(dir, 'jobs'),
    resultsDir: join(dir, 'results'),
    runners: { psf: slowRunner(steps, 10) },
    autoStart,
  });
}

/** Resolves once `job` has reported at least `step` steps. */
function reachStep(q: LocalJobQueue, jobId: string, step: number): Promise<void> {
  return new Promise((r) => {
    const off = q.on('progress', (p) => {
      if (p.jobId === jobId && (p.step ?? 0) >= step) {
        off();
        r();
      }
    });
  });
}

describe('LocalJobQueue pause / resume', () => {
  it('holds a paused queued job (and its dependents) across a reopen, then runs both after resume', async () => {
    const dir = tempDir();
    const q = await openQueue(dir, 2, false);
    const a = await q.submit(psfSpec);
    const b = await q.submit(psfSpec, { dependsOn: [a.id] });
    const c = await q.submit(psfSpec);
    expect((await q.pause(a.id)).state).toBe('paused');
    await q.idle(); // idle with a paused job: c runs, a is held, b waits
    expect(q.get(a.id)!.state).toBe('paused');
    expect(q.get(a.id)!.attempts).toBe(0);
    expect(q.get(b.id)!.state).toBe('waiting');
    expect(q.get(c.id)!.state).toBe('done');
    await q.close();

    const q2 = await openQueue(dir, 2);
    await q2.idle();
    expect(q2.get(a.id)!.state).toBe('paused'); // the journal kept it paused
    expect(q2.get(b.id)!.state).toBe('waiting');
    await expect(q2.resume(c.id)).rejects.toThrow(/only paused jobs can be resumed/);
    await expect(q2.pause(c.id)).rejects.toThrow(/is done; only queued, waiting or running/);
    const resumed = await q2.resume(a.id);
    expect(['queued', 'running']).toContain(resumed.state);
    await q2.idle();
    expect(q2.get(a.id)!.state).toBe('done');
    expect(q2.get(b.id)!.state).toBe('done');
    expect(readFileSync(q2.results(a.id)[0]!.path, 'utf8')).toBe(`done ${a.id} from 0`); // never started before: not a resume
    await q2.close();
  });

  it('pauses a running job (paused, not cancelled) and resumes it from its checkpoint after a reopen', async () => {
    const dir = tempDir();
    const q = await openQueue(dir, 40);
    const job = await q.submit(psfSpec);
    const states: string[] = [];
    q.on('state', (j) => {
      if (j.id === job.id) states.push(j.state);
    });
    await reachStep(q, job.id, 5);
    await q.pause(job.id);
    await q.idle();
    const paused = q.get(job.id)!;
    expect(paused.state).toBe('paused');
    expect(paused.error).toBeNull();
    expect(paused.finishedAt).toBeNull();
    expect(states).not.toContain('cancelled');
    const ckpt = JSON.parse(readFileSync(join(dir, 'jobs', job.id, 'checkpoint.json'), 'utf8')) as { step: number };
    expect(ckpt.step).toBeGreaterThanOrEqual(5);
    expect(ckpt.step).toBeLessThan(40);
    await q.close();

    const q2 = await openQueue(dir, 40);
    await q2.idle();
    expect(q2.get(job.id)!.state).toBe('paused');
    await q2.resume(job.id);
    await q2.idle();
    const done = q2.get(job.id)!;
    expect(done.state).toBe('done');
    expect(done.attempts).toBe(2);
    expect(readFileSync(q2.results(job.id)[0]!.path, 'utf8')).toBe(`done ${job.id} from ${ckpt.step}`);
    expect((await q2.log(job.id)).lines).toEqual([
      'start at step 0 (resumed=false)',
      `start at step ${ckpt.step} (resumed=true)`,
    ]);
    await q2.close();
  });

  it('a cancel after a pause of a running job wins; a paused job can be cancelled', async () => {
    const dir = tempDir();
    const q = await openQueue(dir, 40);
    const running = await q.submit(psfSpec);
    const held = await q.submit(psfSpec);
    await q.pause(held.id);
    await reachStep(q, running.id, 2);
    await q.pause(running.id);
    await q.cancel(running.id);
    await q.idle();
    expect(q.get(running.id)!.state).toBe('cancelled');
    expect((await q.cancel(held.id)).state).toBe('cancelled');
    await q.close();
  });

  it('records a runner that fails while being paused as failed, with its error, not as paused', async () => {
    const dir = tempDir();
    const failing = async (job: Job, ctx: RunContext): Promise<Result[]> => {
      for (let s = 0; ; s++) {
        if (ctx.signal.aborted) throw new IoError('checkpoint.json', 'no space left on device (ENOSPC)');
        await new Promise((r) => setTimeout(r, 10));
        ctx.progress(Math.min(0.99, s / 100), `step ${s + 1}`, s + 1, 100);
      }
    };
    const q = await LocalJobQueue.open({
      dir: join(dir, 'jobs'),
      resultsDir: join(dir, 'results'),
      runners: { psf: failing },
    });
    const job = await q.submit(psfSpec);
    await reachStep(q, job.id, 2);
    await q.pause(job.id);
    await q.idle();
    const j = q.get(job.id)!;
    expect(j.state).toBe('failed');
    expect(j.error?.code).toBe('IO');
    expect(j.error?.message).toMatch(/ENOSPC/);
    await q.close();
  });

  it('reports an ETA on progress events', async () => {
    const dir = tempDir();
    const q = await openQueue(dir, 6);
    const etas: (number | undefined)[] = [];
    q.on('progress', (p) => etas.push(p.etaSeconds));
    await q.submit(psfSpec);
    await q.idle();
    expect(etas).toHaveLength(6);
    expect(etas[0]).toBeUndefined(); // no rate from one sample
    const later = etas.slice(1) as number[];
    expect(later.every((e) => Number.isFinite(e) && e >= 0)).toBe(true);
    expect(later.at(-1)).toBe(0);
    expect(later[0]!).toBeGreaterThan(0);
    await q.close();
  });
});
