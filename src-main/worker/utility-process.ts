// Entry of the job process under Electron's utilityProcess: same protocol as node-worker.ts, over
// process.parentPort (Electron's utility-process port; no Electron import needed here).
import { serveJobs } from './host';
import type { FromWorker, ToWorker } from './job-protocol';

interface ParentPort {
  postMessage(m: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (parentPort) {
  serveJobs({ post: (m: FromWorker) => parentPort.postMessage(m), onMessage: (h) => parentPort.on('message', (e) => h(e.data as ToWorker)) });
}
