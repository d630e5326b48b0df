// Hands jobs to BullMQ once runnable: dependencies done (dependents of a failed job fail), priorities mapped
// (ours: higher first; BullMQ: lower first). Idempotent: BullMQ keeps one job per id, and a worker skips ids
// whose record is no longer runnable, so any process may call release() at any time.
import type { Queue } from 'bullmq';
import { nowIso } from '../../project/ids';
import type { RedisRecord, RedisStore } from './store';

const PRIORITY_BASE = 1_000_000;

export function bullPriority(p: number): number {
  return Math.max(1, Math.min(2_097_151, PRIORITY_BASE - p));
}

function depState(all: Map<string, RedisRecord>, rec: RedisRecord): 'ready' | 'blocked' | 'doomed' {
  for (const d of rec.job.dependsOn) {
    const s = all.get(d)?.job.state;
    if (s === 'failed' || s === 'cancelled' || s === undefined) return 'doomed';
    if (s !== 'done') return 'blocked';
  }
  return 'ready';
}

export async function enqueue(q: Queue, rec: RedisRecord): Promise<void> {
  await q.add(rec.job.kind, { id: rec.job.id }, { jobId: rec.job.id, priority: bullPriority(rec.job.priority), removeOnComplete: true, removeOnFail: true, attempts: 1 });
}

/** Queues every queued/waiting job whose dependencies are done; fails those whose dependency did not finish. */
export async function release(store: RedisStore, q: Queue): Promise<void> {
  const all = await store.all();
  for (const rec of all.values()) {
    if (rec.job.state !== 'queued' && rec.job.state !== 'waiting') continue;
    const s = depState(all, rec);
    if (s === 'ready') await enqueue(q, rec);
    else if (s === 'doomed') {
      await store.put({ ...rec, job: { ...rec.job, state: 'failed', message: 'a job it depends on failed or was cancelled', finishedAt: nowIso(), error: { code: 'QUEUE', message: `dependency of ${rec.job.id} did not finish` } } });
    } else if (rec.job.state === 'queued') await store.put({ ...rec, job: { ...rec.job, state: 'waiting', message: 'waiting for dependencies' } });
  }
}
