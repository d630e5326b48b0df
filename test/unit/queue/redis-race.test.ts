// Cancel and pause against a worker's pickup on a real redis-server, raced over many iterations: a stop that the
// queue accepted before the pickup (the caller got back 'cancelled' or 'paused') means the runner never runs that
// job, and a finished or stopped record is never overwritten by a late pickup. Then the Lua transitions one by one.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from '../../../src-main/contract/schemas';
import type { JobRunner } from '../../../src-main/core/queue/types';
import {
  RedisJobQueue,
  RedisQueueWorker,
  RedisStore,
  RespClient,
  parseRedisUrl,
  type RedisRecord,
} from '../../../src-main/core/queue/redis/index';
import { redisMissing, TestRedis } from '../../redis-server';
import { tempDir } from '../../helpers';

if (redisMissing) console.warn(redisMissing);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const spec = { kind: 'report' as const, itemIds: ['ds_1'], title: 't' };

describe.skipIf(redisMissing)('Redis queue: stop vs pickup', () => {
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

  async function setup(started: string[]) {
    const url = parseRedisUrl(redis.url);
    const queueName = `race${n++}`;
    const root = tempDir();
    mkdirSync(join(root, 'results'));
    // Ignores its signal on purpose: only the queue can keep a stopped job from running.
    const runner: JobRunner = async (job: Job) => {
      started.push(job.id);
      await sleep(5);
      return [];
    };
    const q = await RedisJobQueue.open({ url, queueName, root, pollMs: 20 });
    open.push(q);
    for (const name of ['w0', 'w1']) {
      const w = new RedisQueueWorker({ url, queueName, root, runners: { report: runner }, name, lockMs: 5000 });
      open.push(w);
    }
    await sleep(300); // workers connected and waiting
    return q;
  }

  it.each(['cancel', 'pause'] as const)(
    'a %s accepted before the pickup means the job never runs (80 races)',
    async (action) => {
      const started: string[] = [];
      const q = await setup(started);
      const early: string[] = [];
      for (let i = 0; i < 80; i++) {
        const job = await q.submit(spec);
        await sleep((i % 8) / 2); // 0 to 3.5 ms: before, during and after the workers' pickup
        const seen =
          action === 'cancel' ? await q.cancel(job.id) : await q.pause(job.id).catch(() => ({ state: 'done' }));
        if (seen.state === (action === 'cancel' ? 'cancelled' : 'paused')) early.push(job.id);
      }
      await sleep(100);
      await q.idle();
      await sleep(100); // a late pickup, if any were possible, would show now
      for (const id of early) {
        expect(started, `${id}: ran after the ${action} was accepted`).not.toContain(id);
        expect(q.get(id)?.state).toBe(action === 'cancel' ? 'cancelled' : 'paused');
      }
      expect(early.length).toBeGreaterThan(5); // the race was really run on the early side
      expect(early.length).toBeLessThan(80); // …and on the late side
      for (const j of q.list()) expect(['done', 'cancelled', 'paused']).toContain(j.state);
      expect(new Set(started).size).toBe(started.length); // nothing ran twice
    },
  );
});

describe.skipIf(redisMissing)('Redis queue transitions (Lua)', () => {
  let redis: TestRedis;
  let c: RespClient;
  let other: RespClient;
  beforeAll(async () => {
    redis = await TestRedis.start();
    c = new RespClient(parseRedisUrl(redis.url));
    other = new RespClient(parseRedisUrl(redis.url));
  });
  afterAll(async () => {
    c?.disconnect();
    other?.disconnect();
    await redis?.stop();
  });

  const record = (state: Job['state'], over: Partial<RedisRecord> = {}): RedisRecord => ({
    job: {
      id: 'job_aaaaaaaa',
      kind: 'report',
      spec,
      state,
      priority: 0,
      dependsOn: [],
      attempts: 0,
      progress: 0,
      message: state,
      createdAt: 't',
      startedAt: null,
      finishedAt: null,
      outputs: [],
      error: null,
    },
    results: [],
    seq: 1,
    ...over,
  });
  const withJob = (r: RedisRecord, job: Partial<Job>, over: Partial<RedisRecord> = {}): RedisRecord => ({
    ...r,
    ...over,
    job: { ...r.job, ...job },
  });

  it('compare-and-set refuses a record another process changed, and keeps the pending set', async () => {
    const s = new RedisStore(c, 'cas');
    const s2 = new RedisStore(other, 'cas');
    await s.put(record('queued'));
    expect(await s.pending()).toEqual(['job_aaaaaaaa']);
    const a = (await s.read('job_aaaaaaaa'))!;
    const b = (await s2.read('job_aaaaaaaa'))!;
    expect(await s2.cas(b.raw, withJob(b.rec, { state: 'cancelled' }))).toBe(true);
    expect(await s.cas(a.raw, withJob(a.rec, { state: 'running' }))).toBe(false); // read before the cancel: refused
    expect((await s.get('job_aaaaaaaa'))?.job.state).toBe('cancelled');
    expect(await s.pending()).toEqual([]);
  });

  it("pickup: ok once, skip for a stopped job, and a dead worker's job with a stop request is finished, not run", async () => {
    const s = new RedisStore(c, 'pick');
    const q = record('queued');
    await s.put(q);
    const read = (await s.read(q.job.id))!;
    const running = withJob(q, { state: 'running', attempts: 1 }, { worker: 'w0' });
    const stop = { cancelled: withJob(q, { state: 'cancelled' }), paused: withJob(q, { state: 'paused' }) };
    expect(await s.pickup(read.raw, running, stop.cancelled, stop.paused)).toBe('ok');
    expect(await s.pickup(read.raw, running, stop.cancelled, stop.paused)).toBe('changed'); // a second worker with the old read
    expect(await s.requestStop(q.job.id, 'cancel')).toBe(true);
    expect(await s.requestStop(q.job.id, 'pause')).toBe(true); // accepted, but does not turn the cancel into a pause
    expect(await s.stopRequest(q.job.id)).toBe('cancel');
    // w0 died; BullMQ hands the stalled job to w1, whose pickup sees the stop request.
    const again = (await s.read(q.job.id))!;
    const w1 = withJob(running, { attempts: 2 }, { worker: 'w1' });
    expect(
      await s.pickup(again.raw, w1, withJob(running, { state: 'cancelled' }), withJob(running, { state: 'paused' })),
    ).toBe('stopped');
    expect((await s.get(q.job.id))?.job.state).toBe('cancelled');
    expect(await s.stopRequest(q.job.id)).toBeNull();
    const done = (await s.read(q.job.id))!;
    expect(await s.pickup(done.raw, w1, stop.cancelled, stop.paused)).toBe('skip');
    expect(await s.requestStop(q.job.id, 'cancel')).toBe(false); // not running: no stale request left behind
    expect(await s.stopRequest(q.job.id)).toBeNull();
  });

  it('owned writes hold only for the worker and attempt running the job; a stop request picks the outcome', async () => {
    const s = new RedisStore(c, 'own');
    const running = withJob(record('running'), { attempts: 2 }, { worker: 'w1' });
    await s.put(running);
    const progress = withJob(running, { progress: 0.5 });
    expect(await s.owned({ worker: 'w0', attempts: 2 }, progress)).toBeNull(); // another worker
    expect(await s.owned({ worker: 'w1', attempts: 1 }, progress)).toBeNull(); // an older attempt of ours
    expect(await s.owned({ worker: 'w1', attempts: 2 }, progress)).toBe('running');
    await s.requestStop(running.job.id, 'pause');
    const stopped = {
      cancelled: withJob(running, { state: 'cancelled' }),
      paused: withJob(running, { state: 'paused', message: 'paused' }),
    };
    expect(
      await s.owned({ worker: 'w1', attempts: 2 }, withJob(running, { state: 'failed' }), { stopped, clearStop: true }),
    ).toBe('paused');
    expect((await s.get(running.job.id))?.job).toMatchObject({ state: 'paused', message: 'paused' });
    expect(await s.stopRequest(running.job.id)).toBeNull();
    expect(await s.owned({ worker: 'w1', attempts: 2 }, withJob(running, { state: 'done' }))).toBeNull(); // paused now: not running
  });

  it('changesSince returns only what changed after a revision, in one command', async () => {
    const s = new RedisStore(c, 'chg');
    const r0 = await s.revision();
    for (let i = 0; i < 5; i++) await s.put(withJob(record('done'), { id: `job_0000000${i}` }));
    const r1 = await s.revision();
    expect(r1 - r0).toBe(5);
    expect(await s.changesSince(r1)).toEqual({ rev: r1, records: [] });
    const one = (await s.read('job_00000003'))!;
    await s.cas(one.raw, withJob(one.rec, { message: 'seen' }));
    const ch = await s.changesSince(r1);
    expect(ch.rev).toBe(r1 + 1);
    expect(ch.records.map((r) => [r.job.id, r.job.message])).toEqual([['job_00000003', 'seen']]);
    expect((await s.changesSince(r0)).records.map((r) => r.job.id).sort()).toEqual([
      'job_00000000',
      'job_00000001',
      'job_00000002',
      'job_00000003',
      'job_00000004',
    ]);
  });
});
