// What the Redis queue reads while little happens, counted by the server (INFO commandstats, output bytes): an idle
// serve's poll reads no record however many finished jobs there are, a release reads only the pending ones, and a
// poll after the store was emptied reads everything again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../../src-main/contract/schemas';
import { RedisJobQueue, RedisStore, RespClient, parseRedisUrl } from '../../../src-main/core/queue/redis/index';
import { release } from '../../../src-main/core/queue/redis/dispatch';
import { Queue } from 'bullmq';
import { redisMissing, TestRedis } from '../../redis-server';
import { tempDir } from '../../helpers';

if (redisMissing) console.warn(redisMissing);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function job(i: number, state: Job['state'], dependsOn: string[] = []): Job {
  return {
    id: `job_${String(i).padStart(12, '0')}`,
    kind: 'report',
    spec: { kind: 'report', itemIds: ['ds_1'], title: `r${i}` },
    state,
    priority: 0,
    dependsOn,
    attempts: state === 'done' ? 1 : 0,
    progress: state === 'done' ? 1 : 0,
    message: state,
    createdAt: 't',
    startedAt: null,
    finishedAt: null,
    outputs: [],
    error: null,
  };
}

describe.skipIf(redisMissing)('Redis queue reads', () => {
  let redis: TestRedis;
  let admin: RespClient;
  beforeAll(async () => {
    redis = await TestRedis.start();
    admin = new RespClient(parseRedisUrl(redis.url));
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });

  async function calls(): Promise<{ byCommand: Record<string, number>; bytes: number }> {
    // Bytes first: INFO's own reply is counted only once written, so this one is not in its figure.
    const bytes = Number(/total_net_output_bytes:(\d+)/.exec((await admin.call('INFO', 'stats')) as string)?.[1]);
    const info = (await admin.call('INFO', 'commandstats')) as string;
    const byCommand: Record<string, number> = {};
    for (const m of info.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g))
      if (!/^(info|config)$/.test(m[1]!)) byCommand[m[1]!] = Number(m[2]);
    return { byCommand, bytes };
  }

  it('polls 1000 finished jobs without reading them, and a release reads only the pending jobs', async () => {
    const url = parseRedisUrl(redis.url);
    const c = new RespClient(url);
    const store = new RedisStore(c, 'reads');
    for (let i = 0; i < 1000; i++) await store.put({ job: job(i, 'done'), results: [], seq: i });
    // One pending job, held by a paused one (so the release files it as waiting and leaves BullMQ alone).
    await store.put({ job: job(1001, 'paused'), results: [], seq: 1001 });
    await store.put({ job: job(1000, 'queued', [job(1001, 'paused').id]), results: [], seq: 1000 });
    const q = await RedisJobQueue.open({ url, queueName: 'reads', root: tempDir(), pollMs: 50 });
    expect(q.list()).toHaveLength(1002);
    await sleep(150);
    await admin.call('CONFIG', 'RESETSTAT');
    await sleep(1000); // about 20 polls
    const idle = await calls();
    expect(idle.byCommand.hgetall ?? 0).toBe(0);
    expect(idle.byCommand.hmget ?? 0).toBe(0);
    expect(idle.byCommand.evalsha).toBeGreaterThanOrEqual(10);
    expect(idle.bytes / idle.byCommand.evalsha!).toBeLessThan(64); // a revision number per poll, no record

    // A change is still seen by the next poll.
    const one = (await store.read(job(7, 'done').id))!;
    await store.cas(one.raw, { ...one.rec, job: { ...one.rec.job, message: 'relabelled' } });
    await sleep(200);
    expect(q.get(job(7, 'done').id)?.message).toBe('relabelled');
    await q.close();

    const bull = new Queue('reads', { connection: new RespClient(url) as never });
    await bull.waitUntilReady(); // BullMQ's own start-up (INFO, CLIENT SETNAME) out of the count
    await admin.call('CONFIG', 'RESETSTAT');
    await release(store, bull);
    const rel = await calls();
    await bull.close();
    c.disconnect();
    expect(rel.byCommand.hgetall ?? 0).toBe(0);
    expect(rel.byCommand.smembers).toBe(1);
    expect(rel.byCommand.hmget).toBe(2); // the pending job, then its one dependency
    expect(rel.bytes).toBeLessThan(4000); // two records and small replies, not 1002 records (~500 KB)
    expect((await new RedisStore(admin, 'reads').get(job(1000, 'queued').id))?.job.state).toBe('waiting');
  });

  it('reads everything again when the store was emptied (revision went back)', async () => {
    const url = parseRedisUrl(redis.url);
    const c = new RespClient(url);
    const store = new RedisStore(c, 'reset');
    for (let i = 0; i < 3; i++) await store.put({ job: job(i, 'done'), results: [], seq: i });
    const q = await RedisJobQueue.open({ url, queueName: 'reset', root: tempDir(), pollMs: 50 });
    await admin.call('FLUSHDB');
    await store.put({ job: job(9, 'done'), results: [], seq: 9 }); // revision 1 < 3
    await sleep(250);
    expect(q.get(job(9, 'done').id)?.state).toBe('done');
    await q.close();
    c.disconnect();
  });
});
