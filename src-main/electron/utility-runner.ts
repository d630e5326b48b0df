// A JobRunner that runs each job in its own Electron utilityProcess (entry out/main/job-process.js,
// the worker's utility-process.ts). A crash of that process fails the job only: the window and the
// main process live on. The fork function is injected so the behaviour is tested without Electron.
import type { Job, Result } from '../contract/schemas';
import type { JobRunner, RunContext, RunnerTable } from '../core/queue/types';
import { CancelledError, CycleDeconError } from '../core/errors';
import type { FromWorker, RunRequest } from '../worker/job-protocol';
import { fromWireError } from '../worker/wire-error';

/** The part of Electron's UtilityProcess this runner uses. */
export interface ChildLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}
export type ForkFn = (entry: string, name: string) => ChildLike;

export class JobCrashedError extends CycleDeconError {
  constructor(jobId: string, code: number) {
    super('QUEUE', `The job process of ${jobId} stopped unexpectedly (exit code ${code}).`, {
      hint: 'Often this means it ran out of memory: retry with a smaller preset, tile size or crop. The app itself is unaffected.',
    });
  }
}

export function utilityProcessRunner(fork: ForkFn, entry: string, projectDir: string, graceMs = 5000): JobRunner {
  return (job: Job, ctx: RunContext) =>
    new Promise<Result[]>((resolve, reject) => {
      const child = fork(entry, `cycledecon job ${job.id}`);
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        ctx.signal.removeEventListener('abort', onAbort);
        child.kill();
        fn();
      };
      const onAbort = () => {
        child.postMessage({ type: 'cancel' });
        setTimeout(() => settle(() => reject(new CancelledError(`job ${job.id}`))), graceMs).unref?.();
      };
      ctx.signal.addEventListener('abort', onAbort);
      child.on('message', (raw: unknown) => {
        const m = raw as FromWorker;
        if (m.type === 'progress') ctx.progress(m.progress, m.message, m.step, m.total, m.etaSeconds);
        else if (m.type === 'log') ctx.log(m.line);
        else if (m.type === 'event') ctx.event?.(m.event);
        else if (m.type === 'done') settle(() => resolve(m.results));
        else if (m.type === 'error') settle(() => reject(fromWireError(m.error)));
      });
      child.on('exit', (code: number) => settle(() => reject(new JobCrashedError(job.id, code))));
      const req: RunRequest = {
        type: 'run',
        job,
        projectDir,
        workDir: ctx.workDir,
        resultsDir: ctx.resultsDir,
        resumed: ctx.resumed,
      };
      child.postMessage(req);
    });
}

export function utilityRunnerTable(fork: ForkFn, entry: string, projectDir: string): RunnerTable {
  const run = utilityProcessRunner(fork, entry, projectDir);
  return { train: run, deconvolve: run, psf: run, report: run };
}
