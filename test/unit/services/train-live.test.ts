import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseRequest } from '../../../src-main/contract/validate';
import { events, type EventName, type EventOf } from '../../../src-main/contract/api';
import type { Job } from '../../../src-main/contract/schemas';
import { openService } from './harness';
import { repoRoot } from '../../helpers';

// Domain A: assets/sample/bars_blurred.tif (flowdec "Hollow Bars", Apache-2.0, see assets/sample/README.md);
// domain B: test/fixtures/model-bars/train_sharp.tif (project-made synthetic sharp data, unmatched).
const blurredPath = join(repoRoot, 'assets', 'sample', 'bars_blurred.tif');
const sharpPath = join(repoRoot, 'test', 'fixtures', 'model-bars', 'train_sharp.tif');
const MAX_STEPS = 16; // the tiny preset's whole schedule (4 epochs of 4 steps)

type Seen = { [E in EventName]: EventOf<E>[] };

function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 50);
    };
    tick();
  });
}

describe('live training events and pause/resume of a train job', () => {
  it('streams train.loss, PSF snapshots and ETA; a paused job resumes from its checkpoint step', async () => {
    const { service, projectDir } = await openService(
      join(repoRoot, 'assets'),
      join(repoRoot, 'test', 'fixtures', 'model-bars'),
    );
    const seen = Object.fromEntries(Object.keys(events).map((k) => [k, []])) as unknown as Seen;
    let pauseAt: ((step: number) => void) | undefined;
    service.onEvent((event, payload) => {
      // Every event must satisfy its contract schema (what the transports send).
      (seen[event] as unknown[]).push(events[event].parse(payload));
      if (event === 'train.loss') pauseAt?.((payload as EventOf<'train.loss'>).step);
    });
    const call = <M extends 'jobs.pause' | 'jobs.resume' | 'jobs.get' | 'jobs.log'>(m: M, req: unknown) =>
      service.handlers[m](parseRequest(m, req) as never);
    try {
      await service.handlers['project.create'](parseRequest('project.create', { dir: projectDir }));
      const imp = (await service.handlers['dataset.import'](
        parseRequest('dataset.import', { paths: [blurredPath, sharpPath] }),
      )) as { imported: { id: string; name: string }[] };
      const blurred = imp.imported.find((d) => d.name === 'bars_blurred.tif')!;
      const sharp = imp.imported.find((d) => d.name === 'train_sharp.tif')!;
      const job = (await service.handlers['jobs.submit'](
        parseRequest('jobs.submit', {
          spec: {
            kind: 'train',
            blurredIds: [blurred.id],
            sharpIds: [sharp.id],
            preset: 'tiny',
            config: { maxSteps: MAX_STEPS, seed: 3 },
          },
        }),
      )) as Job;
      const state = () => seen['job.state'].filter((e) => e.job.id === job.id).at(-1)?.job.state;

      // Pause from the event handler itself, as a UI button would, so the run is stopped well before its end.
      let paused: Promise<unknown> | undefined;
      pauseAt = (step) => {
        if (step >= 3 && !paused) paused = call('jobs.pause', { id: job.id });
      };
      await until(() => paused !== undefined, 120_000, 'three training steps');
      await paused;
      await until(() => state() === 'paused', 60_000, 'the job to pause');
      const before = seen['train.loss'].length;
      const lossBefore = seen['train.loss'].slice(0, before);
      const log = (await call('jobs.log', { id: job.id })) as { lines: string[] };
      const ckptSteps = log.lines
        .map((l) => /^checkpoint at step (\d+)$/.exec(l)?.[1])
        .filter(Boolean)
        .map(Number);
      const ckpt = ckptSteps.at(-1)!;
      expect(ckpt).toBeGreaterThanOrEqual(2); // tiny checkpoints every 2 steps, and on stopping
      expect(ckpt).toBeLessThan(MAX_STEPS);
      expect(seen['job.state'].some((e) => e.job.id === job.id && e.job.state === 'cancelled')).toBe(false);

      await call('jobs.resume', { id: job.id });
      await until(() => state() === 'done' || state() === 'failed', 120_000, 'the job to finish');
      const done = (await call('jobs.get', { id: job.id })) as Job;
      expect(done.state, JSON.stringify(done.error ?? {})).toBe('done');
      expect(done.attempts).toBe(2);

      // Losses: finite terms and strictly increasing steps within each attempt; the second attempt
      // starts right after the checkpoint, not at step 1.
      const losses = seen['train.loss'];
      const after = losses.slice(before);
      for (const e of losses) {
        expect(e.jobId).toBe(job.id);
        expect(Object.keys(e.losses)).toContain('cycleA');
        expect(Object.values(e.losses).every(Number.isFinite)).toBe(true);
        expect(Number.isFinite(e.lr) && e.lr > 0).toBe(true);
        expect(e.stepsPerSecond).toBeGreaterThan(0);
      }
      expect(lossBefore.map((e) => e.step)).toEqual(lossBefore.map((_, i) => i + 1));
      expect(after.map((e) => e.step)).toEqual(Array.from({ length: MAX_STEPS - ckpt }, (_, i) => ckpt + 1 + i));
      expect(after.at(-1)!.etaSeconds).toBe(0);
      const resumedLog = ((await call('jobs.log', { id: job.id })) as { lines: string[] }).lines;
      expect(resumedLog.some((l) => l.includes('resuming from checkpoint (interrupted run)'))).toBe(true);
      const history = JSON.parse(readFileSync(join(projectDir, 'jobs', job.id, 'run', 'history.json'), 'utf8')) as {
        step: number;
      }[];
      expect(history.map((h) => h.step)).toEqual(Array.from({ length: MAX_STEPS }, (_, i) => i + 1));

      // PSF snapshots: the tiny preset's PSF layer is non-negative and sums to one.
      const snaps = seen['train.psfSnapshot'];
      expect(snaps.length).toBeGreaterThanOrEqual(2);
      for (const s of snaps) {
        expect(s.shape).toEqual([5, 5, 5]);
        expect(s.data).toHaveLength(125);
        expect(s.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
        expect(Math.min(...s.data)).toBeGreaterThanOrEqual(0);
      }
      expect(snaps.at(-1)!.iteration).toBe(MAX_STEPS);

      // ETA on job.progress: the trainer's estimate, finite and non-negative.
      const progress = seen['job.progress'].filter((p) => p.jobId === job.id && p.step !== undefined);
      expect(progress.length).toBe(losses.length);
      expect(progress.every((p) => Number.isFinite(p.etaSeconds) && p.etaSeconds! >= 0)).toBe(true);
    } finally {
      await service.close();
    }
  }, 300_000);
});
