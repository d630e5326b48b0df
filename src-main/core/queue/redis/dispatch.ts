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

function depState(states: Map<string, string>, rec: RedisRecord): 'ready' | 'blocked' | 'doomed' {
  for (const d of rec.job.dependsOn) {
    const s = states.get(d);
    if (s === 'failed' || s === 'cancelled' || s === undefined) return 'doomed';
    if (s !== 'done') return 'blocked';
  }
  return 'ready';
}

export async function enqueue(q: Queue, rec: RedisRecord): Promise<void> {
  await q.add(
    rec.job.kind,
    { id: rec.job.id },
    {
      jobId: rec.job.id,
      priority: bullPriority(rec.job.priority),
      removeOnComplete: true,
      removeOnFail: true,
      attempts: 1,
    },
  );
}

/**
 * Queues every queued/waiting job whose dependencies are done; fails those whose dependency did not finish. Reads
 * only the pending jobs and their dependencies (O(pending), not O(records)); each change is a compare-and-set, so a
 * job cancelled or paused meanwhile is left as its canceller wrote it.
 */
export async function release(store: RedisStore, q: Queue): Promise<void> {
  const pending = await store.many(await store.pending());
  const deps = new Set<string>();
  for (const { rec } of pending.values()) for (const d of rec.job.dependsOn) if (!pending.has(d)) deps.add(d);
  const states = new Map<string, string>();
  for (const [id, { rec }] of [...pending, ...(await store.many([...deps]))]) states.set(id, rec.job.state);
  for (const { rec, raw } of pending.values()) {
    if (rec.job.state !== 'queued' && rec.job.state !== 'waiting') continue;
    const s = depState(states, rec);
    if (s === 'ready') await enqueue(q, rec);
    else if (s === 'doomed') {
      await store.cas(raw, {
        ...rec,
        job: {
          ...rec.job,
          state: 'failed',
          message: 'a job it depends on failed or was cancelled',
          finishedAt: nowIso(),
          error: { code: 'QUEUE', message: `dependency of ${rec.job.id} did not finish` },
        },
      });
    } else if (rec.job.state === 'queued')
      await store.cas(raw, { ...rec, job: { ...rec.job, state: 'waiting', message: 'waiting for dependencies' } });
  }
}
