// Messages between the queue (main side) and a job worker (worker_threads or Electron utilityProcess).
import type { Job, Result } from '../contract/schemas';

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
  | { type: 'progress'; progress: number; message: string; step?: number; total?: number }
  | { type: 'log'; line: string }
  | { type: 'done'; results: Result[] }
  | { type: 'error'; error: { code: string; message: string; hint?: string } };

/** The one thing both worker kinds need from their host: send, and receive. */
export interface MessagePortLike {
  post(msg: FromWorker): void;
  onMessage(handler: (msg: ToWorker) => void): void;
}
