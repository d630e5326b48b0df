// Child process for the SIGKILL test: `submit N` queues N jobs and runs them; `resume` reopens the
// queue, runs whatever is left and prints a JSON summary of every job.
import { join } from 'node:path';
import { LocalJobQueue } from '../../../src-main/core/queue';
import { slowRunner, psfSpec } from './slow-runner';

const [dir, mode, n] = process.argv.slice(2) as [string, string, string?];
const q = await LocalJobQueue.open({
  dir: join(dir, 'jobs'),
  resultsDir: join(dir, 'results'),
  runners: { psf: slowRunner(10, 60) },
});
q.on('progress', (p) => process.stdout.write(`PROGRESS ${p.jobId} ${p.step}\n`));
if (mode === 'submit') {
  for (let i = 0; i < Number(n); i++) await q.submit(psfSpec, { priority: i === 0 ? 1 : 0 });
  process.stdout.write('SUBMITTED\n');
}
await q.idle();
process.stdout.write(
  'SUMMARY ' +
    JSON.stringify(
      q.list().map((j) => ({
        id: j.id,
        state: j.state,
        attempts: j.attempts,
        outputs: j.outputs,
        results: q.results(j.id).map((r) => r.path),
      })),
    ) +
    '\n',
);
await q.close();
