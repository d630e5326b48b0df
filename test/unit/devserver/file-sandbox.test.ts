import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { AccessPolicy } from '../../../src-main/services/access';
import { AppService } from '../../../src-main/services/app';
import { startDevServer, type DevServer } from '../../../src-main/devserver/server';
import { CSP } from '../../../src-main/devserver/security';
import { tempDir } from '../../helpers';

// A user's data folder holding content the app did not write: a page with a script, a script, an SVG.
process.env.CYCLEDECON_HOME = tempDir();
const data = tempDir();
writeFileSync(join(data, 'page.html'), '<!DOCTYPE html><script>fetch("/api/project.get")</script><p>hi</p>');
writeFileSync(join(data, 'steal.js'), 'fetch("/api/project.get")');
writeFileSync(join(data, 'figure.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
writeFileSync(join(data, 'café "plot".html'), '<p>x</p>');
let srv: DevServer;
let service: AppService;

function get(
  path: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(srv.url);
  return new Promise((resolve, reject) => {
    httpRequest({ host: u.hostname, port: u.port, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}
const url = (name: string, extra = '') => `/files/raw${data}/${encodeURIComponent(name)}?token=${srv.token}${extra}`;

/** The CSP directives of a header as a map: name → sources. */
function directives(h: unknown): Map<string, string[]> {
  return new Map(
    String(h)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k!, v]),
  );
}

beforeAll(async () => {
  const access = new AccessPolicy();
  await access.allow(data);
  service = new AppService({ access });
  srv = await startDevServer({ service, access });
});
afterAll(async () => {
  await srv.close();
  await service.close();
});

describe('files served from the app origin are sandboxed', () => {
  it('an HTML file gets a sandbox CSP without scripts, same-origin or outside fetches', async () => {
    const r = await get(url('page.html'));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    const d = directives(r.headers['content-security-policy']);
    // `sandbox` with no tokens: no allow-scripts, no allow-same-origin (an opaque origin: no token, no API).
    expect(d.get('sandbox')).toEqual([]);
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(d.get('img-src')).toEqual(['data:']);
    expect([...d.values()].flat().some((s) => s === "'self'" || s.includes('allow-'))).toBe(false);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.body).toContain('<script>'); // served as written, made inert by the header
  });

  it('a script file is bytes, never text/javascript', async () => {
    const r = await get(url('steal.js'));
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(directives(r.headers['content-security-policy']).has('sandbox')).toBe(true);
  });

  it('an SVG keeps its type but is sandboxed like a page', async () => {
    const r = await get(url('figure.svg'));
    expect(r.headers['content-type']).toBe('image/svg+xml');
    expect(directives(r.headers['content-security-policy']).get('sandbox')).toEqual([]);
  });

  it('?download=1 asks the browser to save, with a header-safe name and the real one in UTF-8', async () => {
    const r = await get(url('café "plot".html', '&download=1'));
    expect(r.status).toBe(200);
    expect(r.headers['content-disposition']).toBe(
      `attachment; filename="caf_ _plot_.html"; filename*=UTF-8''${encodeURIComponent('café "plot".html')}`,
    );
    expect((await get(url('page.html'))).headers['content-disposition']).toBeUndefined();
  });

  it('the app itself keeps its own CSP (scripts from self), and refusals stay refusals', async () => {
    const app = await get('/api/project.get');
    expect(app.headers['content-security-policy']).toBe(CSP);
    expect((await get(`/files/raw/etc/passwd?token=${srv.token}`)).status).toBe(403);
  });
});
