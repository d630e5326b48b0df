// A headless worker on the Redis queue: takes job ids from BullMQ, runs them with the local runners against this
// machine's data root, and records state, progress, logs and results in the shared store. BullMQ renews each
// running job's lock (the heartbeat); a worker that dies stops renewing, so the job is moved back as stalled
// and another worker runs it again, resuming from its checkpoint (the record says it was running).
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { Queue, Worker, type Job as BullJob } from 'bullmq';
import type { Job, Result } from '../../../contract/schemas';
import { CancelledError } from '../../errors';
import { jobFailure } from '../queue-error';
import { nowIso } from '../../project/ids';
import type { RunnerTable } from '../types';
import { RespClient } from './client';
import { release } from './dispatch';
import { RedisStore, rootRelative, underRoot, type RedisRecord } from './store';

export interface RedisWorkerOptions {
  url: { host: string; port: number; db: number };
  /** Queue name shared by submitters and workers (default 'cycledecon'). */
  queueName?: string;
  /** This machine's path of the data root (the project folder the jobs' ids resolve in). */
  root: string;
  runners: RunnerTable;
  concurrency?: number;
  name?: string;
  /** Lock lifetime in ms: a dead worker's job is retried after about this long (default 30 s). */
  lockMs?: number;
}

const RUNNABLE = new Set(['queued', 'waiting', 'running']);

export class RedisQueueWorker {
  readonly name: string;
  private readonly store: RedisStore;
  private readonly queue: Queue;
  private readonly worker: Worker;
  private readonly clients: RespClient[] = [];
  private readonly running = new Map<string, { ctl: AbortController; parked: Promise<void> }>();
  private closing = false;

  constructor(private readonly opts: RedisWorkerOptions) {
    this.name = opts.name ?? `${hostname()}:${process.pid}`;
    const qn = opts.queueName ?? 'cycledecon';
    const client = (): RespClient => {
      const c = new RespClient(opts.url);
      this.clients.push(c);
      return c;
    };
    this.store = new RedisStore(client(), qn);
    this.queue = new Queue(qn, { connection: client() as never });
    const lockDuration = opts.lockMs ?? 30_000;
    this.worker = new Worker(qn, (j) => this.process(j), {
      connection: client() as never,
      concurrency: opts.concurrency ?? 1,
      name: this.name,
      lockDuration,
      stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
      maxStalledCount: 100,
    });
    this.worker.on('error', () => undefined); // connection drops: BullMQ reconnects and carries on
  }

  /**
   * Stops: running jobs are aborted (training writes its checkpoint) and left 'running' in the store, their BullMQ
   * locks unrenewed, so another worker takes them over as stalled and resumes them.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const r of this.running.values()) r.ctl.abort(new CancelledError('worker shutting down'));
    await Promise.all([...this.running.values()].map((r) => r.parked));
    await this.worker.close(true);
    await this.queue.close();
    for (const c of this.clients) c.disconnect();
  }

  /** Runs one BullMQ job; always completes it (our own states carry failure), so BullMQ never re-runs a finished job. */
  private async process(bj: BullJob): Promise<void> {
    const id = (bj.data as { id: string }).id;
    const picked = await this.pickup(id);
    if (!picked) return; // cancelled, paused or finished meanwhile: never run
    let { cur } = picked;
    const { resumed } = picked;
    const owner = { worker: this.name, attempts: cur.job.attempts };
    const ctl = new AbortController();
    let park!: () => void;
    this.running.set(id, {
      ctl,
      parked: new Promise<void>((r) => {
        park = r;
      }),
    });
    const poll = setInterval(
      () =>
        void this.store.stopRequest(id).then(
          (s) => {
            if (s && !ctl.signal.aborted) ctl.abort(new CancelledError(`job ${id} (${s})`));
          },
          () => undefined,
        ),
      300,
    );
    // A progress write that finds the job no longer ours (another worker took it over after our lock lapsed) stops this run.
    const write = (rec: RedisRecord) =>
      this.store.owned(owner, rec).then((s) => {
        if (s === null && !ctl.signal.aborted)
          ctl.abort(new CancelledError(`job ${id} was taken over by another worker`));
      });
    let lastPut = 0;
    try {
      const runner = this.opts.runners[cur.job.kind];
      if (!runner) throw new Error(`no runner for ${cur.job.kind} jobs on worker ${this.name}`);
      const workDir = join(this.opts.root, 'jobs', id);
      const resultsDir = join(this.opts.root, 'results');
      await fs.mkdir(workDir, { recursive: true });
      await fs.mkdir(resultsDir, { recursive: true });
      if (ctl.signal.aborted) throw ctl.signal.reason;
      // The job as this machine sees it: its paths mapped under the root (one leading out of it fails the job).
      const results = await runner(
        { ...cur.job, spec: localSpec(this.opts.root, cur.job.spec) },
        {
          signal: ctl.signal,
          workDir,
          resultsDir,
          resumed,
          progress: (p, message = '') => {
            cur = {
              ...cur,
              job: { ...cur.job, progress: Math.min(1, Math.max(0, p)), message: message || cur.job.message },
            };
            if (Date.now() - lastPut > 250) {
              lastPut = Date.now();
              void write(cur).catch(() => undefined);
            }
          },
          log: (line) => void this.store.log(id, line).catch(() => undefined),
        },
      );
      if (ctl.signal.aborted) throw ctl.signal.reason;
      if ((await this.finish(owner, cur, 'done', 'done', null, results)) === 'done') await this.store.markFinished(id);
    } catch (e) {
      if (this.closing) {
        await write({ ...cur, job: { ...cur.job, message: 'interrupted; will resume' } }).catch(() => undefined);
        clearInterval(poll);
        park();
        return new Promise<void>(() => undefined); // never completes: the lock lapses and the job moves on
      }
      // A stopped run: the pending stop request decides the outcome atomically (cancelled or paused). Else it failed.
      const err = jobFailure(e);
      await this.finish(owner, cur, 'failed', err.message, err, [], ctl.signal.aborted);
    }
    clearInterval(poll);
    this.running.delete(id);
    park();
    // Dependents become runnable here; a failure is harmless (the next finisher or submitter releases them).
    await release(this.store, this.queue).catch(() => undefined);
  }

  /** Takes job `id` atomically (scripts.ts, pickup); the running record, or null when it is not to be run. */
  private async pickup(id: string): Promise<{ cur: RedisRecord; resumed: boolean } | null> {
    for (let i = 0; i < 50; i++) {
      const read = await this.store.read(id);
      if (!read || !RUNNABLE.has(read.rec.job.state)) return null;
      const rec = read.rec;
      const resumed =
        rec.job.state === 'running' || (rec.job.attempts > 0 && rec.job.message.startsWith('interrupted'));
      const job: Job = {
        ...rec.job,
        state: 'running',
        attempts: rec.job.attempts + 1,
        startedAt: nowIso(),
        message: resumed ? 'resuming' : 'running',
      };
      const cur: RedisRecord = { ...rec, job, worker: this.name };
      const { cancelled, paused } = stopped(rec);
      const r = await this.store.pickup(read.raw, cur, cancelled, paused);
      if (r === 'ok') return { cur, resumed };
      if (r !== 'changed') return null;
    }
    return null; // changed 50 times in a row: leave it; the next release or stalled check brings it back
  }

  /** Writes the outcome if the job is still ours; with `stoppable`, a pending stop request wins. The state written, or null. */
  private async finish(
    owner: { worker: string; attempts: number },
    rec: RedisRecord,
    state: Job['state'],
    message: string,
    error: Job['error'],
    results: Result[],
    stoppable = false,
  ): Promise<string | null> {
    // Result paths travel relative to the data root: the submitter maps them under its own root.
    const portable = results.map((r) => ({ ...r, path: rootRelative(this.opts.root, r.path) }));
    const job: Job = {
      ...rec.job,
      state,
      message,
      error,
      finishedAt: nowIso(),
      progress: state === 'done' ? 1 : rec.job.progress,
      outputs: results.map((r) => r.id),
    };
    return this.store.owned(
      owner,
      { ...rec, job, results: portable },
      { clearStop: true, ...(stoppable ? { stopped: stopped(rec) } : {}) },
    );
  }
}

/** What a stop request turns a record into: cancelled (finished), or paused (resumable). */
function stopped(rec: RedisRecord): { cancelled: RedisRecord; paused: RedisRecord } {
  return {
    cancelled: {
      ...rec,
      job: { ...rec.job, state: 'cancelled', message: 'cancelled', error: null, finishedAt: nowIso() },
    },
    paused: { ...rec, job: { ...rec.job, state: 'paused', message: 'paused' } },
  };
}

/** A job's spec with its root-relative path (a model's runDir) mapped under this machine's root; escapes refused. */
function localSpec(root: string, spec: Job['spec']): Job['spec'] {
  if (spec.kind === 'deconvolve' && spec.method === 'model' && spec.runDir)
    return { ...spec, runDir: underRoot(root, spec.runDir) };
  return spec;
}
