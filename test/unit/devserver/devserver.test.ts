import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import { AccessPolicy } from '../../../src-main/services/access';
import { AppService } from '../../../src-main/services/app';
import { startDevServer, type DevServer } from '../../../src-main/devserver/server';
import { readVolume } from '../../../src-main/core/io';
import { sampleData, tempDir } from '../../helpers';

// Sample data: test/fixtures/shared-data/flowdec_bars25 (hammerlab/flowdec, Apache-2.0; see its README.md and LICENSE).
const bars = sampleData('flowdec_bars25');
process.env.CYCLEDECON_HOME = tempDir(); // keep the recent-projects list out of the user's config
let srv: DevServer;
let service: AppService;
const projectDir = join(tempDir(), 'proj');
const outside = tempDir();
writeFileSync(join(outside, 'secret.txt'), 'secret');

/** Raw request (so the path is sent exactly as written, encodings included). */
function raw(
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  const u = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: u.hostname, port: u.port, path, method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), headers: res.headers }));
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
const auth = () => ({ authorization: `Bearer ${srv.token}`, 'content-type': 'application/json' });
async function call(method: string, body: unknown, headers: Record<string, string> = auth()) {
  const r = await raw(`/api/${method}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const json = String(r.headers['content-type']).startsWith('application/json') ? JSON.parse(r.body.toString()) : null;
  return { status: r.status, json, headers: r.headers, body: r.body };
}

beforeAll(async () => {
  const access = new AccessPolicy();
  await access.allow(bars);
  service = new AppService({ access });
  srv = await startDevServer({ service, access, maxBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await srv.close();
  await service.close();
});

describe('devserver security', () => {
  it('rejects a missing or wrong token with 401', async () => {
    expect((await call('project.recent', {}, { 'content-type': 'application/json' })).status).toBe(401);
    expect(
      (await call('project.recent', {}, { authorization: 'Bearer nope', 'content-type': 'application/json' })).status,
    ).toBe(401);
    expect(
      (await call('project.recent', {}, { authorization: `Bearer ${srv.token}x`, 'content-type': 'application/json' }))
        .status,
    ).toBe(401);
    expect((await raw(`/files/raw${bars}/data.tif?token=wrong`)).status).toBe(401);
  });

  it('rejects a foreign Origin and a foreign Host (DNS rebinding) with 403', async () => {
    expect((await call('project.recent', {}, { ...auth(), origin: 'http://evil.example' })).status).toBe(403);
    expect((await call('project.recent', {}, { ...auth(), host: 'evil.example' })).status).toBe(403);
    expect((await call('project.recent', {}, { ...auth(), origin: srv.url })).status).toBe(200);
  });

  it('refuses event sockets without the token or from a foreign origin', async () => {
    const ws = (url: string, origin?: string) =>
      new Promise<string>((r) => {
        const s = new WebSocket(url, origin ? { origin } : {});
        s.on('open', () => {
          s.close();
          r('open');
        });
        s.on('unexpected-response', (_q, res) => r(String(res.statusCode)));
        s.on('error', () => r('error'));
      });
    const base = srv.url.replace('http', 'ws') + '/events';
    expect(await ws(base)).toBe('401');
    expect(await ws(`${base}?token=${srv.token}`, 'http://evil.example')).toBe('403');
    expect(await ws(`${base}?token=${srv.token}`)).toBe('open');
  });

  it('answers malformed bodies with 400 and a message, oversized ones with 413', async () => {
    const bad = await call('project.create', { dir: 12 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/project\.create: invalid request — dir/);
    const notJson = await raw('/api/project.create', { method: 'POST', headers: auth(), body: '{"dir":' });
    expect(notJson.status).toBe(400);
    expect(
      (
        await raw('/api/project.create', {
          method: 'POST',
          headers: { authorization: `Bearer ${srv.token}`, 'content-type': 'text/plain' },
          body: '{}',
        })
      ).status,
    ).toBe(415);
    expect((await call('project.setNotes', { notes: 'x'.repeat(100_000) })).status).toBe(413);
    expect((await call('no.such.method', {})).status).toBe(404);
  });

  it('confines paths to the project and allowed folders (403 for each traversal variant)', async () => {
    expect((await call('project.create', { dir: projectDir })).status).toBe(403); // not yet allowed
    await (service as unknown as { opts: { access: AccessPolicy } }).opts.access.allow(projectDir);
    expect((await call('project.create', { dir: projectDir })).status).toBe(200);
    mkdirSync(join(projectDir, 'data'), { recursive: true });
    symlinkSync(outside, join(projectDir, 'data', 'escape'));
    const t = `?token=${srv.token}`;
    const variants = [
      `/files/raw${projectDir}/../../${outside.slice(1)}/secret.txt${t}`,
      `/files/raw${projectDir}/%2e%2e/%2e%2e${outside}/secret.txt${t}`,
      `/files/raw${projectDir}/%252e%252e/secret.txt${t}`,
      `/files/raw${projectDir}/..%2f..%2fsecret.txt${t}`,
      `/files/raw${projectDir}/..%5c..%5csecret.txt${t}`,
      `/files/raw${outside}/secret.txt${t}`,
      `/files/raw/${encodeURIComponent(outside + '/secret.txt')}${t}`,
      `/files/raw${projectDir}/data/escape/secret.txt${t}`,
      `/files/raw/etc/passwd${t}`,
    ];
    for (const v of variants) {
      const r = await raw(v);
      expect([v, r.status]).toEqual([v, 403]);
      expect(r.body.toString()).not.toContain('secret"');
    }
    for (const paths of [
      [`${projectDir}/../..${outside}/secret.txt`],
      [outside],
      [join(projectDir, 'data', 'escape')],
      ['relative/x.tif'],
    ]) {
      const r = await call('dataset.import', { paths });
      expect([paths[0], r.status]).toEqual([paths[0], 403]);
    }
    expect((await raw(`/files/raw${projectDir}/project.json${t}`)).status).toBe(200);
  });
});

describe('devserver happy path', () => {
  it('imports a shared TIFF, queues an RL job, streams events and serves the result', async () => {
    if (!service.projectDir()) {
      await (service as unknown as { opts: { access: AccessPolicy } }).opts.access.allow(projectDir);
      await call('project.create', { dir: projectDir });
    }
    const events: string[] = [];
    const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/events?token=${srv.token}`);
    const etas: (number | undefined)[] = [];
    ws.on('message', (m) => {
      const e = JSON.parse(String(m)) as { event: string; payload: { etaSeconds?: number } };
      events.push(e.event);
      if (e.event === 'job.progress') etas.push(e.payload.etaSeconds);
    });
    await new Promise((r) => ws.on('open', r));
    const imp = await call('dataset.import', { paths: [join(bars, 'data.tif'), join(bars, 'kernel.tif')] });
    expect(imp.status).toBe(200);
    const [data, kernel] = imp.json.result.imported;
    expect(data.shape).toEqual([32, 64, 64]);
    const slice = await call('dataset.slice', { id: data.id, axis: 'z', index: 16 });
    expect(slice.headers['content-type']).toBe('application/octet-stream');
    const meta = JSON.parse(String(slice.headers['x-cycledecon-meta']));
    expect(meta.shape).toEqual([64, 64]);
    const plane = new Float32Array(
      slice.body.buffer.slice(slice.body.byteOffset, slice.body.byteOffset + slice.body.byteLength),
    );
    const vol = await readVolume(join(bars, 'data.tif'));
    expect(Array.from(plane)).toEqual(Array.from(vol.data.subarray(16 * 4096, 17 * 4096)));
    const sub = await call('jobs.submit', {
      spec: {
        kind: 'deconvolve',
        method: 'rl',
        datasetId: data.id,
        psf: { from: 'dataset', id: kernel.id },
        iterations: 3,
      },
    });
    expect(sub.status).toBe(200);
    const jobId = sub.json.result.id;
    let job = sub.json.result;
    for (let i = 0; i < 600 && !['done', 'failed', 'cancelled'].includes(job.state); i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await call('jobs.get', { id: jobId })).json.result;
    }
    expect(job.error).toBeNull();
    expect(job.state).toBe('done');
    const resultId = job.outputs[0];
    const results = (await call('results.list', {})).json.result.results;
    expect(results.map((r: { id: string }) => r.id)).toContain(resultId);
    const file = await raw(`/files/result/${resultId}?token=${srv.token}`);
    expect(file.status).toBe(200);
    expect(file.body.subarray(0, 2).toString()).toMatch(/II|MM/);
    const level = await call('dataset.volume', { id: resultId, maxVoxels: 16 * 32 * 32 });
    expect(JSON.parse(String(level.headers['x-cycledecon-meta'])).shape).toEqual([16, 32, 32]);
    expect((await call('jobs.log', { id: jobId })).json.result.lines.join('\n')).toMatch(
      /Richardson–Lucy: 3 iterations/,
    );
    const paused = await call('jobs.pause', { id: jobId });
    expect(paused.json.error.message).toMatch(/is done; only queued, waiting or running jobs can be paused/);
    ws.close();
    expect(events).toContain('job.state');
    expect(events).toContain('job.progress');
    // One progress event per RL iteration; from the second on it carries the queue's ETA, 0 at the end.
    expect(etas).toHaveLength(3);
    expect(etas.slice(1).every((e) => e !== undefined && Number.isFinite(e) && e >= 0)).toBe(true);
    expect(etas.at(-1)).toBe(0);
  });
});
