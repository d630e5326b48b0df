// Where the Redis queue keeps its jobs: one hash of JSON records (the Job as the contract has it, its results
// with root-relative paths, the worker running it), a log list per job, and stop requests. BullMQ only carries
// job ids, for dispatch, priorities, locks and stalled-job detection.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Job, Result } from '../../../contract/schemas';
import { InvalidParameterError, OutsideFolderError } from '../../errors';
import type { RespClient, RedisAddress } from './client';

export interface RedisRecord { job: Job; results: Result[]; seq: number; worker?: string }
export type StopKind = 'cancel' | 'pause';

/** Parses redis://host:port/db (db 0–15 by default); anything else is refused before a connection is tried. */
export function parseRedisUrl(url: string): RedisAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidParameterError('--queue', `${JSON.stringify(url)} is not a URL; expected redis://host:port/db`);
  }
  if (u.protocol !== 'redis:') throw new InvalidParameterError('--queue', `only redis:// queues are supported, got ${u.protocol}`);
  if (u.username || u.password) throw new InvalidParameterError('--queue', 'credentials in the URL are not supported; bind Redis to a private network');
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '') || '0';
  const db = Number(dbText);
  if (!/^\d+$/.test(dbText) || db > 255) throw new InvalidParameterError('--queue', `database ${JSON.stringify(dbText)} must be a number 0–255`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port, db };
}

/** A job's root-relative path mapped under this machine's root; a path that escapes it is refused. */
export function underRoot(root: string, rel: string): string {
  if (isAbsolute(rel) || /^[a-zA-Z]:[\\/]/.test(rel)) throw new OutsideFolderError(rel, root);
  const p = resolve(root, rel.split(/[\\/]/).join(sep));
  const r = relative(root, p);
  if (r === '..' || r.startsWith('..' + sep) || isAbsolute(r)) throw new OutsideFolderError(rel, root);
  return p;
}

/** A path under `root` written portably (forward slashes), for another machine's root. */
export function rootRelative(root: string, p: string): string {
  const r = relative(root, p);
  if (r === '..' || r.startsWith('..' + sep) || isAbsolute(r)) throw new OutsideFolderError(p, root);
  return r.split(sep).join('/');
}

export class RedisStore {
  constructor(private readonly c: RespClient, readonly name: string) {}
  private k(s: string): string { return `cycledecon:${this.name}:${s}`; }

  async all(): Promise<Map<string, RedisRecord>> {
    const m = new Map<string, RedisRecord>();
    for (const [id, v] of Object.entries(await this.c.hgetall(this.k('jobs')))) m.set(id, JSON.parse(v) as RedisRecord);
    return m;
  }
  async get(id: string): Promise<RedisRecord | undefined> {
    const v = await this.c.hget(this.k('jobs'), id);
    return v ? (JSON.parse(v) as RedisRecord) : undefined;
  }
  async put(rec: RedisRecord): Promise<void> { await this.c.hset(this.k('jobs'), { [rec.job.id]: JSON.stringify(rec) }); }
  async nextSeq(): Promise<number> { return Number(await this.c.call('INCR', this.k('seq'))); }
  async log(id: string, line: string): Promise<void> { await this.c.call('RPUSH', this.k(`log:${id}`), line.replace(/\n/g, ' ')); }
  async logLines(id: string, since: number): Promise<string[]> { return this.c.lrange(this.k(`log:${id}`), since, -1); }
  /** Appended once per job reaching 'done' (what tests and operators count to see exactly-once completion). */
  async markFinished(id: string): Promise<void> { await this.c.call('RPUSH', this.k('finished'), id); }
  async finished(): Promise<string[]> { return this.c.lrange(this.k('finished'), 0, -1); }
  async requestStop(id: string, kind: StopKind): Promise<void> { await this.c.hset(this.k('stop'), { [id]: kind }); }
  async stopRequest(id: string): Promise<StopKind | null> { return (await this.c.hget(this.k('stop'), id)) as StopKind | null; }
  async clearStop(id: string): Promise<void> { await this.c.hdel(this.k('stop'), id); }
}
