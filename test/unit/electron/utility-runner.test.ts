// Jobs in a utilityProcess: progress and results flow back; a crashing process fails only its job.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../../src-main/contract/schemas';
import type { RunContext } from '../../../src-main/core/queue/types';
import { JobCrashedError, utilityProcessRunner, type ChildLike } from '../../../src-main/electron/utility-runner';

class FakeChild extends EventEmitter implements ChildLike {
  sent: unknown[] = [];
  killed = false;
  postMessage(m: unknown): void {
    this.sent.push(m);
  }
  kill(): boolean {
    this.killed = true;
    return true;
  }
}

const job = { id: 'job_abcd1234', kind: 'psf' } as unknown as Job;
function ctx(): RunContext & { seen: string[]; abort: AbortController } {
  const abort = new AbortController();
  const seen: string[] = [];
  return {
    signal: abort.signal,
    workDir: '/p/jobs/x',
    resultsDir: '/p/results',
    resumed: false,
    seen,
    abort,
    progress: (f, m, _s, _t, eta) => seen.push(`p ${f} ${m}${eta === undefined ? '' : ` eta ${eta}`}`),
    log: (l) => seen.push(`l ${l}`),
    event: (e) => seen.push(`e ${e.type} ${e.step}`),
  };
}

describe('utilityProcess job runner', () => {
  it('forwards the run request, progress and log, and resolves with the results', async () => {
    const child = new FakeChild();
    const c = ctx();
    const run = utilityProcessRunner(() => child, '/out/main/job-process.js', '/p');
    const p = run(job, c);
    expect(child.sent[0]).toMatchObject({ type: 'run', job, projectDir: '/p', workDir: '/p/jobs/x' });
    child.emit('message', { type: 'progress', progress: 0.5, message: 'half' });
    child.emit('message', { type: 'log', line: 'hello' });
    child.emit('message', { type: 'progress', progress: 0.75, message: 'step 3/4', etaSeconds: 2 });
    child.emit('message', {
      type: 'event',
      event: {
        type: 'train.loss',
        step: 3,
        epoch: 0,
        losses: { cycleA: 0.1 },
        lr: 1e-3,
        stepsPerSecond: 1,
        etaSeconds: 2,
      },
    });
    child.emit('message', { type: 'done', results: [{ id: 'res_1234' }] });
    await expect(p).resolves.toEqual([{ id: 'res_1234' }]);
    expect(c.seen).toEqual(['p 0.5 half', 'l hello', 'p 0.75 step 3/4 eta 2', 'e train.loss 3']);
    expect(child.killed).toBe(true);
  });

  it('turns a crash (process exit) into a failed job with a hint, not an exception elsewhere', async () => {
    const child = new FakeChild();
    const p = utilityProcessRunner(() => child, 'e', '/p')(job, ctx());
    child.emit('exit', 134);
    await expect(p).rejects.toBeInstanceOf(JobCrashedError);
    await expect(p).rejects.toThrow(/exit code 134/);
  });

  it('reports a typed error sent by the job', async () => {
    const child = new FakeChild();
    const p = utilityProcessRunner(() => child, 'e', '/p')(job, ctx());
    child.emit('message', { type: 'error', error: { code: 'OUT_OF_MEMORY', message: 'too big', hint: 'crop' } });
    await expect(p).rejects.toMatchObject({ code: 'OUT_OF_MEMORY', hint: 'crop' });
  });

  it('asks the job to stop on cancel and gives up after the grace period', async () => {
    const child = new FakeChild();
    const c = ctx();
    const p = utilityProcessRunner(() => child, 'e', '/p', 10)(job, c);
    c.abort.abort();
    expect(child.sent.at(-1)).toEqual({ type: 'cancel' });
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(child.killed).toBe(true);
  });
});
