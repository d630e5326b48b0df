// Messages between the queue (main side) and a job worker (worker_threads or Electron utilityProcess).
import type { Job, Result } from '../contract/schemas';
import type { RunnerEvent } from '../core/queue/types';
import type { WireError } from './wire-error';

export interface RunRequest {
  type: 'run';
  job: Job;
  projectDir: string;
  workDir: string;
  resultsDir: string;
  resumed: boolean;
}
export type ToWorker = RunRequest | { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; progress: number; message: string; step?: number; total?: number; etaSeconds?: number }
  | { type: 'log'; line: string }
  | { type: 'event'; event: RunnerEvent }
  | { type: 'done'; results: Result[] }
  | { type: 'error'; error: WireError };

/** The one thing both worker kinds need from their host: send, and receive. */
export interface MessagePortLike {
  post(msg: FromWorker): void;
  onMessage(handler: (msg: ToWorker) => void): void;
}
