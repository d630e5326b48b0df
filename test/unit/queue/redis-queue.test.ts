// The Redis queue against a real redis-server (test/redis-server.ts): the JobQueue contract the local queue keeps
// (priorities, dependencies, pause/resume/cancel/retry, progress, results, the worker that ran each job), root
// mapping, and a Redis restart mid-batch. Runners are tiny fakes here; test/unit/queue/redis-workers.test.ts runs
// real `cycledecon worker` processes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, Result } from '../../../src-main/contract/schemas';
import type { RunnerTable, JobRunner } from '../../../src-main/core/queue/types';
import { RedisJobQueue, RedisQueueWorker, parseRedisUrl, underRoot } from '../../../src-main/core/queue/redis/index';
import { redisMissing, TestRedis } from '../../redis-server';
import { tempDir } from '../../helpers';

if (redisMissing) console.warn(redisMissing);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A runner that writes one result file after `ms`, and records the order and the resumed flag of each run. */
function fakeRunner(ran: { id: string; resumed: boolean }[], ms = 30): JobRunner {
  return async (job: Job, ctx) => {
    ran.push({ id: job.id, resumed: ctx.resumed });
    for (let i = 0; i < ms / 10; i++) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      ctx.progress(i / (ms / 10), 'working');
      await sleep(10);
    }
    if (job.spec.kind === 'report' && job.spec.title === 'fail') throw new Error('boom');
    const path = join(ctx.resultsDir, `${job.id}.txt`);
    writeFileSync(path, job.id);
    const r: Result = {
      id: `res_${job.id.slice(4)}`,
      jobId: job.id,
      kind: 'report',
      path,
      inputDatasetId: null,
      method: 'fake',
      shape: null,
      createdAt: new Date().toISOString(),
    };
    return [r];
  };
}
const spec = (title = 't') => ({ kind: 'report' as const, itemIds: ['ds_1'], title });

describe.skipIf(redisMissing)('RedisJobQueue with in-process workers', () => {
  let redis: TestRedis;
  const open: { close(): Promise<void> }[] = [];
  let n = 0;
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  async function setup(opts: { workers?: number; ms?: number; lockMs?: number; start?: boolean } = {}) {
    const url = parseRedisUrl(redis.url);
    const queueName = `t${n++}`;
    const root = tempDir();
    mkdirSync(join(root, 'results'));
    const registered: Result[] = [];
    const q = await RedisJobQueue.open({
      url,
      queueName,
      root,
      pollMs: 50,
      onResults: async (_id, rs) => {
        registered.push(...rs);
      },
    });
    open.push(q);
    const ran: { id: string; resumed: boolean }[] = [];
    const runners: RunnerTable = { report: fakeRunner(ran, opts.ms) };
    const workers: RedisQueueWorker[] = [];
    const addWorker = (name: string) => {
      const w = new RedisQueueWorker({ url, queueName, root, runners, name, lockMs: opts.lockMs ?? 2000 });
      workers.push(w);
      open.push(w);
      return w;
    };
    if (opts.start !== false) for (let i = 0; i < (opts.workers ?? 1); i++) addWorker(`w${i}`);
    return { q, ran, root, registered, workers, addWorker };
  }

  it('runs jobs by priority, then dependencies, and reports results, progress and the worker', async () => {
    const { q, ran, root, registered, addWorker } = await setup({ start: false, ms: 300 });
    const progress: number[] = [];
    q.on('progress', (p) => progress.push(p.progress));
    const low = await q.submit(spec('low'), { priority: 0 });
    const high = await q.submit(spec('high'), { priority: 5 });
    const dep = await q.submit(spec('dep'), { priority: 9, dependsOn: [low.id] });
    addWorker('w0');
    await sleep(200);
    await q.idle();
    expect(ran.map((r) => r.id)).toEqual([high.id, low.id, dep.id]);
    for (const j of [low, high, dep]) {
      const job = q.get(j.id)!;
      expect(job.state).toBe('done');
      expect(job.worker).toBe('w0');
      expect(q.results(j.id)[0]!.path).toBe(join(root, 'results', `${j.id}.txt`));
    }
    expect(registered).toHaveLength(3);
    expect(progress.length).toBeGreaterThan(0);
  });

  it('fails the dependents of a failed job, and retry runs it again', async () => {
    const { q } = await setup();
    const bad = await q.submit(spec('fail'));
    const dep = await q.submit(spec(), { dependsOn: [bad.id] });
    await sleep(200);
    await q.idle();
    expect(q.get(bad.id)).toMatchObject({ state: 'failed', error: { message: 'boom' } });
    expect(q.get(dep.id)?.state).toBe('failed');
    await q.retry(bad.id);
    await sleep(200);
    await q.idle();
    expect(q.get(bad.id)?.attempts).toBe(2);
    await expect(q.retry(dep.id)).resolves.toMatchObject({ state: 'queued' });
  });

  it('cancels and pauses queued and running jobs; a resumed job runs with resumed set', async () => {
    const { q, ran } = await setup({ ms: 1500 });
    const a = await q.submit(spec('a'));
    const b = await q.submit(spec('b'));
    await q.pause(b.id);
    for (let i = 0; i < 100 && q.get(a.id)?.state !== 'running'; i++) await sleep(20);
    await q.pause(a.id);
    for (let i = 0; i < 100 && q.get(a.id)?.state !== 'paused'; i++) await sleep(20);
    expect(q.get(a.id)?.state).toBe('paused');
    expect(q.get(b.id)?.state).toBe('paused');
    await q.resume(a.id);
    for (let i = 0; i < 100 && q.get(a.id)?.state !== 'running'; i++) await sleep(20);
    await q.cancel(a.id);
    await q.cancel(b.id);
    for (let i = 0; i < 100 && q.get(a.id)?.state !== 'cancelled'; i++) await sleep(20);
    expect(q.get(a.id)?.state).toBe('cancelled');
    expect(q.get(b.id)?.state).toBe('cancelled');
    expect(ran.filter((r) => r.id === a.id).map((r) => r.resumed)).toEqual([false, true]);
    expect(ran.some((r) => r.id === b.id)).toBe(false);
  });

  it('completes a batch across a Redis restart (append-only), each job once', async () => {
    const { q, ran } = await setup({ workers: 2, ms: 100 });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await q.submit(spec(`r${i}`))).id);
    await sleep(300);
    await redis.restart();
    await sleep(300);
    await q.idle();
    for (const id of ids) expect(q.get(id)?.state).toBe('done');
    // A job is re-run only if a restart cut it short; it never finishes twice.
    expect(new Set(ran.map((r) => r.id))).toEqual(new Set(ids));
  });

  it('refuses bad queue URLs and paths leading out of the root', () => {
    expect(() => parseRedisUrl('http://x:1/0')).toThrow(/redis:\/\//);
    expect(() => parseRedisUrl('redis://x:1/abc')).toThrow(/database/);
    expect(parseRedisUrl('redis://10.0.0.2:6380/3')).toEqual({ host: '10.0.0.2', port: 6380, db: 3 });
    const root = tempDir();
    expect(underRoot(root, 'results/a.tif')).toBe(join(root, 'results', 'a.tif'));
    expect(underRoot(root, 'results\\a.tif')).toBe(join(root, 'results', 'a.tif'));
    for (const bad of ['../x', 'results/../../x', '/etc/passwd', 'C:\\x'])
      expect(() => underRoot(root, bad)).toThrow(/outside/);
  });
});

describe.skipIf(redisMissing)('Redis queue paths', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('sends a model folder relative to the root, maps it on the worker, and refuses one outside the root', async () => {
    const url = parseRedisUrl(redis.url);
    const root = tempDir();
    const workerRoot = tempDir();
    const seen: string[] = [];
    const q = await RedisJobQueue.open({ url, queueName: 'paths', root, pollMs: 50 });
    const w = new RedisQueueWorker({
      url,
      queueName: 'paths',
      root: workerRoot,
      name: 'w',
      runners: {
        deconvolve: async (job) => {
          if (job.spec.kind === 'deconvolve' && job.spec.method === 'model') seen.push(job.spec.runDir!);
          return [];
        },
      },
    });
    try {
      const spec = (runDir: string) => ({
        kind: 'deconvolve' as const,
        method: 'model' as const,
        datasetId: 'ds_1',
        runDir,
      });
      await expect(q.submit(spec(join(tempDir(), 'run')))).rejects.toThrow(/outside/);
      const job = await q.submit(spec(join(root, 'runs', 'r1')));
      expect(q.get(job.id)?.spec).toMatchObject({ runDir: 'runs/r1' });
      await sleep(200);
      await q.idle();
      expect(seen).toEqual([join(workerRoot, 'runs', 'r1')]);
    } finally {
      await w.close();
      await q.close();
    }
  });
});
