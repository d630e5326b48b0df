// Worker side of the job protocol, shared by worker_threads and Electron utilityProcess entries:
// runs one job per 'run' message with the runners table, relaying progress, logs and the outcome.
import { CancelledError } from '../core/errors';
import type { MessagePortLike, ToWorker } from './job-protocol';
import { jobRunners } from './runners/index';
import { toWireError } from './wire-error';

export function serveJobs(port: MessagePortLike): void {
  let ctl: AbortController | undefined;
  port.onMessage((msg: ToWorker) => {
    if (msg.type === 'cancel') {
      ctl?.abort(new CancelledError('job'));
      return;
    }
    ctl = new AbortController();
    const signal = ctl.signal;
    const runner = jobRunners(msg.projectDir)[msg.job.kind];
    void (async () => {
      try {
        if (!runner) throw new Error(`no runner for ${msg.job.kind}`);
        const results = await runner(msg.job, {
          signal,
          workDir: msg.workDir,
          resultsDir: msg.resultsDir,
          resumed: msg.resumed,
          progress: (progress, message = '', step, total, etaSeconds) =>
            port.post({ type: 'progress', progress, message, step, total, etaSeconds }),
          log: (line) => port.post({ type: 'log', line }),
          event: (event) => port.post({ type: 'event', event }),
        });
        port.post({ type: 'done', results });
      } catch (e) {
        port.post({ type: 'error', error: toWireError(e) });
      }
    })();
  });
}
