// Main side: a JobRunner that runs each job in a fresh worker thread, so the caller's event loop never
// blocks and a cancelled job can be stopped hard (terminate) if it does not stop on its own.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Job, Result } from '../contract/schemas';
import type { JobRunner, RunContext } from '../core/queue/types';
import { CancelledError, CycleDeconError, type ErrorCode } from '../core/errors';
import type { FromWorker, RunRequest } from './job-protocol';

const here = dirname(fileURLToPath(import.meta.url));

// geotiff pulls in the `web-worker` package, which inside any worker thread assumes it IS a web
// worker it spawned (and crashes) unless a global Worker exists. Job workers never nest workers, so
// the bootstrap installs a Worker that refuses to start, before any module is imported.
const NO_NESTED_WORKER =
  "if (typeof globalThis.Worker !== 'function') globalThis.Worker = class { constructor() { throw new Error('job workers do not start web workers'); } };";

/** Starts a worker entry (default the job worker): the bundled .js next to this file, or the .ts source through tsx's loader. */
export function startWorker(name: 'node-worker' | 'task-worker' = 'node-worker'): Worker {
  for (const js of [join(here, `${name}.js`), join(here, '..', 'worker', `${name}.js`)]) {
    if (existsSync(js))
      return new Worker(`${NO_NESTED_WORKER} import(${JSON.stringify(pathToFileURL(js).href)});`, {
        eval: true,
        execArgv: [],
      });
  }
  // Source checkout: loader hooks are per thread, so register tsx inside the worker before importing.
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = pathToFileURL(join(here, `${name}.ts`)).href;
  return new Worker(
    `${NO_NESTED_WORKER} import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`,
    { eval: true, execArgv: [] },
  );
}

export function workerThreadRunner(projectDir: string, graceMs = 5000): JobRunner {
  return (job: Job, ctx: RunContext) =>
    new Promise<Result[]>((resolve, reject) => {
      const w = startWorker();
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        ctx.signal.removeEventListener('abort', onAbort);
        void w.terminate();
        fn();
      };
      const onAbort = () => {
        w.postMessage({ type: 'cancel' });
        setTimeout(() => settle(() => reject(new CancelledError(`job ${job.id}`))), graceMs).unref();
      };
      ctx.signal.addEventListener('abort', onAbort);
      w.on('message', (m: FromWorker) => {
        if (m.type === 'progress') ctx.progress(m.progress, m.message, m.step, m.total, m.etaSeconds);
        else if (m.type === 'log') ctx.log(m.line);
        else if (m.type === 'event') ctx.event?.(m.event);
        else if (m.type === 'done') settle(() => resolve(m.results));
        else
          settle(() => reject(new CycleDeconError(m.error.code as ErrorCode, m.error.message, { hint: m.error.hint })));
      });
      w.on('error', (e) => settle(() => reject(e)));
      w.on('exit', (code) => settle(() => reject(new Error(`job worker exited with code ${code}`))));
      const req: RunRequest = {
        type: 'run',
        job,
        projectDir,
        workDir: ctx.workDir,
        resultsDir: ctx.resultsDir,
        resumed: ctx.resumed,
      };
      w.postMessage(req);
    });
}
