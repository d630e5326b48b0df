// Messages between the main side and a task worker: one task out, its output or error back. Plain data only.
import type { Task } from './tasks';
import type { WireError } from './wire-error';

export interface ToTaskWorker {
  type: 'task';
  task: Task;
}

export type FromTaskWorker = { type: 'task-done'; output: unknown } | { type: 'task-error'; error: WireError };
