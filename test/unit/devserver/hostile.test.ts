// The devserver under hostile clients: malformed WebSocket frames, aborted and racing downloads, the token
// in the wrong place. After each, the server must still answer an ordinary call.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { existsSync, promises as fsp, readdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { AccessPolicy } from '../../../src-main/services/access';
import { AppService } from '../../../src-main/services/app';
import { startDevServer, type DevServer } from '../../../src-main/devserver/server';
import { tempDir } from '../../helpers';

process.env.CYCLEDECON_HOME = tempDir(); // keep the recent-projects list out of the user's config
const dataDir = tempDir();
const bigFile = join(dataDir, 'big.bin');
writeFileSync(bigFile, randomBytes(4 << 20)); // far more than a socket buffers, so an abort leaves work undone
let srv: DevServer;
let service: AppService;

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  const u = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method: 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    // A response that never ends is a failure too (the old server left it hanging after an open error).
    req.setTimeout(5000, () => req.destroy(new Error(`no complete answer to GET ${path} within 5 s`)));
    req.end();
  });
}

async function ping(
  headers: Record<string, string> = { authorization: `Bearer ${srv.token}` },
  query = '',
): Promise<number> {
  const r = await fetch(`${srv.url}/api/project.recent${query}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: '{}',
  });
  await r.arrayBuffer();
  return r.status;
}

beforeAll(async () => {
  const access = new AccessPolicy();
  await access.allow(dataDir);
  service = new AppService({ access });
  srv = await startDevServer({ service, access });
});
afterAll(async () => {
  await srv.close();
  await service.close();
});

/** A raw client: the WebSocket handshake written by hand, then `frame` as the first thing it sends. */
function sendRawFrame(frame: Buffer): Promise<'closed'> {
  const u = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(u.port), u.hostname);
    let upgraded = false;
    s.on('error', () => undefined); // the server may reset us: that is the point
    s.on('close', () => (upgraded ? resolve('closed') : reject(new Error('handshake failed'))));
    s.on('data', (d) => {
      if (!upgraded && d.toString('latin1').startsWith('HTTP/1.1 101')) {
        upgraded = true;
        s.write(frame);
      }
    });
    s.write(
      [
        `GET /events?token=${srv.token} HTTP/1.1`,
        `Host: ${u.host}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
  });
}

describe('devserver WebSocket with hostile frames', () => {
  const maskKey = Buffer.from([1, 2, 3, 4]);
  const frames: Record<string, Buffer> = {
    // RFC 6455 §5.1: a client must mask every frame.
    unmasked: Buffer.concat([Buffer.from([0x81, 0x02]), Buffer.from('hi')]),
    // §5.2: opcodes 0x3–0x7 are reserved.
    'reserved opcode': Buffer.concat([Buffer.from([0x83, 0x80 | 0x02]), maskKey, Buffer.from([0x69 ^ 1, 0x69 ^ 2])]),
    // A 64-bit length of 1 MiB, over the server's 64 KiB maxPayload (only the header is needed).
    'over the payload limit': Buffer.concat([
      Buffer.from([0x82, 0x80 | 127]),
      Buffer.from([0, 0, 0, 0, 0, 0x10, 0, 0]),
      maskKey,
    ]),
  };
  for (const [name, frame] of Object.entries(frames)) {
    it(`drops a client that sends a frame ${name === 'unmasked' ? 'unmasked' : `with a ${name}`} and keeps serving`, async () => {
      // Outside a test runner an unheard 'error' ends the process; here it surfaces as an uncaught exception.
      const uncaught: unknown[] = [];
      const onUncaught = (e: unknown) => uncaught.push(e);
      process.on('uncaughtException', onUncaught);
      try {
        const listening = new WebSocket(`${srv.url.replace('http', 'ws')}/events?token=${srv.token}`);
        await new Promise((r) => listening.on('open', r));
        expect(await sendRawFrame(frame)).toBe('closed');
        expect(await ping()).toBe(200);
        expect(listening.readyState).toBe(WebSocket.OPEN); // other clients keep their socket
        listening.close();
      } finally {
        process.off('uncaughtException', onUncaught);
      }
      expect(uncaught.map(String)).toEqual([]);
    });
  }
});

describe('devserver downloads under abort and races', () => {
  const fdCount = () => readdirSync('/proc/self/fd').length;
  const linux = existsSync('/proc/self/fd');

  /** Starts a download and drops the connection as soon as the headers arrive. */
  function abortedDownload(): Promise<void> {
    const u = new URL(srv.url);
    return new Promise((resolve) => {
      const req = httpRequest(
        { host: u.hostname, port: u.port, path: `/files/raw${bigFile}?token=${srv.token}`, agent: false },
        (res) => {
          expect(res.statusCode).toBe(200);
          req.destroy();
          resolve();
        },
      );
      req.on('error', () => resolve());
      req.end();
    });
  }

  it.runIf(linux)('300 aborted downloads leave the number of open files flat', async () => {
    for (let i = 0; i < 10; i++) await abortedDownload(); // warm-up: lazily opened handles of the runtime
    await new Promise((r) => setTimeout(r, 200));
    const before = fdCount();
    for (let i = 0; i < 300; i++) await abortedDownload();
    let after = fdCount();
    for (let i = 0; i < 40 && after - before > 10; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = fdCount();
    }
    expect(after - before).toBeLessThan(10);
    expect((await get(`/files/raw${bigFile}?token=${srv.token}`)).body.length).toBe(4 << 20);
  });

  it('answers 404 (and keeps serving) when the file goes away between the server looking at it and opening it', async () => {
    const victim = join(dataDir, 'victim.bin');
    writeFileSync(victim, 'soon gone');
    // The server's first look at the file (fs.promises.stat in a stat-then-open design) deletes it.
    const realStat = fsp.stat.bind(fsp);
    const spy = vi.spyOn(fsp, 'stat').mockImplementation(async (p, o) => {
      const st = await realStat(p, o as never);
      if (String(p) === victim) await fsp.rm(victim, { force: true });
      return st as never;
    });
    const realOpen = fsp.open.bind(fsp);
    const openSpy = vi.spyOn(fsp, 'open').mockImplementation(async (p, ...rest) => {
      if (String(p) === victim) await fsp.rm(victim, { force: true }); // an open-first design sees the race here
      return realOpen(p, ...(rest as [never]));
    });
    try {
      const r = await get(`/files/raw${victim}?token=${srv.token}`);
      expect(r.status).toBe(404);
      expect(JSON.parse(r.body.toString()).error.code).toBe('FILE_NOT_FOUND');
    } finally {
      spy.mockRestore();
      openSpy.mockRestore();
    }
    expect(await ping()).toBe(200);
  });

  it('closes the connection (no short 200 body on a live socket) when the file shrinks mid-download', async () => {
    const shrinking = join(dataDir, 'shrinking.bin');
    writeFileSync(shrinking, randomBytes(4 << 20));
    const u = new URL(srv.url);
    const t0 = performance.now();
    const outcome = await new Promise<{ status: number; received: number; aborted: boolean }>((resolve) => {
      const req = httpRequest(
        { host: u.hostname, port: u.port, path: `/files/raw${shrinking}?token=${srv.token}` },
        (res) => {
          let received = 0;
          let truncated = false;
          res.on('data', (c: Buffer) => {
            received += c.length;
            if (!truncated) {
              truncated = true;
              res.pause(); // let the server fill its buffers, then cut the file under it
              void fsp.truncate(shrinking, 1024).then(() => res.resume());
            }
          });
          res.on('end', () => resolve({ status: res.statusCode!, received, aborted: false }));
          res.on('error', () => resolve({ status: res.statusCode!, received, aborted: true }));
          res.on('aborted', () => resolve({ status: res.statusCode!, received, aborted: true }));
        },
      );
      req.on('error', () => resolve({ status: 0, received: 0, aborted: true }));
      req.end();
    });
    expect(outcome.status).toBe(200);
    // Promptly: a short body left on a kept-alive socket only ends at the server's 5 s keep-alive timeout.
    expect(performance.now() - t0).toBeLessThan(3000);
    // Either the whole file arrived (read before the cut) or the client learnt the body is incomplete.
    if (outcome.received !== 4 << 20) expect(outcome.aborted).toBe(true);
    expect(await ping()).toBe(200);
  });
});

describe('devserver token placement', () => {
  it('refuses ?token= on /api calls but takes it on /files and /events', async () => {
    expect(await ping({}, `?token=${srv.token}`)).toBe(401);
    expect(await ping()).toBe(200);
    expect((await get(`/files/raw${bigFile}?token=${srv.token}`)).status).toBe(200);
    expect((await get(`/files/raw${bigFile}`, { authorization: `Bearer ${srv.token}` })).status).toBe(200);
    const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/events?token=${srv.token}`);
    expect(
      await new Promise((r) => {
        ws.on('open', () => r('open'));
        ws.on('error', () => r('error'));
      }),
    ).toBe('open');
    ws.close();
  });
});
