// Which queued job may start: dependencies first, then priority, then submission order.
import type { Job, JobState } from '../../contract/schemas';

export type Runnable = 'ready' | 'blocked' | 'doomed' | 'no';

/** 'ready' to start, 'blocked' by a dependency, 'doomed' by a failed one, or 'no' (not queued). */
export function runnable(job: Job, stateOf: (id: string) => JobState | undefined): Runnable {
  if (job.state !== 'queued' && job.state !== 'waiting') return 'no';
  for (const d of job.dependsOn) {
    const s = stateOf(d);
    if (s === 'failed' || s === 'cancelled' || s === undefined) return 'doomed';
    if (s !== 'done') return 'blocked';
  }
  return 'ready';
}

/** The order the queue looks at jobs in: higher priority first, then the one submitted first. */
export function byPickOrder<R extends { job: Job; seq: number }>(records: Iterable<R>): R[] {
  return [...records].sort((a, b) => b.job.priority - a.job.priority || a.seq - b.seq);
}
