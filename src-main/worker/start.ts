// Starts a worker entry in a worker thread: the bundled .js (dist/worker, next to dist/cli) or, in a source
// checkout, the .ts source through tsx's loader. The job, task and training workers all start here.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CycleDeconError } from '../core/errors';

const here = dirname(fileURLToPath(import.meta.url));

export type WorkerEntry = 'node-worker' | 'task-worker' | 'train-worker';

// geotiff pulls in the `web-worker` package, which inside any worker thread assumes it IS a web
// worker it spawned (and crashes) unless a global Worker exists. These workers never start web workers (the
// kernels' thread pool uses node:worker_threads), so the bootstrap installs a Worker that refuses to start,
// before any module is imported.
const NO_NESTED_WORKER =
  "if (typeof globalThis.Worker !== 'function') globalThis.Worker = class { constructor() { throw new Error('job workers do not start web workers'); } };";

/** Starts a worker entry (default the job worker): the bundled .js next to this file, or the .ts source through tsx's loader. */
export function startWorker(name: WorkerEntry = 'node-worker'): Worker {
  for (const js of [join(here, `${name}.js`), join(here, '..', 'worker', `${name}.js`)]) {
    if (existsSync(js))
      return new Worker(`${NO_NESTED_WORKER} import(${JSON.stringify(pathToFileURL(js).href)});`, {
        eval: true,
        execArgv: [],
      });
  }
  // Source checkout: loader hooks are per thread, so register tsx inside the worker before importing.
  const source = join(here, `${name}.ts`);
  if (!existsSync(source))
    throw new CycleDeconError('IO', `worker ${name} not found next to ${here}`, {
      hint: 'Run `npm run build:cli` or run from a source checkout.',
    });
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = pathToFileURL(source).href;
  return new Worker(
    `${NO_NESTED_WORKER} import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`,
    { eval: true, execArgv: [] },
  );
}
