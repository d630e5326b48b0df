// `cycledecon serve`: the contract over loopback HTTP (POST /api/<method>) and a WebSocket for events,
// plus the built renderer. Every API call needs the token; origin, size and paths are checked.
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { promises as fs } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  isMethodName,
  parseRequest,
  parseResponse,
  ContractValidationError,
  api,
  BINARY_META_HEADER,
  type BinaryPayload,
  type EventEnvelope,
} from '../contract/index';
import { isCycleDeconError } from '../core/errors';
import type { AppService } from '../services/app';
import type { AccessPolicy } from '../services/access';
import { HttpError } from './http-error';
import { sendFile } from './send-file';
import { fileHeaders } from './file-headers';
import { allowedHosts, CSP, decodeUrlPath, hostOk, newToken, originOk, requestToken, tokenMatches } from './security';

export interface DevServerOptions {
  service: AppService;
  access: AccessPolicy;
  host?: string;
  port?: number;
  token?: string;
  maxBodyBytes?: number;
  /** Built renderer folder (index.html …); not served when absent. */
  rendererDir?: string;
}

export interface DevServer {
  url: string;
  token: string;
  server: Server;
  close(): Promise<void>;
}

const STATUS: Record<string, number> = {
  INVALID_REQUEST: 400,
  INVALID_PARAMETER: 400,
  INVALID_VOLUME: 400,
  TIFF_FORMAT: 422,
  UNSUPPORTED_FORMAT: 422,
  ACCESS_DENIED: 403,
  FILE_NOT_FOUND: 404,
  FILE_EXISTS: 409,
  PROJECT: 409,
  QUEUE: 409,
  BACKEND: 501,
  CANCELLED: 409,
};
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(res: ServerResponse, e: unknown): void {
  if (e instanceof HttpError) return send(res, e.status, { error: { code: e.code, message: e.message } });
  if (e instanceof ContractValidationError) return send(res, 400, { error: { code: e.code, message: e.message } });
  if (isCycleDeconError(e)) return send(res, STATUS[e.code] ?? 500, { error: e.toJSON() });
  send(res, 500, { error: { code: 'INTERNAL', message: (e as Error)?.message ?? String(e) } });
}

async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit)
    throw new HttpError(413, 'TOO_LARGE', `request body of ${declared} bytes exceeds the ${limit}-byte limit`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'TOO_LARGE', `request body exceeds the ${limit}-byte limit`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new HttpError(400, 'INVALID_REQUEST', `body is not valid JSON (${(e as Error).message})`);
  }
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const limit = opts.maxBodyBytes ?? 1024 * 1024;
  let hosts = new Set<string>();
  const { service, access } = opts;

  async function api_(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') throw new HttpError(405, 'METHOD', 'use POST for /api/ calls');
    if (!isMethodName(method)) throw new HttpError(404, 'NO_METHOD', `unknown method ${method}`);
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    // JSON only: a cross-site form post (text/plain, urlencoded) cannot reach a handler.
    if (hasBody && !(req.headers['content-type'] ?? '').startsWith('application/json'))
      throw new HttpError(415, 'CONTENT_TYPE', 'send the request body as application/json');
    const request = parseRequest(method, await readBody(req, limit));
    const handler = service.handlers[method] as (r: unknown) => Promise<unknown>;
    const out = await handler(request);
    if (api[method].binary) {
      const { meta, data } = out as BinaryPayload;
      const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': bytes.length,
        [BINARY_META_HEADER]: JSON.stringify(meta),
        'access-control-expose-headers': BINARY_META_HEADER,
      });
      res.end(bytes);
      return;
    }
    send(res, 200, { result: parseResponse(method, out) });
  }

  /** A result or user file: sandboxed, never run as script (file-headers.ts); `?download=1` saves it. */
  async function file(res: ServerResponse, path: string, download: boolean): Promise<void> {
    const real = await access.check(path);
    await sendFile(res, real, fileHeaders(real, download), path);
  }

  async function staticFile(res: ServerResponse, urlPath: string): Promise<void> {
    const root = opts.rendererDir ? resolve(opts.rendererDir) : undefined;
    const rel = decodeUrlPath(urlPath);
    if (rel === null) throw new HttpError(403, 'ACCESS_DENIED', 'bad path');
    if (!root)
      throw new HttpError(
        404,
        'NO_RENDERER',
        'no built renderer (run `npm run build:app`); the API is at /api/<method>',
      );
    const target = join(root, rel === '/' ? 'index.html' : rel);
    if (!target.startsWith(root)) throw new HttpError(403, 'ACCESS_DENIED', 'bad path');
    const real = await fs.realpath(target).catch(() => null);
    const rootReal = await fs.realpath(root).catch(() => root);
    if (!real || !real.startsWith(rootReal)) throw new HttpError(404, 'NOT_FOUND', `${rel} not found`);
    await sendFile(res, real, MIME[extname(real)] ?? 'application/octet-stream', rel);
  }

  const server = createServer((req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('content-security-policy', CSP);
    void (async () => {
      try {
        if (!hostOk(req, hosts)) throw new HttpError(403, 'BAD_HOST', 'unexpected Host header');
        if (!originOk(req, hosts))
          throw new HttpError(403, 'BAD_ORIGIN', `origin ${req.headers.origin} is not allowed`);
        const rawPath = (req.url ?? '/').split('?')[0]!;
        const url = new URL(req.url ?? '/', 'http://x');
        const isApi = rawPath.startsWith('/api/') || rawPath.startsWith('/files/');
        if (!isApi) return await staticFile(res, rawPath);
        const isCall = rawPath.startsWith('/api/');
        if (!tokenMatches(requestToken(req, url, { query: !isCall }), token)) {
          throw new HttpError(
            401,
            'UNAUTHORIZED',
            isCall ? 'missing or wrong token (send it as Authorization: Bearer <token>)' : 'missing or wrong token',
          );
        }
        if (isCall) return await api_(req, res, rawPath.slice(5));
        const download = url.searchParams.get('download') === '1';
        if (rawPath.startsWith('/files/result/'))
          return await file(res, service.resultFile(rawPath.slice(14)), download);
        if (rawPath.startsWith('/files/raw/')) {
          const p = decodeUrlPath(rawPath.slice(10));
          if (p === null) throw new HttpError(403, 'ACCESS_DENIED', 'path refused (.., encoded separators or NUL)');
          return await file(res, p, download);
        }
        throw new HttpError(404, 'NOT_FOUND', `${rawPath} not found`);
      } catch (e) {
        if (!res.headersSent) sendError(res, e);
        else res.destroy();
      }
    })();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  // ws reports a client's protocol violation (unmasked frame, reserved opcode, frame over maxPayload) as an
  // 'error' on that socket; unheard, it would end the process. The client is dropped, the server serves on.
  wss.on('error', () => undefined);
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy()); // a reset during the handshake
    const url = new URL(req.url ?? '/', 'http://x');
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/events') return reject(404, 'Not Found');
    if (!hostOk(req, hosts) || !originOk(req, hosts)) return reject(403, 'Forbidden');
    if (!tokenMatches(requestToken(req, url, { query: true }), token)) return reject(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => ws.terminate());
      ws.on('message', () => undefined); // events flow one way
    });
  });
  const off = service.onEvent((event, payload) => {
    const text = JSON.stringify({ event, payload } satisfies EventEnvelope);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((r, j) => {
    server.once('error', j);
    server.listen(opts.port ?? 0, host, () => r());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(host, port);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    token,
    server,
    async close() {
      off();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
