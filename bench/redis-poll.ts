// `tsx bench/redis-poll.ts [--jobs N] [--seconds S]`: what the Redis queue costs Redis while nothing happens, with
// N finished jobs on record: commands and bytes per poll of a `serve --queue` (RedisJobQueue, every 250 ms), and
// per dependency release (what a worker runs after each job). Counted by the server (INFO commandstats and
// total_net_output_bytes after CONFIG RESETSTAT), so the client under test is not trusted to count itself.
// Prints one JSON line.
import { RespClient } from '../src-main/core/queue/redis/client';
import { RedisJobQueue, RedisStore, parseRedisUrl } from '../src-main/core/queue/redis/index';
import { release } from '../src-main/core/queue/redis/dispatch';
import { Queue } from 'bullmq';
import type { Job } from '../src-main/contract/schemas';
import { TestRedis } from '../test/redis-server';
import { tempDir } from '../test/helpers';

function arg(name: string, def: number): number {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : def;
}

/** Server-side counts since CONFIG RESETSTAT; commands run inside Lua scripts count too (EVALSHA is the round trip). */
async function stats(c: RespClient): Promise<{ calls: Record<string, number>; outBytes: number }> {
  const s = (await c.call('INFO', 'stats')) as string; // first: INFO's own reply is not yet in this figure
  const info = (await c.call('INFO', 'commandstats')) as string;
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g)) calls[m[1]!] = Number(m[2]);
  return { calls, outBytes: Number(/total_net_output_bytes:(\d+)/.exec(s)?.[1] ?? 0) };
}

function doneJob(i: number): Job {
  const t = new Date(0).toISOString();
  return {
    id: `job_${String(i).padStart(12, '0')}`,
    kind: 'report',
    spec: { kind: 'report', itemIds: ['ds_1'], title: `r${i}` },
    state: 'done',
    priority: 0,
    dependsOn: [],
    attempts: 1,
    progress: 1,
    message: 'done',
    createdAt: t,
    startedAt: t,
    finishedAt: t,
    outputs: [`res_${i}`],
    error: null,
  };
}

async function main(): Promise<void> {
  const jobs = arg('--jobs', 1000);
  const seconds = arg('--seconds', 5);
  const redis = await TestRedis.start();
  const url = parseRedisUrl(redis.url);
  const admin = new RespClient(url);
  const c = new RespClient(url);
  try {
    const store = new RedisStore(c, 'bench');
    for (let i = 0; i < jobs; i++) {
      await store.put({
        job: doneJob(i),
        results: [
          {
            id: `res_${i}`,
            jobId: doneJob(i).id,
            kind: 'report',
            path: `results/r${i}.html`,
            inputDatasetId: null,
            method: 'report',
            shape: null,
            createdAt: new Date(0).toISOString(),
          },
        ],
        seq: i + 1,
        worker: 'w0',
      });
    }
    const pollMs = 250;
    const q = await RedisJobQueue.open({ url, queueName: 'bench', root: tempDir(), pollMs });
    await new Promise((r) => setTimeout(r, 2 * pollMs));
    await admin.call('CONFIG', 'RESETSTAT');
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const idle = await stats(admin);
    await q.close();
    const polls = (seconds * 1000) / pollMs;
    const pollCalls = Object.entries(idle.calls).filter(([k]) => !/^(info|config)/.test(k));

    const bull = new Queue('bench', { connection: new RespClient(url) as never });
    await bull.waitUntilReady();
    await admin.call('CONFIG', 'RESETSTAT');
    const t0 = performance.now();
    await release(store, bull);
    const releaseMs = performance.now() - t0;
    const rel = await stats(admin);
    await bull.close();
    const releaseCalls = Object.entries(rel.calls).filter(([k]) => !/^(info|config)/.test(k));
    const sum = (e: [string, number][]) => e.reduce((a, [, n]) => a + n, 0);
    console.log(
      JSON.stringify({
        jobs,
        pollMs,
        polls,
        poll: {
          commandsPerPoll: sum(pollCalls) / polls,
          byCommand: Object.fromEntries(pollCalls.map(([k, n]) => [k, n / polls])),
          bytesPerPoll: Math.round(idle.outBytes / polls),
        },
        release: {
          commands: sum(releaseCalls),
          byCommand: Object.fromEntries(releaseCalls),
          bytes: rel.outBytes,
          ms: Math.round(releaseMs * 10) / 10,
        },
      }),
    );
  } finally {
    admin.disconnect();
    c.disconnect();
    await redis.stop();
  }
}

await main();
