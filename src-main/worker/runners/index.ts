// The runners a job worker executes, by job kind. Engines not in this build fail with NotAvailableError.
import type { RunnerTable } from '../../core/queue/types';
import { NotAvailableError } from '../unavailable';
import { runPsf } from './psf';
import { runDeconvolve } from './deconvolve';

export function jobRunners(projectDir: string): RunnerTable {
  return {
    psf: runPsf,
    deconvolve: (job, ctx) => runDeconvolve(projectDir, job, ctx),
    train: async () => { throw new NotAvailableError('training from the job queue', 'Use `cycledecon train` until the training worker is connected.'); },
    report: async () => { throw new NotAvailableError('report jobs'); },
  };
}
