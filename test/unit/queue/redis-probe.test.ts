// "Test connection" for the queue setting: PING against a real redis-server, and each way it can fail, each with
// its own typed reason and words (refused, timeout, not Redis, rejected by Redis, bad URL) before any long wait.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { probeRedis, QueueConnectionError } from '../../../src-main/core/queue/redis/probe';
import { redisMissing, TestRedis } from '../../redis-server';

if (redisMissing) console.warn(redisMissing);

/** A loopback TCP server with the given behaviour for each connection; resolves with it and its port. */
async function tcpServer(onConn: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConn);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

async function reason(p: Promise<unknown>): Promise<{ reason: string; message: string; ms: number }> {
  const t0 = Date.now();
  try {
    await p;
  } catch (e) {
    if (!(e instanceof QueueConnectionError)) throw e;
    return { reason: e.reason, message: e.message, ms: Date.now() - t0 };
  }
  throw new Error('probe succeeded where it should fail');
}

describe('probeRedis without a server', () => {
  it('refuses a bad URL before connecting', async () => {
    await expect(probeRedis('http://127.0.0.1:6379')).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
    await expect(probeRedis('redis://u:p@127.0.0.1/0')).rejects.toThrow(/credentials/);
    await expect(probeRedis('not a url')).rejects.toThrow(/not a URL/);
  });

  it('says "refused" when nothing listens on the port', async () => {
    const { server, port } = await tcpServer(() => undefined);
    await new Promise((r) => server.close(r)); // the port was free a moment ago: nothing listens now
    const r = await reason(probeRedis(`redis://127.0.0.1:${port}/0`));
    expect(r.reason).toBe('refused');
    expect(r.message).toBe(`127.0.0.1:${port}/0: connection refused (nothing listens on that port)`);
  });

  it('says "timeout" when the server accepts but never answers, after the given limit', async () => {
    const held: Socket[] = [];
    const { server, port } = await tcpServer((s) => held.push(s));
    const r = await reason(probeRedis(`redis://127.0.0.1:${port}`, 300));
    expect(r.reason).toBe('timeout');
    expect(r.message).toContain('no answer within 300 ms');
    expect(r.ms).toBeGreaterThanOrEqual(290);
    expect(r.ms).toBeLessThan(3000);
    held.forEach((s) => s.destroy());
    server.close();
  });

  it('says "not-redis" for a server that answers something else', async () => {
    const { server, port } = await tcpServer((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const r = await reason(probeRedis(`redis://127.0.0.1:${port}/0`));
    expect(r.reason).toBe('not-redis');
    server.close();
  });
});

describe.skipIf(redisMissing)('probeRedis against redis-server', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('answers ok with the round trip for a running server and a valid database', async () => {
    const r = await probeRedis(redis.url);
    expect(r).toMatchObject({ ok: true, address: `127.0.0.1:${redis.port}/0` });
    expect(r.ms).toBeGreaterThan(0);
    expect((await probeRedis(`redis://127.0.0.1:${redis.port}/7`)).address).toBe(`127.0.0.1:${redis.port}/7`);
  });

  it('says "rejected" with Redis\'s own words for a database the server does not have', async () => {
    const r = await reason(probeRedis(`redis://127.0.0.1:${redis.port}/200`)); // default: 16 databases
    expect(r.reason).toBe('rejected');
    expect(r.message).toMatch(/DB index is out of range/);
  });
});
