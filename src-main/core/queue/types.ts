// The queue behind an interface: callers (devserver, Electron, CLI) only see JobQueue, so a
// multi-machine backend (e.g. BullMQ over Redis) can replace LocalJobQueue without touching them.
import type { Job, JobSpec, JobState, Result } from '../../contract/schemas';

export interface SubmitOptions {
  priority?: number;
  dependsOn?: string[];
}

export interface QueueEvents {
  state: (job: Job) => void;
  progress: (p: { jobId: string; progress: number; message: string; step?: number; total?: number }) => void;
  log: (p: { jobId: string; line: string }) => void;
  /** Produced results of a finished job (already journaled), for the project to register. */
  results: (p: { jobId: string; results: Result[] }) => void;
}

export interface JobQueue {
  submit(spec: JobSpec, options?: SubmitOptions): Promise<Job>;
  cancel(id: string): Promise<Job>;
  retry(id: string): Promise<Job>;
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
  progress(fraction: number, message?: string, step?: number, total?: number): void;
  log(line: string): void;
}

/** Runs one kind of job; returns the results it wrote (files already atomically in place). */
export type JobRunner = (job: Job, ctx: RunContext) => Promise<Result[]>;

export type RunnerTable = Partial<Record<Job['kind'], JobRunner>>;
