// RESP2 (the Redis wire protocol, https://redis.io/docs/reference/protocol-spec/): command encoding and an
// incremental reply parser. Small and dependency-free so BullMQ runs without ioredis.

export type RespValue = string | number | null | RespValue[] | Error;

/** One command as a RESP array of bulk strings (Buffers pass through untouched: BullMQ packs some args with msgpack). */
export function encodeCommand(args: readonly (string | number | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** A server error reply ('-ERR …'), kept apart from transport errors. */
export class RedisReplyError extends Error {}

/** Feeds socket chunks in, yields complete replies in order. */
export class RespParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  push(chunk: Buffer): RespValue[] {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
    const out: RespValue[] = [];
    for (;;) {
      const start = this.pos;
      const v = this.read();
      if (v === undefined) {
        this.pos = start; // incomplete: wait for more bytes
        break;
      }
      out.push(v);
    }
    return out;
  }

  private line(): string | undefined {
    const end = this.buf.indexOf('\r\n', this.pos);
    if (end < 0) return undefined;
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 2;
    return s;
  }

  private read(): RespValue | undefined {
    if (this.pos >= this.buf.length) return undefined;
    const type = String.fromCharCode(this.buf[this.pos]!);
    this.pos++;
    const head = this.line();
    if (head === undefined) return undefined;
    if (type === '+') return head;
    if (type === '-') return new RedisReplyError(head);
    if (type === ':') return Number(head);
    if (type === '$') {
      const n = Number(head);
      if (n < 0) return null;
      if (this.buf.length < this.pos + n + 2) return undefined;
      const s = this.buf.toString('utf8', this.pos, this.pos + n);
      this.pos += n + 2;
      return s;
    }
    if (type === '*') {
      const n = Number(head);
      if (n < 0) return null;
      const arr: RespValue[] = [];
      for (let i = 0; i < n; i++) {
        const v = this.read();
        if (v === undefined) return undefined;
        arr.push(v);
      }
      return arr;
    }
    throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}
