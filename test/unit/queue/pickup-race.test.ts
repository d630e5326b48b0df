// A cancel or pause that reaches the local queue between the pick of a job and the start of its runner wins: the
// runner is never called for that attempt. Raced over many iterations at different points of the pick (the
// job's folder being made, its 'running' record being journaled).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { LocalJobQueue } from '../../../src-main/core/queue';
import type { JobRunner } from '../../../src-main/core/queue';
import { tempDir } from '../../helpers';

const spec = { kind: 'report' as const, itemIds: ['ds_1'], title: 't' };
/** Waits `k` turns of the event loop (0: none). */
async function turns(k: number): Promise<void> {
  for (let i = 0; i < k; i++) await new Promise((r) => setImmediate(r));
}

describe('LocalJobQueue: stop between pick and start', () => {
  it.each(['cancel', 'pause'] as const)(
    'a %s that lands before the runner starts means the runner never runs',
    async (action) => {
      const started: string[] = [];
      // Ignores its signal on purpose: only the queue can keep it from running.
      const runner: JobRunner = async (job) => {
        started.push(job.id);
        return [];
      };
      const dir = tempDir();
      const q = await LocalJobQueue.open({
        dir: join(dir, 'jobs'),
        resultsDir: join(dir, 'results'),
        runners: { report: runner },
      });
      let beforeStart = 0;
      let afterStart = 0;
      for (let i = 0; i < 60; i++) {
        const job = await q.submit(spec); // picked at once: run() has begun, its folder is being made
        await turns(i % 6);
        const ran = started.includes(job.id);
        const seen =
          action === 'cancel'
            ? await q.cancel(job.id)
            : await q.pause(job.id).catch((e: Error) => ({ state: `refused: ${e.message}` }));
        await q.idle();
        const final = q.get(job.id)!;
        if (!ran && seen.state !== 'done' && !String(seen.state).startsWith('refused')) {
          // The stop was asked before the runner was called: it must win.
          expect(started, `iteration ${i}: runner started after the ${action}`).not.toContain(job.id);
          expect(final.state).toBe(action === 'cancel' ? 'cancelled' : 'paused');
          if (action === 'pause') {
            await q.resume(job.id);
            await q.idle();
            expect(q.get(job.id)!.state).toBe('done'); // and the job is intact: resumed, it runs once
            expect(started.filter((s) => s === job.id)).toHaveLength(1);
          }
          beforeStart++;
        } else afterStart++;
      }
      expect(beforeStart + afterStart).toBe(60);
      expect(beforeStart).toBeGreaterThan(10); // the race was really exercised on the early side
      await q.close();
    },
  );
});
