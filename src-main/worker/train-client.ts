// Main-side handle on a training worker: starts src-main/worker/train-worker (the bundled dist/worker/
// train-worker.js, or the TypeScript source through tsx), forwards events, and offers pause/resume/cancel.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CycleDeconError, type ErrorCode } from '../core/errors';
import type { TrainEvent } from '../core/train/events';
import type { TrainCommandMessage, TrainStartMessage, TrainSummary, TrainWorkerMessage } from './protocol';

export interface TrainJob {
  done: Promise<TrainSummary>;
  pause(): void;
  resume(): void;
  cancel(): void;
}

/** Where the worker entry is: next to this module when bundled (dist/worker or dist/cli → ../worker), or the .ts source. */
export function locateTrainWorker(): { path: string; fromSource: boolean } {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, 'train-worker.js'), join(here, '..', 'worker', 'train-worker.js')])
    if (existsSync(p)) return { path: p, fromSource: false };
  for (const p of [join(here, 'train-worker.ts'), join(here, '..', 'worker', 'train-worker.ts')])
    if (existsSync(p)) return { path: p, fromSource: true };
  throw new CycleDeconError('IO', `training worker not found next to ${here}`, {
    hint: 'Run `npm run build:cli` or run from a source checkout.',
  });
}

/** Worker code that registers tsx's loader inside the worker, then imports the TypeScript entry. */
function tsxBootstrap(entry: string): string {
  const api = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(entry).href)}); });`;
}

export function startTrainWorker(
  request: Omit<TrainStartMessage, 'type'>,
  onEvent: (e: TrainEvent) => void,
  onBackend?: (name: string, reason: string) => void,
): TrainJob {
  const { path, fromSource } = locateTrainWorker();
  // workerData must be an object: geotiff's `web-worker` dependency reads workerData.mod in any worker thread.
  const workerData = { job: 'train' };
  const worker = fromSource
    ? new Worker(tsxBootstrap(path), { eval: true, workerData })
    : new Worker(path, { workerData });
  const send = (m: TrainCommandMessage) => worker.postMessage(m);
  const done = new Promise<TrainSummary>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: TrainWorkerMessage) => {
      if (m.type === 'train-event') onEvent(m.event);
      else if (m.type === 'train-backend') onBackend?.(m.name, m.reason);
      else if (m.type === 'train-result') {
        settled = true;
        resolve(m.result);
      } else if (m.type === 'train-error') {
        settled = true;
        reject(
          m.error.code
            ? new CycleDeconError(m.error.code as ErrorCode, m.error.message, { hint: m.error.hint })
            : new Error(m.error.message),
        );
      }
    });
    worker.on('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`training worker exited with code ${code}`));
    });
  });
  send({ type: 'train-start', ...request });
  return {
    done,
    pause: () => send({ type: 'train-pause' }),
    resume: () => send({ type: 'train-resume' }),
    cancel: () => send({ type: 'train-cancel' }),
  };
}
