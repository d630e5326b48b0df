// `cycledecon serve`: the app's API and UI on loopback HTTP for a browser, scripts and curl.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../command';
import { num, str } from '../args';
import { InvalidParameterError } from '../../core/errors';
import { AccessPolicy } from '../../services/access';
import { AppService } from '../../services/app';
import { ProjectStore } from '../../core/project/index';
import { startDevServer } from '../../devserver/server';
import { tokenFromFile } from '../../devserver/token-file';
import { WorkerTaskPool } from '../../worker/task-pool';
import { parseRedisUrl } from '../../core/queue/redis/store';
import { configDir } from '../../core/project/recent';
import { StartupQueue } from '../../services/settings';

// The built renderer sits in <repo>/out/renderer. This module runs from src-main/cli/commands/ (sources, via
// tsx) or from dist/cli/ (the esbuild bundle), so look upwards for it rather than at a fixed depth.
function findRendererDir(): string | undefined {
  let dir = resolve(fileURLToPath(import.meta.url), '..');
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'out', 'renderer');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = resolve(dir, '..');
  }
  return undefined;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the app and its API on loopback HTTP (token-protected)',
  usage: `[--port N] [--host 127.0.0.1] [--project DIR] [--allow DIR]... [--token-file FILE] [--concurrency N]
  --port N         port to listen on (default 0: a free port)
  --host ADDR      address to bind (default 127.0.0.1; anything else exposes the API to your network)
  --project DIR    project folder to open, or create when it has no project.json; a project another
                   process has open (its project.lock names pid and host) is refused with exit 1
  --allow DIR      another folder the API may read from (repeatable); the project folder is always allowed
  --token-file F   keep the token in F (made owner-only when missing; refused when others can read it), so
                   open tabs and scripts keep working after a restart; default: a new token at every start
  --concurrency N  jobs running at once (default 1: one per GPU)
  --queue URL      run jobs on \`cycledecon worker\` processes through Redis (redis://host:port/db) instead
                   of here; the project folder is the data root the workers map with --root. Without it, the
                   queue chosen in the app's settings (settings.json in the config folder) is used`,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    project: { type: 'string' },
    allow: { type: 'string', multiple: true },
    'token-file': { type: 'string' },
    concurrency: { type: 'string' },
    queue: { type: 'string' },
  },
  async run(args, ctx) {
    const v = args.values;
    const port = num(args, 'port', { min: 0, max: 65535, integer: true, def: 0 })!;
    const host = str(args, 'host') ?? '127.0.0.1';
    const concurrency = num(args, 'concurrency', { min: 1, max: 64, integer: true, def: 1 })!;
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1')
      ctx.err(`warning: binding to ${host} exposes the API beyond this machine; keep the token secret.`);
    const tokenFile = str(args, 'token-file');
    const kept = tokenFile === undefined ? undefined : await tokenFromFile(resolve(tokenFile)); // refused before anything starts
    const access = new AccessPolicy();
    for (const dir of (v.allow as string[] | undefined) ?? []) {
      if (!existsSync(dir)) throw new InvalidParameterError('--allow', `${dir} does not exist`);
      await access.allow(dir);
    }
    // Metrics, PSF generation and import parsing run in task workers, so one heavy call never stalls other clients.
    const redis = str(args, 'queue');
    if (redis !== undefined) parseRedisUrl(redis); // refused before anything starts
    // --queue wins; else the app's stored setting (local journal by default), read once here for the whole run.
    const settings = new StartupQueue(configDir(), redis === undefined ? undefined : { kind: 'redis', url: redis });
    const chosen = await settings.inUse();
    for (const w of chosen.warnings) ctx.err(`warning: ${w}`);
    if (chosen.queue.kind === 'redis')
      ctx.out(
        `queue: ${chosen.queue.url}${redis === undefined ? ' (from the app settings)' : ''}; jobs run on \`cycledecon worker\` processes`,
      );
    const service = new AppService({ access, concurrency, tasks: new WorkerTaskPool(), settings });
    if (typeof v.project === 'string') {
      const dir = resolve(v.project);
      // A project another process holds open is refused (ProjectLockedError names it: exit 1); nothing was started.
      const attach = async () =>
        service.attach(
          existsSync(join(dir, 'project.json')) ? await ProjectStore.open(dir) : await ProjectStore.create(dir),
        );
      await attach().catch(async (e: unknown) => {
        await service.close();
        throw e;
      });
      for (const w of service.warnings()) ctx.err(`warning: ${w}`);
    }
    const server = await startDevServer({
      service,
      access,
      host,
      port,
      rendererDir: findRendererDir(),
      ...(kept ? { token: kept.token } : {}),
    });
    ctx.out(`CycleDecon serving at ${server.url}`);
    ctx.out(`token: ${server.token}${kept ? ` (${kept.created ? 'new, written to' : 'kept in'} ${tokenFile})` : ''}`);
    ctx.out(
      `open ${server.url}/#token=${server.token}   (API: POST ${server.url}/api/<method> with "Authorization: Bearer <token>")`,
    );
    await new Promise<void>((r) => {
      if (ctx.signal.aborted) r();
      ctx.signal.addEventListener('abort', () => r(), { once: true });
      process.once('SIGTERM', () => r());
    });
    await server.close();
    await service.close();
    return 0;
  },
};
