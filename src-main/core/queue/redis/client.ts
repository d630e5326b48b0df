// A minimal Redis client implementing BullMQ's IRedisClient (bullmq/dist/esm/interfaces/redis-client.d.ts) over
// one TCP socket: the commands BullMQ uses, Lua scripts by EVALSHA (EVAL on NOSCRIPT), pipelines and MULTI, and
// reconnection with backoff (a restarted Redis is rejoined; commands issued while down wait for it).
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { encodeCommand, RedisReplyError, RespParser, type RespValue } from './resp';

export interface RedisAddress {
  host: string;
  port: number;
  db: number;
}
type Arg = string | number | Buffer;
interface Pending {
  args: Arg[];
  resolve: (v: RespValue) => void;
  reject: (e: Error) => void;
}
interface Script {
  sha: string;
  lua: string;
  numberOfKeys: number;
}

const CLOSED = 'Connection is closed.';

export class RespClient extends EventEmitter {
  status = 'wait';
  readonly isCluster = false;
  options: Record<string, unknown>;
  private sock?: Socket;
  private parser = new RespParser();
  private inflight: Pending[] = [];
  private offline: { args: Arg[]; p: Pending }[] = [];
  private scripts = new Map<string, Script>();
  private manual = false;
  private attempts = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    readonly address: RedisAddress,
    lazy = true,
  ) {
    super();
    this.options = { host: address.host, port: address.port, db: address.db };
    this.setMaxListeners(50);
    if (!lazy) void this.connect().catch(() => undefined);
  }

  connect(): Promise<void> {
    this.manual = false;
    if (this.status === 'ready') return Promise.resolve();
    const ready = new Promise<void>((resolve) => this.once('ready', resolve));
    this.open();
    return ready;
  }

  private open(): void {
    if (this.status === 'connecting' || this.status === 'connect') return;
    this.status = 'connecting';
    this.parser = new RespParser();
    const sock = connect({ host: this.address.host, port: this.address.port });
    this.sock = sock;
    sock.setNoDelay(true);
    sock.on('connect', () => void this.onConnect(sock).catch(() => sock.destroy()));
    sock.on('data', (chunk) => this.onData(chunk));
    sock.on('error', (e) => {
      if (this.listenerCount('error')) this.emit('error', e);
    });
    sock.on('close', () => this.onClose(sock));
  }

  private async onConnect(sock: Socket): Promise<void> {
    this.status = 'connect';
    this.attempts = 0;
    if (this.address.db) await this.raw(['SELECT', this.address.db], true);
    if (this.sock !== sock) return;
    this.status = 'ready';
    this.emit('connect');
    this.emit('ready');
    for (const { args, p } of this.offline.splice(0)) this.raw(args).then(p.resolve, p.reject);
  }

  private onData(chunk: Buffer): void {
    for (const v of this.parser.push(chunk)) {
      const p = this.inflight.shift();
      if (!p) continue;
      if (v instanceof Error) p.reject(v);
      else p.resolve(v);
    }
  }

  private onClose(sock: Socket): void {
    if (this.sock !== sock) return;
    this.sock = undefined;
    const unanswered = this.inflight.splice(0);
    this.emit('close');
    if (this.manual) {
      for (const p of unanswered) p.reject(new Error(CLOSED));
      this.status = 'end';
      for (const { p } of this.offline.splice(0)) p.reject(new Error(CLOSED));
      this.emit('end');
      return;
    }
    // Unexpected: back off, reconnect and resend what had no answer (as ioredis does by default), so a Redis
    // restart with append-only persistence loses no update of ours.
    this.offline.unshift(...unanswered.map((p) => ({ args: p.args, p })));
    this.status = 'reconnecting';
    this.emit('reconnecting');
    const delay = Math.min(2000, 50 * 2 ** this.attempts++);
    this.timer = setTimeout(() => {
      this.status = 'wait';
      this.open();
    }, delay);
  }

  disconnect(reconnect = false): void {
    clearTimeout(this.timer);
    this.manual = !reconnect;
    if (this.sock) this.sock.destroy();
    else if (!reconnect) {
      this.status = 'end';
      this.emit('end');
    }
  }

  async quit(): Promise<string> {
    this.manual = true;
    if (this.status !== 'ready') {
      this.disconnect();
      return 'OK';
    }
    const r = await this.raw(['QUIT']).catch(() => 'OK');
    this.disconnect();
    return String(r);
  }

  duplicate(): RespClient {
    const c = new RespClient(this.address);
    for (const [k, s] of this.scripts) c.scripts.set(k, s);
    return c;
  }

  /** Sends one command; while not connected it waits in the offline queue (unless closed by us). */
  raw(args: Arg[], bypass = false): Promise<RespValue> {
    return new Promise((resolve, reject) => {
      const p = { args, resolve, reject };
      if (this.manual && !this.sock) return reject(new Error(CLOSED));
      if ((this.status !== 'ready' && !bypass) || !this.sock) {
        this.offline.push({ args, p });
        if (this.status === 'wait') this.open(); // first use connects (BullMQ calls connect() itself)
        return;
      }
      this.inflight.push(p);
      this.sock.write(encodeCommand(args));
    });
  }

  call(...args: Arg[]): Promise<RespValue> {
    return this.raw(args);
  }

  defineCommand(name: string, def: { numberOfKeys: number; lua: string }): void {
    this.scripts.set(name, {
      sha: createHash('sha1').update(def.lua).digest('hex'),
      lua: def.lua,
      numberOfKeys: def.numberOfKeys,
    });
  }

  private scriptArgs(name: string, args: unknown[]): { s: Script; rest: Arg[] } {
    const s = this.scripts.get(name);
    if (!s) throw new Error(`unknown script command ${name}`);
    const flat = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as unknown[];
    const rest = flat.map((a) => (Buffer.isBuffer(a) ? a : a === undefined || a === null ? '' : String(a)));
    return { s, rest: [s.numberOfKeys, ...rest] };
  }

  async runCommand(name: string, args: unknown[]): Promise<RespValue> {
    const { s, rest } = this.scriptArgs(name, args);
    try {
      return await this.raw(['EVALSHA', s.sha, ...rest]);
    } catch (e) {
      if (e instanceof RedisReplyError && e.message.startsWith('NOSCRIPT')) return this.raw(['EVAL', s.lua, ...rest]);
      throw e;
    }
  }

  multi(): Transaction {
    return new Transaction(this, true);
  }
  pipeline(): Transaction {
    return new Transaction(this, false);
  }

  /** Loads scripts a transaction uses (EVALSHA inside MULTI cannot fall back to EVAL). */
  async load(names: string[]): Promise<void> {
    for (const n of new Set(names)) await this.raw(['SCRIPT', 'LOAD', this.scripts.get(n)!.lua]);
  }
  scriptCall(name: string, args: unknown[]): Arg[] {
    const { s, rest } = this.scriptArgs(name, args);
    return ['EVALSHA', s.sha, ...rest];
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    return pairs((await this.raw(['HGETALL', key])) as string[]);
  }
  async hget(key: string, f: string): Promise<string | null> {
    return (await this.raw(['HGET', key, f])) as string | null;
  }
  async hmget(key: string, ...f: string[]): Promise<(string | null)[]> {
    return (await this.raw(['HMGET', key, ...f])) as (string | null)[];
  }
  async hset(key: string, data: Record<string, string | number>): Promise<number> {
    return (await this.raw(['HSET', key, ...Object.entries(data).flat()])) as number;
  }
  async hdel(key: string, ...f: string[]): Promise<number> {
    return (await this.raw(['HDEL', key, ...f])) as number;
  }
  async hexists(key: string, f: string): Promise<number> {
    return (await this.raw(['HEXISTS', key, f])) as number;
  }
  async get(key: string): Promise<string | null> {
    return (await this.raw(['GET', key])) as string | null;
  }
  async set(key: string, v: string | number, o: { PX?: number; EX?: number } = {}): Promise<string | null> {
    const extra: Arg[] = o.PX ? ['PX', o.PX] : o.EX ? ['EX', o.EX] : [];
    return (await this.raw(['SET', key, v, ...extra])) as string | null;
  }
  async del(...keys: string[]): Promise<number> {
    return keys.length ? ((await this.raw(['DEL', ...keys])) as number) : 0;
  }
  async zrange(k: string, a: number, b: number, o: { WITHSCORES?: boolean } = {}): Promise<string[]> {
    return (await this.raw(['ZRANGE', k, a, b, ...(o.WITHSCORES ? ['WITHSCORES'] : [])])) as string[];
  }
  async zrevrange(k: string, a: number, b: number, o: { WITHSCORES?: boolean } = {}): Promise<string[]> {
    return (await this.raw(['ZREVRANGE', k, a, b, ...(o.WITHSCORES ? ['WITHSCORES'] : [])])) as string[];
  }
  async zcard(k: string): Promise<number> {
    return (await this.raw(['ZCARD', k])) as number;
  }
  async zscore(k: string, m: string): Promise<string | null> {
    return (await this.raw(['ZSCORE', k, m])) as string | null;
  }
  async lrange(k: string, a: number, b: number): Promise<string[]> {
    return (await this.raw(['LRANGE', k, a, b])) as string[];
  }
  async llen(k: string): Promise<number> {
    return (await this.raw(['LLEN', k])) as number;
  }
  async ltrim(k: string, a: number, b: number): Promise<string> {
    return (await this.raw(['LTRIM', k, a, b])) as string;
  }
  async lpos(k: string, v: string): Promise<number | null> {
    return (await this.raw(['LPOS', k, v])) as number | null;
  }
  async smembers(k: string): Promise<string[]> {
    return (await this.raw(['SMEMBERS', k])) as string[];
  }
  async xadd(
    k: string,
    id: string,
    fields: Record<string, string | number>,
    o: { MAXLEN?: number; approximate?: boolean } = {},
  ): Promise<string> {
    const trim: Arg[] = o.MAXLEN !== undefined ? ['MAXLEN', ...(o.approximate ? ['~'] : []), o.MAXLEN] : [];
    return (await this.raw(['XADD', k, ...trim, id, ...Object.entries(fields).flat()])) as string;
  }
  async xread(streams: { key: string; id: string }[], o: { BLOCK?: number; COUNT?: number } = {}): Promise<RespValue> {
    const opt: Arg[] = [
      ...(o.COUNT !== undefined ? ['COUNT', o.COUNT] : []),
      ...(o.BLOCK !== undefined ? ['BLOCK', o.BLOCK] : []),
    ];
    return this.raw(['XREAD', ...opt, 'STREAMS', ...streams.map((s) => s.key), ...streams.map((s) => s.id)]);
  }
  async xtrim(k: string, strategy: 'MAXLEN', n: number, o: { approximate?: boolean } = {}): Promise<number> {
    return (await this.raw(['XTRIM', k, strategy, ...(o.approximate ? ['~'] : []), n])) as number;
  }
  async bzpopmin(k: string, timeout: number): Promise<[string, string, string] | null> {
    return (await this.raw(['BZPOPMIN', k, timeout])) as [string, string, string] | null;
  }
  async info(): Promise<string> {
    return (await this.raw(['INFO'])) as string;
  }
  clientSetName(name: string): Promise<RespValue> {
    return this.raw(['CLIENT', 'SETNAME', name]);
  }
  async clientList(): Promise<string> {
    return (await this.raw(['CLIENT', 'LIST'])) as string;
  }
  async clientInfo(): Promise<string> {
    return (await this.raw(['CLIENT', 'INFO'])) as string;
  }
  async scan(cursor: string | number, o: { MATCH?: string; COUNT?: number }): Promise<[string, string[]]> {
    return (await this.raw([
      'SCAN',
      cursor,
      ...(o.MATCH ? ['MATCH', o.MATCH] : []),
      ...(o.COUNT ? ['COUNT', o.COUNT] : []),
    ])) as [string, string[]];
  }
  scanStream(o: { match: string; count?: number }): Readable {
    let cursor = '0';
    let done = false;
    const stream: Readable = new Readable({
      objectMode: true,
      read: () => {
        if (done) return void stream.push(null);
        this.scan(cursor, { MATCH: o.match, COUNT: o.count }).then(
          ([next, keys]) => {
            cursor = next;
            done = next === '0';
            stream.push(keys);
          },
          (e: Error) => stream.destroy(e),
        );
      },
    });
    return stream;
  }
}

function pairs(a: string[] | null): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0; a && i + 1 < a.length; i += 2) o[a[i]!] = a[i + 1]!;
  return o;
}

/** A pipeline (or MULTI … EXEC when `atomic`): commands queued, sent together, replies as [err, value] pairs. */
export class Transaction {
  private cmds: Arg[][] = [];
  private scriptNames: string[] = [];
  constructor(
    private readonly c: RespClient,
    private readonly atomic: boolean,
  ) {}
  private add(args: Arg[]): this {
    this.cmds.push(args);
    return this;
  }
  hgetall(k: string): this {
    return this.add(['HGETALL', k]);
  }
  hset(k: string, d: Record<string, string | number>): this {
    return this.add(['HSET', k, ...Object.entries(d).flat()]);
  }
  hscan(k: string, cur: string | number, o: { COUNT?: number } = {}): this {
    return this.add(['HSCAN', k, cur, ...(o.COUNT ? ['COUNT', o.COUNT] : [])]);
  }
  smembers(k: string): this {
    return this.add(['SMEMBERS', k]);
  }
  sscan(k: string, cur: string | number, o: { COUNT?: number } = {}): this {
    return this.add(['SSCAN', k, cur, ...(o.COUNT ? ['COUNT', o.COUNT] : [])]);
  }
  zrange(k: string, a: number, b: number): this {
    return this.add(['ZRANGE', k, a, b]);
  }
  lrange(k: string, a: number, b: number): this {
    return this.add(['LRANGE', k, a, b]);
  }
  llen(k: string): this {
    return this.add(['LLEN', k]);
  }
  del(...keys: string[]): this {
    return this.add(['DEL', ...keys]);
  }
  runCommand(name: string, args: unknown[]): this {
    this.scriptNames.push(name);
    return this.add(this.c.scriptCall(name, args));
  }

  async exec(): Promise<[Error | null, unknown][] | null> {
    if (this.scriptNames.length) await this.c.load(this.scriptNames);
    const cmds = this.cmds.splice(0);
    if (!this.atomic) {
      const settled = await Promise.allSettled(cmds.map((a) => this.c.raw(a)));
      return settled.map((s) => (s.status === 'fulfilled' ? [null, s.value] : [s.reason as Error, null]));
    }
    const sent = [this.c.raw(['MULTI']), ...cmds.map((a) => this.c.raw(a)), this.c.raw(['EXEC'])];
    const settled = await Promise.allSettled(sent);
    const exec = settled[settled.length - 1]!;
    if (exec.status === 'rejected') throw exec.reason;
    const replies = exec.value as RespValue[] | null;
    if (replies === null) return null;
    return replies.map((v) => (v instanceof Error ? [v, null] : [null, v]));
  }
}
