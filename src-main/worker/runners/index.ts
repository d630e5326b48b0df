// The runners a job worker executes, by job kind.
import type { RunnerTable } from '../../core/queue/types';
import { runPsf } from './psf';
import { runDeconvolve } from './deconvolve';
import { runTrain } from './train';
import { runReport } from './report';

export function jobRunners(projectDir: string): RunnerTable {
  return {
    psf: runPsf,
    deconvolve: (job, ctx) => runDeconvolve(projectDir, job, ctx),
    train: (job, ctx) => runTrain(projectDir, job, ctx),
    report: (job, ctx) => runReport(projectDir, job, ctx),
  };
}
