// Entry of the job worker under plain Node worker_threads.
import { parentPort } from 'node:worker_threads';
import { serveJobs } from './host';
import type { FromWorker, ToWorker } from './job-protocol';

if (parentPort) {
  const port = parentPort;
  serveJobs({
    post: (m: FromWorker) => port.postMessage(m),
    onMessage: (h) => port.on('message', (m: ToWorker) => h(m)),
  });
}
