// Entry of the job process under Electron's utilityProcess: same protocol as node-worker.ts, over
// process.parentPort (Electron's utility-process port; no Electron import needed here).
import { serveJobs } from './host';
import type { FromWorker, ToWorker } from './job-protocol';

interface ParentPort {
  postMessage(m: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}
// A widening assertion: plain Node has no parentPort, Electron's typings (when in the program) declare their own.
const parentPort = (process as typeof process & { parentPort?: ParentPort }).parentPort;
if (parentPort) {
  serveJobs({
    post: (m: FromWorker) => parentPort.postMessage(m),
    onMessage: (h) => parentPort.on('message', (e) => h(e.data as ToWorker)),
  });
}
