// The queue behind an interface: callers (devserver, Electron, CLI) only see JobQueue, so a
// multi-machine backend (e.g. BullMQ over Redis) can replace LocalJobQueue without touching them.
import type { Job, JobSpec, JobState, Result } from '../../contract/schemas';

export interface SubmitOptions {
  priority?: number;
  dependsOn?: string[];
}

/** Live data a runner reports beside progress (plain data: it crosses worker boundaries as-is). */
export type RunnerEvent =
  | {
      type: 'train.loss';
      step: number;
      epoch: number;
      losses: Record<string, number>;
      lr: number;
      stepsPerSecond: number;
      etaSeconds: number;
    }
  | { type: 'train.psfSnapshot'; step: number; shape: [number, number, number]; data: number[] };

export interface QueueEvents {
  state: (job: Job) => void;
  /** etaSeconds: the runner's own estimate, else the queue's from the progress rate of this attempt. */
  progress: (p: {
    jobId: string;
    progress: number;
    message: string;
    step?: number;
    total?: number;
    etaSeconds?: number;
  }) => void;
  /** A runner's live data (training losses, PSF snapshots). */
  event: (p: { jobId: string; event: RunnerEvent }) => void;
  log: (p: { jobId: string; line: string }) => void;
  /** Produced results of a finished job (already journaled), for the project to register. */
  results: (p: { jobId: string; results: Result[] }) => void;
}

export interface JobQueue {
  /** What opening the queue set aside (e.g. unusable journal lines, moved to a quarantine file), in words. */
  readonly warnings: readonly string[];
  submit(spec: JobSpec, options?: SubmitOptions): Promise<Job>;
  cancel(id: string): Promise<Job>;
  retry(id: string): Promise<Job>;
  /** Holds a queued/waiting job; stops a running one (ending 'paused', not 'cancelled'). Paused jobs are not picked and their dependents wait. */
  pause(id: string): Promise<Job>;
  /** Queues a paused job again; one that had run resumes from its checkpoint (ctx.resumed). */
  resume(id: string): Promise<Job>;
  get(id: string): Job | undefined;
  list(filter?: { state?: JobState }): Job[];
  /** Results recorded for a finished job. */
  results(id: string): Result[];
  log(id: string, since?: number): Promise<{ lines: string[]; next: number }>;
  on<E extends keyof QueueEvents>(event: E, listener: QueueEvents[E]): () => void;
  /** Resolves when no job is queued, waiting or running (for scripts and tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** What a runner gets for one attempt of a job. */
export interface RunContext {
  signal: AbortSignal;
  /** Folder for this job's outputs and checkpoints: <project>/jobs/<jobId>/ (exists). */
  workDir: string;
  /** Folder where result files go: <project>/results/ (exists). */
  resultsDir: string;
  /** True when a previous attempt was interrupted; runners with checkpoints resume from workDir. */
  resumed: boolean;
  progress(fraction: number, message?: string, step?: number, total?: number, etaSeconds?: number): void;
  log(line: string): void;
  /** Live data for subscribers (optional: hosts that cannot relay it leave it out). */
  event?(e: RunnerEvent): void;
}

/** Runs one kind of job; returns the results it wrote (files already atomically in place). */
export type JobRunner = (job: Job, ctx: RunContext) => Promise<Result[]>;

export type RunnerTable = Partial<Record<Job['kind'], JobRunner>>;
