// How `train` ends when it was stopped: SIGTERM (a cluster's time limit or preemption, `scancel`, a service
// manager) leaves a checkpoint at the step it reached and exits with EX_TEMPFAIL (75, sysexits.h: "try
// again later"), so a batch script can tell "requeue me and --resume" from a finished run (0), a failure
// (1), Ctrl-C (130) and a kill before any checkpoint existed (143). See docs/cluster.md.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_FILES } from '../core/run/layout';

export const EXIT_REQUEUE = 75;

/** The step of the run folder's checkpoint (checkpoint/checkpoint.json, named in core/run/layout), if any. */
export async function checkpointStep(runDir: string): Promise<number | undefined> {
  try {
    const step = (
      JSON.parse(await readFile(join(runDir, RUN_FILES.checkpoint, RUN_FILES.checkpointManifest), 'utf8')) as {
        step?: unknown;
      }
    ).step;
    return typeof step === 'number' ? step : undefined;
  } catch {
    return undefined;
  }
}

/** Exit code and message of a cancelled training run, by the signal that stopped it. */
export async function cancelledTrainExit(
  runDir: string,
  signal: NodeJS.Signals | undefined,
): Promise<{ code: number; message?: string }> {
  if (signal !== 'SIGTERM') return { code: 130 };
  const step = await checkpointStep(runDir);
  if (step === undefined)
    return { code: 143, message: 'stopped by SIGTERM before the first step: no checkpoint to resume from' };
  return {
    code: EXIT_REQUEUE,
    message: `stopped by SIGTERM: checkpoint at step ${step}; continue with \`cycledecon train --resume --out ${runDir}\` (exit ${EXIT_REQUEUE})`,
  };
}
