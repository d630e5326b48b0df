// The JobQueue contract over Redis (BullMQ for dispatch, RedisStore for records): what `serve --queue redis://…`
// uses. It runs nothing itself; `cycledecon worker` processes do. It mirrors the shared records into memory
// (polled), so get/list stay synchronous as the contract has them, and turns changes into the queue's events.
import { newQueuedJob } from '../new-job';
import { Queue } from 'bullmq';
import type { Job, JobSpec, JobState, Result } from '../../../contract/schemas';
import { nowIso } from '../../project/ids';
import { QueueError } from '../queue-error';
import { QueueListeners } from '../listeners';
import type { JobQueue, QueueEvents, SubmitOptions } from '../types';
import { RespClient, type RedisAddress } from './client';
import { enqueue, release } from './dispatch';
import { RedisStore, rootRelative, underRoot, type RedisRecord, type StopKind } from './store';

export interface RedisQueueOptions {
  url: RedisAddress;
  queueName?: string;
  /** This machine's path of the data root: result paths are mapped under it. */
  root: string;
  onResults?: (jobId: string, results: Result[]) => Promise<void>;
  /** How often the shared records are read (ms, default 250). */
  pollMs?: number;
}

const FINISHED: JobState[] = ['done', 'failed', 'cancelled'];
/** What a transition does with the record it read: nothing, ask the running worker to stop, or replace it. */
type Decision =
  { keep: true } | { stop: StopKind } | { next: RedisRecord; clearStop?: boolean; after?: () => Promise<unknown> };
/** A job as the Queue view shows it, with the worker that runs (or ran) it. */
export type RedisJob = Job & { worker?: string };

export class RedisJobQueue implements JobQueue {
  readonly warnings: readonly string[] = [];
  private records = new Map<string, RedisRecord>();
  private readonly listeners = new QueueListeners();
  private idleWaiters: (() => void)[] = [];
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  /** The store's revision this view has read up to. */
  private rev = 0;
  private readonly clients: RespClient[] = [];
  private readonly store: RedisStore;
  private readonly queue: Queue;

  private constructor(private readonly opts: RedisQueueOptions) {
    const qn = opts.queueName ?? 'cycledecon';
    const client = (): RespClient => {
      const c = new RespClient(opts.url);
      this.clients.push(c);
      return c;
    };
    this.store = new RedisStore(client(), qn);
    this.queue = new Queue(qn, { connection: client() as never });
    this.queue.on('error', () => undefined); // reconnects on its own
  }

  static async open(opts: RedisQueueOptions): Promise<RedisJobQueue> {
    const q = new RedisJobQueue(opts);
    q.rev = await q.store.revision(); // before the full read: a change in between is read again, never missed
    q.records = await q.store.all();
    for (const rec of q.records.values()) if (rec.job.state === 'done') await q.registered(rec);
    q.timer = setInterval(() => {
      q.polling ??= q.poll().finally(() => {
        q.polling = undefined;
      });
    }, opts.pollMs ?? 250);
    return q;
  }

  async submit(spec0: JobSpec, options: SubmitOptions = {}): Promise<Job> {
    // A model folder outside the data root cannot be reached by the workers: refused here, before queueing.
    const spec = portableSpec(this.opts.root, spec0);
    const dependsOn = options.dependsOn ?? [];
    for (const d of dependsOn)
      if (!this.records.has(d) && !(await this.store.get(d)))
        throw new QueueError(`dependency ${d} is not a known job`);
    const job = newQueuedJob(spec, options, dependsOn);
    const rec: RedisRecord = { job, results: [], seq: await this.store.nextSeq() };
    await this.store.put(rec);
    this.update(rec);
    if (dependsOn.length) await release(this.store, this.queue);
    else await enqueue(this.queue, rec);
    return job;
  }

  async cancel(id: string): Promise<Job> {
    return this.transition(id, (rec) => {
      if (FINISHED.includes(rec.job.state)) return { keep: true };
      if (rec.job.state === 'running') return { stop: 'cancel' };
      return {
        next: { ...rec, job: { ...rec.job, state: 'cancelled', message: 'cancelled', finishedAt: nowIso() } },
        after: () => this.unqueue(id),
      };
    });
  }

  async retry(id: string): Promise<Job> {
    return this.transition(id, (rec) => {
      if (rec.job.state !== 'failed' && rec.job.state !== 'cancelled')
        throw new QueueError(`job ${id} is ${rec.job.state}; only failed or cancelled jobs can be retried`);
      return {
        next: {
          ...rec,
          job: { ...rec.job, state: 'queued', message: 'queued (retry)', progress: 0, error: null, finishedAt: null },
        },
        clearStop: true,
        after: () => release(this.store, this.queue),
      };
    });
  }

  async pause(id: string): Promise<Job> {
    return this.transition(id, (rec) => {
      const s = rec.job.state;
      if (s === 'paused') return { keep: true };
      if (s !== 'queued' && s !== 'waiting' && s !== 'running')
        throw new QueueError(`job ${id} is ${s}; only queued, waiting or running jobs can be paused`);
      if (s === 'running') return { stop: 'pause' };
      return {
        next: { ...rec, job: { ...rec.job, state: 'paused', message: 'paused' } },
        after: () => this.unqueue(id),
      };
    });
  }

  async resume(id: string): Promise<Job> {
    return this.transition(id, (rec) => {
      if (rec.job.state !== 'paused')
        throw new QueueError(`job ${id} is ${rec.job.state}; only paused jobs can be resumed`);
      const message = rec.job.attempts > 0 ? 'interrupted (paused); will resume' : 'queued';
      return {
        next: { ...rec, job: { ...rec.job, state: 'queued', message } },
        clearStop: true,
        after: () => release(this.store, this.queue),
      };
    });
  }

  get(id: string): RedisJob | undefined {
    const rec = this.records.get(id);
    return rec && view(rec);
  }

  list(filter: { state?: JobState } = {}): RedisJob[] {
    return [...this.records.values()]
      .sort((a, b) => a.seq - b.seq)
      .map(view)
      .filter((j) => !filter.state || j.state === filter.state);
  }

  results(id: string): Result[] {
    const rec = this.records.get(id);
    if (!rec) throw new QueueError(`no job ${id}`, 'List jobs to see their ids.');
    return rec.results.map((r) => ({ ...r, path: underRoot(this.opts.root, r.path) }));
  }

  async log(id: string, since = 0): Promise<{ lines: string[]; next: number }> {
    await this.fresh(id);
    const lines = await this.store.logLines(id, since);
    return { lines, next: since + lines.length };
  }

  on<E extends keyof QueueEvents>(event: E, listener: QueueEvents[E]): () => void {
    return this.listeners.on(event, listener);
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
    await this.queue.close();
    for (const c of this.clients) c.disconnect();
  }

  private isIdle(): boolean {
    return ![...this.records.values()].some(
      (r) => r.job.state === 'queued' || r.job.state === 'waiting' || r.job.state === 'running',
    );
  }

  private async fresh(id: string): Promise<RedisRecord> {
    const rec = (await this.store.get(id)) ?? this.records.get(id);
    if (!rec) throw new QueueError(`no job ${id}`, 'List jobs to see their ids.');
    return rec;
  }

  /**
   * Applies `decide` to the job's record as stored, by compare-and-set: when another process (a worker's pickup, a
   * release) changed it first, the record is read and decided again. A running job is stopped through a stop
   * request, which only holds while it is still running.
   */
  private async transition(id: string, decide: (rec: RedisRecord) => Decision): Promise<Job> {
    for (let i = 0; i < 100; i++) {
      const read = await this.store.read(id);
      if (!read) throw new QueueError(`no job ${id}`, 'List jobs to see their ids.');
      const d = decide(read.rec);
      if ('keep' in d) return view(read.rec);
      if ('stop' in d) {
        if (await this.store.requestStop(id, d.stop)) return view(read.rec);
        continue;
      }
      if (!(await this.store.cas(read.raw, d.next, d.clearStop))) continue;
      this.update(d.next);
      await d.after?.();
      return view(d.next);
    }
    throw new QueueError(`job ${id} kept changing while it was being updated`, 'Try again in a moment.');
  }

  /** Takes a job out of BullMQ's waiting list (a worker that gets it anyway skips it: its record is not runnable). */
  private async unqueue(id: string): Promise<void> {
    await this.queue.remove(id).catch(() => 0);
  }

  /**
   * Reads what changed since the last poll (one script call, nothing read when nothing changed; scripts.ts) and
   * turns it into events. A revision lower than ours means the store was emptied (a new Redis): read it all again.
   */
  private async poll(): Promise<void> {
    let changed: RedisRecord[];
    try {
      const ch = await this.store.changesSince(this.rev);
      changed = ch.rev < this.rev ? [...(await this.store.all()).values()] : ch.records;
      this.rev = ch.rev;
    } catch {
      return; // Redis away: keep the last view; the client reconnects
    }
    for (const rec of changed) {
      const old = this.records.get(rec.job.id);
      if (old && JSON.stringify(old) === JSON.stringify(rec)) continue;
      if (rec.job.state === 'done' && old?.job.state !== 'done') await this.registered(rec);
      this.update(rec, old);
    }
    if (this.isIdle()) this.idleWaiters.splice(0).forEach((w) => w());
  }

  /** Records `rec` and tells listeners what changed: state, else progress. */
  private update(rec: RedisRecord, old = this.records.get(rec.job.id)): void {
    this.records.set(rec.job.id, rec);
    if (!old || old.job.state !== rec.job.state || old.worker !== rec.worker || old.job.attempts !== rec.job.attempts)
      this.emit('state', view(rec));
    if (
      rec.job.state === 'running' &&
      (old?.job.progress !== rec.job.progress || old?.job.message !== rec.job.message)
    ) {
      this.emit('progress', { jobId: rec.job.id, progress: rec.job.progress, message: rec.job.message });
    }
  }

  private async registered(rec: RedisRecord): Promise<void> {
    const results = rec.results.map((r) => ({ ...r, path: underRoot(this.opts.root, r.path) }));
    if (!results.length) return;
    try {
      await this.opts.onResults?.(rec.job.id, results);
    } catch (e) {
      this.emit('log', {
        jobId: rec.job.id,
        line: `could not register results: ${(e as Error)?.message ?? String(e)}`,
      });
    }
    this.emit('results', { jobId: rec.job.id, results });
  }

  private emit<E extends keyof QueueEvents>(event: E, ...args: Parameters<QueueEvents[E]>): void {
    this.listeners.emit(event, ...args);
  }
}

/** The spec with its one file path (a model's runDir) relative to the data root, as workers expect it. */
function portableSpec(root: string, spec: JobSpec): JobSpec {
  if (spec.kind === 'deconvolve' && spec.method === 'model' && spec.runDir)
    return { ...spec, runDir: rootRelative(root, spec.runDir) };
  return spec;
}

function view(rec: RedisRecord): RedisJob {
  return rec.worker ? { ...rec.job, worker: rec.worker } : rec.job;
}
