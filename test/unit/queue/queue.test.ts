import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { LocalJobQueue } from '../../../src-main/core/queue';
import { tempDir } from '../../helpers';
import { slowRunner, psfSpec } from './slow-runner';
import type { Job } from '../../../src-main/contract/schemas';

async function openQueue(dir: string, opts: { steps?: number; autoStart?: boolean; concurrency?: number } = {}) {
  return LocalJobQueue.open({
    dir: join(dir, 'jobs'),
    resultsDir: join(dir, 'results'),
    runners: { psf: slowRunner(opts.steps ?? 2, 5) },
    autoStart: opts.autoStart,
    concurrency: opts.concurrency,
  });
}

describe('LocalJobQueue', () => {
  it('runs higher priority first, then in submission order', async () => {
    const dir = tempDir();
    const q = await openQueue(dir, { autoStart: false });
    const a = await q.submit(psfSpec);
    const b = await q.submit(psfSpec, { priority: 5 });
    const c = await q.submit(psfSpec);
    await q.close();
    const q2 = await openQueue(dir);
    const order: string[] = [];
    q2.on('state', (j) => {
      if (j.state === 'running') order.push(j.id);
    });
    await q2.idle();
    expect(order).toEqual([b.id, a.id, c.id]);
    expect(q2.list().every((j) => j.state === 'done')).toBe(true);
    expect(readFileSync(q2.results(a.id)[0]!.path, 'utf8')).toBe(`done ${a.id} from 0`);
    await q2.close();
  });

  it('registers results (awaited onResults) before anyone can see the job as done', async () => {
    const dir = tempDir();
    const registered = new Set<string>();
    const q = await LocalJobQueue.open({
      dir: join(dir, 'jobs'),
      resultsDir: join(dir, 'results'),
      runners: { psf: slowRunner(1, 5) },
      onResults: async (_id, results) => {
        await new Promise((r) => setTimeout(r, 150));
        for (const r of results) registered.add(r.id);
      },
    });
    const seenAtDone: boolean[] = [];
    q.on('state', (j) => {
      if (j.state === 'done') seenAtDone.push(j.outputs.every((o) => registered.has(o)));
    });
    const job = await q.submit(psfSpec);
    while (q.get(job.id)!.state !== 'done') {
      await new Promise((r) => setTimeout(r, 10));
      const cur = q.get(job.id)!;
      if (cur.state === 'done') expect(cur.outputs.every((o) => registered.has(o))).toBe(true);
    }
    await q.idle();
    expect(seenAtDone).toEqual([true]);
    expect(q.get(job.id)!.outputs).toHaveLength(1);
    await q.close();
  });

  it('removes temp files that killed processes left in the results folder, and keeps live ones', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'results'), { recursive: true });
    const dead = join(dir, 'results', '.res_x.tif.999999999.0123abcd.tmp');
    const live = join(dir, 'results', `.res_y.tif.${process.pid}.89abcdef.tmp`);
    writeFileSync(dead, 'partial');
    writeFileSync(live, 'being written');
    const q = await openQueue(dir, { autoStart: false });
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    await q.close();
  });

  it('holds a job until its dependency is done, and fails it when the dependency fails', async () => {
    const dir = tempDir();
    const q = await LocalJobQueue.open({
      dir: join(dir, 'jobs'),
      resultsDir: join(dir, 'results'),
      runners: { psf: slowRunner(1, 5) },
    });
    const first = await q.submit(psfSpec, { priority: -1 });
    const second = await q.submit(psfSpec, { dependsOn: [first.id], priority: 10 });
    const started: string[] = [];
    q.on('state', (j) => {
      if (j.state === 'running') started.push(j.id);
    });
    await q.idle();
    expect(q.get(second.id)!.state).toBe('done');
    expect(q.get(second.id)!.startedAt! >= q.get(first.id)!.finishedAt!).toBe(true);
    const failing = await q.submit({ ...psfSpec, kind: 'report', itemIds: ['ds_abcd1234'] } as never);
    const dependent = await q.submit(psfSpec, { dependsOn: [failing.id] });
    await q.idle();
    expect(q.get(failing.id)!.state).toBe('failed');
    expect(q.get(failing.id)!.error!.message).toMatch(/no runner for report/);
    expect(q.get(dependent.id)!.state).toBe('failed');
    await expect(q.submit(psfSpec, { dependsOn: ['job_nonexist'] })).rejects.toThrow(/not a known job/);
    await q.close();
  });

  it('cancels a running job and retries it to completion', async () => {
    const dir = tempDir();
    const q = await LocalJobQueue.open({
      dir: join(dir, 'jobs'),
      resultsDir: join(dir, 'results'),
      runners: { psf: slowRunner(50, 10) },
    });
    const job = await q.submit(psfSpec);
    await new Promise<void>((r) => {
      const off = q.on('progress', () => {
        off();
        r();
      });
    });
    await q.cancel(job.id);
    await q.idle();
    expect(q.get(job.id)!.state).toBe('cancelled');
    await expect(q.retry('job_nonexist')).rejects.toThrow(/no job/);
    await q.retry(job.id);
    await q.idle();
    const j = q.get(job.id) as Job;
    expect(j.state).toBe('done');
    expect(j.attempts).toBe(2);
    expect((await q.log(job.id)).lines).toHaveLength(2);
    await q.close();
  });

  it('runs up to `concurrency` jobs at once', async () => {
    const dir = tempDir();
    const q = await openQueue(dir, { concurrency: 2, steps: 3 });
    let now = 0;
    let peak = 0;
    q.on('state', (j) => {
      if (j.state === 'running') peak = Math.max(peak, ++now);
      if (j.state === 'done') now--;
    });
    for (let i = 0; i < 5; i++) await q.submit(psfSpec);
    await q.idle();
    expect(peak).toBe(2);
    await q.close();
  });

  it('a queue of 200 jobs survives a restart intact', async () => {
    const dir = tempDir();
    const q = await openQueue(dir, { autoStart: false });
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push((await q.submit(psfSpec, { priority: i % 7 })).id);
    await q.close();
    const again = await openQueue(dir, { autoStart: false });
    const jobs = again.list();
    expect(jobs.map((j) => j.id)).toEqual(ids);
    expect(jobs.every((j) => j.state === 'queued' || j.state === 'waiting')).toBe(true);
    expect(jobs.map((j) => j.priority)).toEqual(ids.map((_, i) => i % 7));
    await again.close();
  });
});
