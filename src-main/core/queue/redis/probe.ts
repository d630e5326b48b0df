// "Test connection" for a Redis queue URL: one short-lived socket, SELECT (when a db is given) and PING, under
// a time limit. Unlike RespClient it never retries, so a wrong address fails at once with what went wrong.
import { connect } from 'node:net';
import { CycleDeconError } from '../../errors';
import { encodeCommand, RespParser, type RespValue } from './resp';
import { parseRedisUrl } from './store';

export type ProbeFailure = 'refused' | 'timeout' | 'unknown-host' | 'unreachable' | 'rejected' | 'not-redis';

/** The queue server could not be reached or did not answer as Redis; `reason` says which, the message in words. */
export class QueueConnectionError extends CycleDeconError {
  constructor(
    readonly reason: ProbeFailure,
    readonly address: string,
    detail: string,
    hint: string,
  ) {
    super('QUEUE', `${address}: ${detail}`, { hint });
  }
}

const HINT_SERVER = 'Check that redis-server runs on that machine and port, and that a firewall lets this machine in.';

/** Connects to `url` (redis://host:port/db), sends PING and resolves with the round trip; a typed error otherwise. */
export async function probeRedis(url: string, timeoutMs = 2000): Promise<{ ok: true; ms: number; address: string }> {
  const a = parseRedisUrl(url); // InvalidParameterError for a bad URL, before any connection
  const address = `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/${a.db}`;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const sock = connect({ host: a.host, port: a.port });
    const parser = new RespParser();
    const replies: RespValue[] = [];
    const expected = a.db ? 2 : 1;
    let settled = false;
    const fail = (e: QueueConnectionError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      reject(e);
    };
    const timer = setTimeout(
      () => fail(new QueueConnectionError('timeout', address, `no answer within ${timeoutMs} ms`, HINT_SERVER)),
      timeoutMs,
    );
    sock.setNoDelay(true);
    sock.on('connect', () =>
      sock.write(Buffer.concat([...(a.db ? [encodeCommand(['SELECT', a.db])] : []), encodeCommand(['PING'])])),
    );
    sock.on('error', (e: NodeJS.ErrnoException) => fail(socketError(e, address)));
    sock.on('close', () =>
      fail(
        new QueueConnectionError(
          'not-redis',
          address,
          'the server closed the connection without answering PING',
          'Is this the port of a Redis server?',
        ),
      ),
    );
    sock.on('data', (chunk) => {
      let got: RespValue[];
      try {
        got = parser.push(chunk);
      } catch {
        return fail(
          new QueueConnectionError(
            'not-redis',
            address,
            'the server does not speak the Redis protocol',
            'Is this the port of a Redis server?',
          ),
        );
      }
      replies.push(...got);
      const err = replies.find((r) => r instanceof Error);
      if (err)
        return fail(
          new QueueConnectionError(
            'rejected',
            address,
            `Redis refused the request: ${err.message}`,
            'A password-protected Redis or a database number the server does not have is not supported.',
          ),
        );
      if (replies.length < expected) return;
      if (replies[expected - 1] !== 'PONG')
        return fail(
          new QueueConnectionError(
            'not-redis',
            address,
            `unexpected answer to PING: ${JSON.stringify(replies[expected - 1])}`,
            'Is this the port of a Redis server?',
          ),
        );
      settled = true;
      clearTimeout(timer);
      sock.end();
      resolve({ ok: true, ms: Math.round((performance.now() - t0) * 10) / 10, address });
    });
  });
}

function socketError(e: NodeJS.ErrnoException, address: string): QueueConnectionError {
  if (e.code === 'ECONNREFUSED')
    return new QueueConnectionError(
      'refused',
      address,
      'connection refused (nothing listens on that port)',
      HINT_SERVER,
    );
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN')
    return new QueueConnectionError(
      'unknown-host',
      address,
      'unknown host name',
      'Check the spelling of the host, or give its IP address.',
    );
  if (e.code === 'ETIMEDOUT')
    return new QueueConnectionError('timeout', address, 'the connection timed out', HINT_SERVER);
  return new QueueConnectionError('unreachable', address, `cannot connect (${e.code ?? e.message})`, HINT_SERVER);
}
