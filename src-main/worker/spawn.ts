// Main side: a JobRunner that runs each job in a fresh worker thread, so the caller's event loop never
// blocks and a cancelled job can be stopped hard (terminate) if it does not stop on its own.
import type { Job, Result } from '../contract/schemas';
import type { JobRunner, RunContext } from '../core/queue/types';
import { CancelledError } from '../core/errors';
import type { FromWorker, RunRequest } from './job-protocol';
import { startWorker } from './start';
import { fromWireError } from './wire-error';

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
        else settle(() => reject(fromWireError(m.error)));
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
