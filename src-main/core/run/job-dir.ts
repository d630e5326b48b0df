// Where a training job's run lives and what it is called, without loading the engine (the app's main side uses
// this to list runs; the runners to find them).
import { join } from 'node:path';

/** Where a training job keeps its run (config, weights, learned PSF, checkpoints): <job work folder>/run. */
export function trainRunDir(workDir: string): string {
  return join(workDir, 'run');
}

/** A training job's run is named after it: job_XXXX → run_XXXX. */
export function runIdOf(jobId: string): string {
  return `run_${jobId.slice(jobId.indexOf('_') + 1)}`;
}
