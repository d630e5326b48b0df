// Entry of a task worker (worker_threads): answers one request/response task per 'task' message
// (tasks.ts) so the thread serving HTTP or IPC never runs them itself.
import { parentPort } from 'node:worker_threads';
import { runTask } from './tasks';
import type { FromTaskWorker, ToTaskWorker } from './task-protocol';
import { toWireError } from './wire-error';

const port = parentPort;
port?.on('message', (m: ToTaskWorker) => {
  const post = (reply: FromTaskWorker) => port.postMessage(reply);
  runTask(m.task).then(
    (output) => post({ type: 'task-done', output }),
    (e: unknown) => post({ type: 'task-error', error: toWireError(e) }),
  );
});
