// Main-side handle on a training worker (the CLI's `train`): starts src-main/worker/train-worker the way the
// job and task workers start (start.ts), forwards events, and offers pause/resume/cancel. Why the CLI does not
// train through the job queue's runner: docs/decisions/0008-two-training-entries.md.
import type { TrainEvent } from '../core/train/events';
import type { TrainCommandMessage, TrainStartMessage, TrainSummary, TrainWorkerMessage } from './protocol';
import { startWorker } from './start';
import { fromWireError } from './wire-error';

export interface TrainJob {
  done: Promise<TrainSummary>;
  pause(): void;
  resume(): void;
  cancel(): void;
}

export function startTrainWorker(
  request: Omit<TrainStartMessage, 'type'>,
  onEvent: (e: TrainEvent) => void,
  onBackend?: (name: string, reason: string) => void,
): TrainJob {
  const worker = startWorker('train-worker');
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
        reject(fromWireError(m.error));
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
