// Main side of the task workers: a few long-lived worker threads (started on first use, kept between tasks so
// the module loading is paid once), one task per worker at a time, the rest waiting in order. Idle workers are
// unref'd so they never keep a finished CLI alive; a worker that dies fails its task only and is replaced.
import type { Worker } from 'node:worker_threads';
import { startWorker } from './start';
import { fromWireError } from './wire-error';
import type { Task, TaskOutput, TaskRunner } from './tasks';
import type { FromTaskWorker, ToTaskWorker } from './task-protocol';

interface Pending {
  task: Task;
  resolve(output: unknown): void;
  reject(e: unknown): void;
}

export class WorkerTaskPool implements TaskRunner {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly waiting: Pending[] = [];
  private closed = false;

  constructor(
    private readonly size = 2,
    private readonly start: () => Worker = () => startWorker('task-worker'),
  ) {}

  run<T extends Task>(task: T): Promise<TaskOutput<T>> {
    if (this.closed) return Promise.reject(new Error('the task workers are closed'));
    return new Promise<TaskOutput<T>>((resolve, reject) => {
      this.waiting.push({ task, resolve: resolve as (o: unknown) => void, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.waiting.length) {
      const w = this.idle.pop() ?? (this.busy.size < this.size ? this.spawn() : undefined);
      if (!w) return;
      const p = this.waiting.shift()!;
      this.busy.set(w, p);
      w.ref();
      w.postMessage({ type: 'task', task: p.task } satisfies ToTaskWorker);
    }
  }

  private spawn(): Worker {
    const w = this.start();
    w.on('message', (m: FromTaskWorker) => {
      const p = this.busy.get(w);
      this.busy.delete(w);
      w.unref();
      this.idle.push(w);
      if (m.type === 'task-done') p?.resolve(m.output);
      else p?.reject(fromWireError(m.error));
      this.pump();
    });
    const lost = (why: string) => {
      const p = this.busy.get(w);
      this.busy.delete(w);
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
      p?.reject(
        new Error(`the worker computing ${p.task.kind} stopped (${why}); often this means it ran out of memory`),
      );
      if (!this.closed) this.pump();
    };
    w.on('error', (e) => lost(e.message));
    w.on('exit', (code) => lost(`exit code ${code}`));
    return w;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.waiting.splice(0)) p.reject(new Error('the task workers are closed'));
    const all = [...this.idle, ...this.busy.keys()];
    await Promise.all(all.map((w) => w.terminate()));
  }
}
