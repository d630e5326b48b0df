// A single-machine JobQueue: priorities, dependencies, bounded concurrency, a fsynced journal, and
// re-running (or resuming, for runners with checkpoints) jobs a crash interrupted.
import { newQueuedJob } from './new-job';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Job, JobSpec, JobState, Result } from '../../contract/schemas';
import { CancelledError, InvalidParameterError, isCycleDeconError } from '../errors';
import { nowIso } from '../project/ids';
import { removeStaleTemps } from '../io/atomic';
import { Journal, type JobRecord } from './journal';
import type { JobQueue, QueueEvents, RunnerTable, SubmitOptions } from './types';
import { jobFailure, QueueError } from './queue-error';
import { QueueListeners } from './listeners';
import { appendLogLine, readLogLines } from './job-log';
import { etaEstimator } from './eta';
import { byPickOrder, runnable } from './schedule';

export { QueueError };

export interface LocalQueueOptions {
  /** Folder of the journal and per-job work folders (a project's `jobs/`). */
  dir: string;
  /** Where runners write results (a project's `results/`). */
  resultsDir: string;
  runners: RunnerTable;
  /** Jobs running at once (default 1: one job per GPU). */
  concurrency?: number;
  /** Start picking jobs immediately (default true). */
  autoStart?: boolean;
  /**
   * Registers a finished job's results (e.g. in project.json). Awaited after the journal has the
   * job as done but before the job is reported done, so whoever sees 'done' also sees its results.
   */
  onResults?: (jobId: string, results: Result[]) => Promise<void>;
}

const FINISHED: JobState[] = ['done', 'failed', 'cancelled'];

export class LocalJobQueue implements JobQueue {
  private records = new Map<string, JobRecord>();
  private running = new Map<string, AbortController>();
  /** Running jobs being stopped by pause(): their run ends 'paused' instead of 'cancelled'. */
  private pausing = new Set<string>();
  private readonly listeners = new QueueListeners();
  private idleWaiters: (() => void)[] = [];
  private seq = 0;
  private closed = false;
  private started = false;
  private readonly journal: Journal;
  private readonly concurrency: number;

  private constructor(private readonly opts: LocalQueueOptions) {
    this.journal = new Journal(opts.dir);
    this.concurrency = opts.concurrency ?? 1;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1)
      throw new InvalidParameterError('concurrency', `must be a whole number ≥ 1, got ${opts.concurrency}`);
  }

  /** Opens (or creates) the queue in `dir`; jobs a crash left running are queued again as resumed. */
  static async open(opts: LocalQueueOptions): Promise<LocalJobQueue> {
    const q = new LocalJobQueue(opts);
    q.records = await q.journal.open();
    await fs.mkdir(opts.resultsDir, { recursive: true });
    // A process killed mid-write leaves its temp file; only files of dead processes are removed.
    await removeStaleTemps(opts.resultsDir);
    for (const rec of q.records.values()) {
      q.seq = Math.max(q.seq, rec.seq + 1);
      if (rec.job.state === 'running') {
        rec.job = { ...rec.job, state: 'queued', message: 'interrupted; will resume', progress: rec.job.progress };
        await q.journal.append(rec);
      }
    }
    if (opts.autoStart !== false) q.start();
    return q;
  }

  /** What opening the queue set aside (unusable journal lines, quarantined), for the app or CLI to show. */
  get warnings(): readonly string[] {
    return this.journal.warnings;
  }

  /** Begins picking jobs (automatic unless opened with autoStart: false). */
  start(): void {
    this.started = true;
    this.pump();
  }

  async submit(spec: JobSpec, options: SubmitOptions = {}): Promise<Job> {
    const dependsOn = options.dependsOn ?? [];
    for (const d of dependsOn) if (!this.records.has(d)) throw new QueueError(`dependency ${d} is not a known job`);
    const job = newQueuedJob(spec, options, dependsOn);
    // Journal first: a job that cannot be recorded is refused and never kept, so it cannot poison list() or the pump.
    const rec: JobRecord = { job, results: [], seq: this.seq++ };
    await this.journal.append(rec);
    this.records.set(job.id, rec);
    this.emit('state', job);
    this.pump();
    return job;
  }

  async cancel(id: string): Promise<Job> {
    const rec = this.need(id);
    if (FINISHED.includes(rec.job.state)) return rec.job;
    const ctl = this.running.get(id);
    if (ctl) {
      this.pausing.delete(id); // a cancel after a pause wins
      ctl.abort(new CancelledError(`job ${id}`));
      return rec.job; // the run loop records 'cancelled' once the runner stops
    }
    await this.finish(rec, 'cancelled', 'cancelled', null, []);
    return this.need(id).job;
  }

  async retry(id: string): Promise<Job> {
    const rec = this.need(id);
    if (rec.job.state !== 'failed' && rec.job.state !== 'cancelled')
      throw new QueueError(`job ${id} is ${rec.job.state}; only failed or cancelled jobs can be retried`);
    await this.save({
      ...rec,
      job: { ...rec.job, state: 'queued', message: 'queued (retry)', progress: 0, error: null, finishedAt: null },
    });
    this.pump();
    return this.need(id).job;
  }

  async pause(id: string): Promise<Job> {
    const rec = this.need(id);
    const state = rec.job.state;
    if (state === 'paused') return rec.job;
    if (state !== 'queued' && state !== 'waiting' && state !== 'running')
      throw new QueueError(`job ${id} is ${state}; only queued, waiting or running jobs can be paused`);
    const ctl = this.running.get(id);
    if (ctl) {
      this.pausing.add(id);
      ctl.abort(new CancelledError(`job ${id} (paused)`));
      return rec.job; // the run loop records 'paused' once the runner has stopped (after its checkpoint)
    }
    await this.save({ ...rec, job: { ...rec.job, state: 'paused', message: 'paused' } });
    this.pump();
    return this.need(id).job;
  }

  async resume(id: string): Promise<Job> {
    const rec = this.need(id);
    if (rec.job.state !== 'paused')
      throw new QueueError(`job ${id} is ${rec.job.state}; only paused jobs can be resumed`);
    // A job that had started resumes from its checkpoint: run() reads this message convention (as after a crash).
    const message = rec.job.attempts > 0 ? 'interrupted (paused); will resume' : 'queued';
    await this.save({ ...rec, job: { ...rec.job, state: 'queued', message } });
    this.pump();
    return this.need(id).job;
  }

  get(id: string): Job | undefined {
    return this.records.get(id)?.job;
  }

  list(filter: { state?: JobState } = {}): Job[] {
    return [...this.records.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((r) => r.job)
      .filter((j) => !filter.state || j.state === filter.state);
  }

  results(id: string): Result[] {
    return this.need(id).results;
  }

  async log(id: string, since = 0): Promise<{ lines: string[]; next: number }> {
    this.need(id);
    return readLogLines(this.logFile(id), since);
  }

  on<E extends keyof QueueEvents>(event: E, listener: QueueEvents[E]): () => void {
    return this.listeners.on(event, listener);
  }

  idle(): Promise<void> {
    if (!this.started) this.start();
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops picking new jobs, aborts running ones (they stay 'running' in the journal → re-run on next open). */
  async close(): Promise<void> {
    this.closed = true;
    for (const ctl of this.running.values()) ctl.abort(new CancelledError('queue shutdown'));
    while (this.running.size) await new Promise((r) => setTimeout(r, 10));
    await this.journal.close();
  }

  private isIdle(): boolean {
    return this.running.size === 0 && ![...this.records.values()].some((r) => this.runnable(r) === 'ready');
  }

  private emit<E extends keyof QueueEvents>(event: E, ...args: Parameters<QueueEvents[E]>): void {
    this.listeners.emit(event, ...args);
  }

  private need(id: string): JobRecord {
    const rec = this.records.get(id);
    if (!rec) throw new QueueError(`no job ${id}`, 'List jobs to see their ids.');
    return rec;
  }

  private logFile(id: string): string {
    return join(this.opts.dir, id, 'log.txt');
  }

  private async save(rec: JobRecord): Promise<void> {
    const line = this.journal.encode(rec); // throws before the record replaces the one in memory
    this.records.set(rec.job.id, rec); // at once: the pump relies on it
    await this.journal.appendLine(line);
    this.emit('state', rec.job);
  }

  /** Work the pump starts without awaiting: a failure (say a full disk) is logged on the job, never left unhandled. */
  private background(jobId: string, work: Promise<void>): void {
    work.catch((e: unknown) => this.emit('log', { jobId, line: `queue error: ${(e as Error)?.message ?? String(e)}` }));
  }

  private runnable(rec: JobRecord): ReturnType<typeof runnable> {
    return runnable(rec.job, (d) => this.records.get(d)?.job.state);
  }

  private pump(): void {
    if (this.closed || !this.started) return;
    for (const rec of byPickOrder(this.records.values())) {
      if (this.running.has(rec.job.id)) continue;
      const r = this.runnable(rec);
      const id = rec.job.id;
      if (r === 'doomed')
        this.background(
          id,
          this.finish(
            rec,
            'failed',
            'a job it depends on failed or was cancelled',
            { code: 'QUEUE', message: `dependency of ${id} did not finish` },
            [],
          ),
        );
      else if (r === 'blocked' && rec.job.state === 'queued')
        this.background(
          id,
          this.save({ ...rec, job: { ...rec.job, state: 'waiting', message: 'waiting for dependencies' } }),
        );
      else if (r === 'ready' && this.running.size < this.concurrency) this.background(id, this.run(rec));
    }
    if (this.isIdle()) this.idleWaiters.splice(0).forEach((w) => w());
  }

  private async run(rec0: JobRecord): Promise<void> {
    const id = rec0.job.id;
    const ctl = new AbortController();
    this.running.set(id, ctl);
    const resumed = rec0.job.attempts > 0 && rec0.job.message.startsWith('interrupted');
    const job: Job = {
      ...rec0.job,
      state: 'running',
      attempts: rec0.job.attempts + 1,
      startedAt: nowIso(),
      message: resumed ? 'resuming' : 'running',
    };
    const workDir = join(this.opts.dir, id);
    try {
      await fs.mkdir(workDir, { recursive: true });
      // A cancel or pause that came while the folder was made wins: the job never starts (no attempt counted).
      if (ctl.signal.aborted) return await this.stoppedBeforeStart(id, rec0);
      await this.save({ ...rec0, job });
      // …and one that came while 'running' was journaled: the runner is not called (the catch records the stop).
      if (ctl.signal.aborted) throw ctl.signal.reason;
      const runner = this.opts.runners[job.kind];
      if (!runner)
        throw new QueueError(`no runner for ${job.kind} jobs in this build`, 'This job type is not available yet.');
      const eta = etaEstimator();
      const results = await runner(job, {
        signal: ctl.signal,
        workDir,
        resultsDir: this.opts.resultsDir,
        resumed,
        progress: (progress, message = '', step, total, etaSeconds) => {
          const cur = this.records.get(id);
          if (cur)
            cur.job = { ...cur.job, progress: Math.min(1, Math.max(0, progress)), message: message || cur.job.message };
          this.emit('progress', { jobId: id, progress, message, step, total, etaSeconds: etaSeconds ?? eta(progress) });
        },
        event: (event) => this.emit('event', { jobId: id, event }),
        log: (line) => {
          appendLogLine(this.logFile(id), line);
          this.emit('log', { jobId: id, line });
        },
      });
      if (ctl.signal.aborted) throw ctl.signal.reason;
      await this.finish(this.need(id), 'done', 'done', null, results);
    } catch (e) {
      if (this.closed) return; // shutdown: leave it 'running' in the journal so the next open re-runs it
      const stopped = e === ctl.signal.reason || (isCycleDeconError(e) && e.code === 'CANCELLED');
      const pausing = this.pausing.delete(id);
      if (pausing && stopped) {
        const cur = this.need(id);
        await this.save({ ...cur, job: { ...cur.job, state: 'paused', message: 'paused' } });
        return;
      }
      // A runner that fails while being paused (say its checkpoint write hits a full disk) failed: it is not
      // recorded as paused, whose resume would trust a checkpoint that may not exist.
      const cancelled = !pausing && (ctl.signal.aborted || stopped);
      const err = jobFailure(e);
      await this.finish(
        this.need(id),
        cancelled ? 'cancelled' : 'failed',
        cancelled ? 'cancelled' : err.message,
        cancelled ? null : err,
        [],
      );
    } finally {
      this.pausing.delete(id);
      this.running.delete(id);
      this.pump();
    }
  }

  /** Records a job stopped after its pick but before anything ran: paused (as if never picked) or cancelled. */
  private async stoppedBeforeStart(id: string, rec0: JobRecord): Promise<void> {
    if (this.closed) return; // shutdown: the journal still has it queued
    if (this.pausing.delete(id)) await this.save({ ...rec0, job: { ...rec0.job, state: 'paused', message: 'paused' } });
    else await this.finish(rec0, 'cancelled', 'cancelled', null, []);
  }

  private async finish(
    rec: JobRecord,
    state: JobState,
    message: string,
    error: Job['error'],
    results: Result[],
  ): Promise<void> {
    const job: Job = {
      ...rec.job,
      state,
      message,
      error,
      finishedAt: nowIso(),
      progress: state === 'done' ? 1 : rec.job.progress,
      outputs: results.map((r) => r.id),
    };
    const done: JobRecord = { ...rec, job, results };
    const register = this.opts.onResults;
    if (!results.length || !register) {
      await this.save(done); // updates the in-memory record at once (the pump relies on it)
      if (results.length) this.emit('results', { jobId: job.id, results });
      return;
    }
    // Durable first: a crash after this line is recovered from the journal on the next open. The
    // in-memory record stays 'running' until the results are registered.
    await this.journal.append(done);
    try {
      await register(job.id, results);
    } catch (e) {
      this.emit('log', { jobId: job.id, line: `could not register results: ${(e as Error)?.message ?? String(e)}` });
    }
    this.emit('results', { jobId: job.id, results });
    this.records.set(job.id, done);
    this.emit('state', job);
  }
}
