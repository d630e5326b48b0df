// Worker-thread entry that runs one training job: it reads the stacks, selects the backend, trains,
// and posts every progress event to the main side; pause/resume/cancel arrive as messages.
import { parentPort } from 'node:worker_threads';
import { initBackend } from '../core/nn/backend';
import { TrainControl } from '../core/train/events';
import { resolveStackPaths } from '../core/train/inputs';
import { train } from '../core/train/trainer';
import { readVolume } from '../core/io';
import type { TrainCommandMessage, TrainStartMessage, TrainWorkerMessage } from './protocol';
import { toWireError } from './wire-error';

const port = parentPort;
const control = new TrainControl();
const abort = new AbortController();
const post = (m: TrainWorkerMessage) => port?.postMessage(m);

async function run(m: TrainStartMessage): Promise<void> {
  const blurredPaths = await resolveStackPaths(m.blurred, '--blurred');
  const sharpPaths = m.config.sharpSource === 'data' ? await resolveStackPaths(m.sharp, '--sharp') : [];
  const open = m.voxelSize ? { voxelSize: m.voxelSize } : {};
  const blurred = await Promise.all(blurredPaths.map((p) => readVolume(p, open)));
  const sharp = await Promise.all(sharpPaths.map((p) => readVolume(p, open)));
  const rlPsf = m.config.sharpSource === 'rl' && m.rlPsf ? await readVolume(m.rlPsf) : undefined;
  const backend = await initBackend({ preferred: m.backend, purpose: 'train' });
  post({ type: 'train-backend', name: backend.name, reason: backend.reason });
  const r = await train(m.config, {
    blurred,
    sharp,
    rlPsf,
    outDir: m.outDir,
    resume: m.resume,
    force: m.force,
    signal: abort.signal,
    control,
    backendName: backend.name,
    onProgress: (event) => post({ type: 'train-event', event }),
  });
  post({ type: 'train-result', result: { runDir: r.runDir, steps: r.steps, cancelled: r.cancelled } });
}

port?.on('message', (m: TrainCommandMessage) => {
  if (m.type === 'train-pause') control.pause();
  else if (m.type === 'train-resume') control.resume();
  else if (m.type === 'train-cancel') {
    abort.abort();
    control.resume();
  } else if (m.type === 'train-start') {
    run(m)
      .catch((e: unknown) => post({ type: 'train-error', error: toWireError(e, 'stack') }))
      .finally(() => port.close());
  }
});
