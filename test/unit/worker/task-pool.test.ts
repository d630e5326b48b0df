// The task pool: a worker that dies fails its own task only, the next task gets a fresh worker, tasks
// beyond the pool's size wait for a free worker, and typed errors keep their code across the thread boundary.
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { WorkerTaskPool } from '../../../src-main/worker/task-pool';
import { isCycleDeconError } from '../../../src-main/core/errors';
import type { Task } from '../../../src-main/worker/tasks';

/** Stand-in workers (CommonJS eval) speaking the task protocol without loading the real tasks. */
const CRASHES = "require('node:worker_threads').parentPort.on('message', () => process.exit(3));";
const ECHOES = `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => setTimeout(() => {
  if (m.task.path === 'bad') parentPort.postMessage({ type: 'task-error', error: { name: 'TiffFormatError', code: 'TIFF_FORMAT', message: 'bad: not a TIFF' } });
  else parentPort.postMessage({ type: 'task-done', output: { echoed: m.task.path } });
}, 50));`;
const task = (path: string): Task => ({ kind: 'inspect', path });

let pool: WorkerTaskPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('WorkerTaskPool', () => {
  it('fails only the task whose worker died, and starts a new worker for the next', async () => {
    const scripts = [CRASHES, ECHOES];
    let started = 0;
    pool = new WorkerTaskPool(1, () => new Worker(scripts[Math.min(started++, 1)]!, { eval: true }));
    await expect(pool.run(task('a'))).rejects.toThrow(/stopped \(exit code 3\)/);
    await expect(pool.run(task('b'))).resolves.toEqual({ echoed: 'b' });
    expect(started).toBe(2);
  });

  it('starts at most `size` workers and gives every waiting task its own answer', async () => {
    let started = 0;
    pool = new WorkerTaskPool(2, () => {
      started++;
      return new Worker(ECHOES, { eval: true });
    });
    const outs = await Promise.all(['1', '2', '3', '4', '5'].map((p) => pool!.run(task(p))));
    expect(outs.map((o) => (o as unknown as { echoed: string }).echoed)).toEqual(['1', '2', '3', '4', '5']);
    expect(started).toBe(2);
  });

  it('rebuilds a typed error with its code', async () => {
    pool = new WorkerTaskPool(1, () => new Worker(ECHOES, { eval: true }));
    const e = await pool.run(task('bad')).catch((x: unknown) => x);
    expect(isCycleDeconError(e) && e.code).toBe('TIFF_FORMAT');
    expect((e as Error).name).toBe('TiffFormatError');
  });

  it('refuses new tasks and fails waiting ones once closed', async () => {
    pool = new WorkerTaskPool(1, () => new Worker(ECHOES, { eval: true }));
    const running = pool.run(task('1')).catch((x: unknown) => x);
    const waiting = pool.run(task('2')).catch((x: unknown) => x);
    await pool.close();
    expect(String(await waiting)).toMatch(/closed/);
    expect(await running).toBeInstanceOf(Error);
    await expect(pool.run(task('3'))).rejects.toThrow(/closed/);
  });
});
