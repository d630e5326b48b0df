// `cycledecon worker`: a headless worker that takes jobs from a Redis queue (submitted by `serve --queue`).
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from '../command';
import { num, requireStr, str } from '../args';
import { InvalidParameterError } from '../../core/errors';
import { BACKEND_ENV, BACKEND_IDS, type BackendId } from '../../core/nn/backend';
import { parseRedisUrl } from '../../core/queue/redis/store';
import { resetFlags } from '../../core/flags';
import { RedisQueueWorker } from '../../core/queue/redis/queue-worker';
import { jobRunners } from '../../worker/runners/index';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Run jobs from a shared Redis queue (cluster nodes, other workstations)',
  usage: `--queue redis://host:port/db --root DIR [--concurrency N] [--backend B] [--name NAME]
  --queue URL        the Redis queue (the one \`serve --queue\` submits to)
  --root DIR         this machine's path of the data root (the project folder); job paths resolve under it
                     and a path leading out of it is refused
  --concurrency N    jobs at once (default 1: one per GPU)
  --backend B        ${BACKEND_IDS.join(', ')}
  --name NAME        how the Queue view names this worker (default host:pid)
  --lock-seconds S   heartbeat lock: a job of a worker that died runs elsewhere after about S s (default 30)
  --queue-name NAME  BullMQ queue name (default cycledecon)`,
  options: {
    queue: { type: 'string' },
    root: { type: 'string' },
    concurrency: { type: 'string' },
    backend: { type: 'string' },
    name: { type: 'string' },
    'lock-seconds': { type: 'string' },
    'queue-name': { type: 'string' },
  },
  async run(args, ctx) {
    const url = parseRedisUrl(requireStr(args, 'queue'));
    const root = resolve(requireStr(args, 'root'));
    if (!existsSync(root) || !statSync(root).isDirectory())
      throw new InvalidParameterError('--root', `${root} is not a folder`);
    const concurrency = num(args, 'concurrency', { min: 1, max: 64, integer: true, def: 1 })!;
    const lockSeconds = num(args, 'lock-seconds', { min: 1, max: 3600, def: 30 })!;
    const backend = str(args, 'backend');
    if (backend !== undefined) {
      if (!BACKEND_IDS.includes(backend as BackendId))
        throw new InvalidParameterError('--backend', `must be one of ${BACKEND_IDS.join(', ')}`);
      process.env[BACKEND_ENV] = backend; // job threads inherit it
      resetFlags(); // and this process's jobs read it again
    }
    const worker = new RedisQueueWorker({
      url,
      root,
      concurrency,
      name: str(args, 'name'),
      queueName: str(args, 'queue-name'),
      lockMs: lockSeconds * 1000,
      // In this process, not a thread per job: the process exists for its jobs, and a fresh thread (module loading,
      // backend start) cost about 6 s per job on the 2-core test box. Runners yield between iterations, so BullMQ's
      // lock renewal keeps up; --lock-seconds leaves room for the longest step.
      runners: jobRunners(root),
    });
    ctx.out(`worker ${worker.name} taking jobs from redis://${url.host}:${url.port}/${url.db} (root ${root})`);
    await new Promise<void>((r) => {
      if (ctx.signal.aborted) r();
      ctx.signal.addEventListener('abort', () => r(), { once: true });
    });
    ctx.err('stopping: running jobs are left for another worker to resume');
    await worker.close();
    return 0;
  },
};
