// Where the Redis queue keeps its jobs: one hash of JSON records (the Job as the contract has it, its results
// with root-relative paths, the worker running it), a log list per job, and stop requests. BullMQ only carries
// job ids, for dispatch, priorities, locks and stalled-job detection. Every record write is a Lua script
// (scripts.ts): state changes are compare-and-set, so a cancel and a pickup cannot both win.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Job, Result } from '../../../contract/schemas';
import { InvalidParameterError, OutsideFolderError } from '../../errors';
import type { RespClient, RedisAddress } from './client';
import type { RespValue } from './resp';
import { SCRIPT_KEYS, SCRIPTS, type ScriptName } from './scripts';

export interface RedisRecord {
  job: Job;
  results: Result[];
  seq: number;
  worker?: string;
}
export type StopKind = 'cancel' | 'pause';

/** Parses redis://host:port/db (db 0–15 by default); anything else is refused before a connection is tried. */
export function parseRedisUrl(url: string): RedisAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidParameterError('--queue', `${JSON.stringify(url)} is not a URL; expected redis://host:port/db`);
  }
  if (u.protocol !== 'redis:')
    throw new InvalidParameterError('--queue', `only redis:// queues are supported, got ${u.protocol}`);
  if (u.username || u.password)
    throw new InvalidParameterError(
      '--queue',
      'credentials in the URL are not supported; bind Redis to a private network',
    );
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '') || '0';
  const db = Number(dbText);
  if (!/^\d+$/.test(dbText) || db > 255)
    throw new InvalidParameterError('--queue', `database ${JSON.stringify(dbText)} must be a number 0–255`);
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

export type PickupOutcome = 'ok' | 'changed' | 'skip' | 'stopped';

export class RedisStore {
  constructor(
    private readonly c: RespClient,
    readonly name: string,
  ) {
    for (const [n, lua] of Object.entries(SCRIPTS)) c.defineCommand(n, { numberOfKeys: SCRIPT_KEYS.length, lua });
  }
  private k(s: string): string {
    return `cycledecon:${this.name}:${s}`;
  }
  private run(script: ScriptName, ...args: (string | number)[]): Promise<RespValue> {
    return this.c.runCommand(script, [...SCRIPT_KEYS.map((s) => this.k(s)), ...args]);
  }

  /** Every record (O(records): for opening a queue, not for polling). */
  async all(): Promise<Map<string, RedisRecord>> {
    const m = new Map<string, RedisRecord>();
    for (const [id, v] of Object.entries(await this.c.hgetall(this.k('jobs')))) m.set(id, JSON.parse(v) as RedisRecord);
    return m;
  }
  async get(id: string): Promise<RedisRecord | undefined> {
    return (await this.read(id))?.rec;
  }
  /** A record and its stored text (the text is what a compare-and-set compares). */
  async read(id: string): Promise<{ rec: RedisRecord; raw: string } | undefined> {
    const raw = await this.c.hget(this.k('jobs'), id);
    return raw ? { rec: JSON.parse(raw) as RedisRecord, raw } : undefined;
  }
  /** The records of `ids` that exist, with their stored text. */
  async many(ids: string[]): Promise<Map<string, { rec: RedisRecord; raw: string }>> {
    const m = new Map<string, { rec: RedisRecord; raw: string }>();
    if (!ids.length) return m;
    const raws = await this.c.hmget(this.k('jobs'), ...ids);
    raws.forEach((raw, i) => {
      if (raw) m.set(ids[i]!, { rec: JSON.parse(raw) as RedisRecord, raw });
    });
    return m;
  }
  /** Writes a new record unconditionally (submit). */
  async put(rec: RedisRecord): Promise<void> {
    await this.run('cdPut', rec.job.id, JSON.stringify(rec), rec.job.state);
  }
  /** Replaces the record only if it is still `expected` (as read); false when another process changed it first. */
  async cas(expected: string, next: RedisRecord, clearStop = false): Promise<boolean> {
    return (
      (await this.run('cdCas', next.job.id, expected, JSON.stringify(next), next.job.state, clearStop ? '1' : '0')) ===
      1
    );
  }
  /** A worker's atomic take-over of a job it read as `expected` (see scripts.ts). */
  async pickup(
    expected: string,
    running: RedisRecord,
    cancelled: RedisRecord,
    paused: RedisRecord,
  ): Promise<PickupOutcome> {
    return (await this.run(
      'cdPickup',
      running.job.id,
      expected,
      JSON.stringify(running),
      JSON.stringify(cancelled),
      JSON.stringify(paused),
    )) as PickupOutcome;
  }
  /**
   * A write by the worker holding the job (`owner`: its name and attempt); with `stopped` records, a pending stop
   * request picks the outcome. The state written, or null when the job is no longer this worker's.
   */
  async owned(
    owner: { worker: string; attempts: number },
    next: RedisRecord,
    opts: { stopped?: { cancelled: RedisRecord; paused: RedisRecord }; clearStop?: boolean } = {},
  ): Promise<string | null> {
    const st = opts.stopped;
    const r = await this.run(
      'cdOwned',
      next.job.id,
      owner.worker,
      owner.attempts,
      JSON.stringify(next),
      next.job.state,
      st ? JSON.stringify(st.cancelled) : '',
      st ? JSON.stringify(st.paused) : '',
      opts.clearStop ? '1' : '0',
    );
    return typeof r === 'string' ? r : null;
  }
  /** Records changed since revision `since`, and the current revision (lower than `since`: the store was reset). */
  async changesSince(since: number): Promise<{ rev: number; records: RedisRecord[] }> {
    const [rev, ...raws] = (await this.run('cdChanges', since)) as [number, ...string[]];
    return { rev: Number(rev), records: raws.map((v) => JSON.parse(v) as RedisRecord) };
  }
  async revision(): Promise<number> {
    return Number((await this.c.get(this.k('rev'))) ?? 0);
  }
  /** Ids of queued and waiting jobs (what a release looks at). */
  async pending(): Promise<string[]> {
    return this.c.smembers(this.k('pending'));
  }
  async nextSeq(): Promise<number> {
    return Number(await this.c.call('INCR', this.k('seq')));
  }
  async log(id: string, line: string): Promise<void> {
    await this.c.call('RPUSH', this.k(`log:${id}`), line.replace(/\n/g, ' '));
  }
  async logLines(id: string, since: number): Promise<string[]> {
    return this.c.lrange(this.k(`log:${id}`), since, -1);
  }
  /** Appended once per job reaching 'done' (what tests and operators count to see exactly-once completion). */
  async markFinished(id: string): Promise<void> {
    await this.c.call('RPUSH', this.k('finished'), id);
  }
  async finished(): Promise<string[]> {
    return this.c.lrange(this.k('finished'), 0, -1);
  }
  /** Asks the worker of a running job to stop; false when the job is not running (the caller decides again). */
  async requestStop(id: string, kind: StopKind): Promise<boolean> {
    return (await this.run('cdStop', id, kind)) === 1;
  }
  async stopRequest(id: string): Promise<StopKind | null> {
    return (await this.c.hget(this.k('stop'), id)) as StopKind | null;
  }
}
