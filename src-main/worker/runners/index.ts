// The runners a job worker executes, by job kind. Report jobs are not in this build: they fail with NotAvailableError.
import type { RunnerTable } from '../../core/queue/types';
import { NotAvailableError } from '../unavailable';
import { runPsf } from './psf';
import { runDeconvolve } from './deconvolve';
import { runTrain } from './train';

export function jobRunners(projectDir: string): RunnerTable {
  return {
    psf: runPsf,
    deconvolve: (job, ctx) => runDeconvolve(projectDir, job, ctx),
    train: (job, ctx) => runTrain(projectDir, job, ctx),
    report: async () => { throw new NotAvailableError('report jobs'); },
  };
}
