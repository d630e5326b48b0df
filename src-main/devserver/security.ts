// Request gatekeeping for the devserver: token (constant-time), Origin/Host, URL path confinement.
import { timingSafeEqual, randomBytes, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison (hashing first makes lengths equal, so the length is not leaked either). */
export function tokenMatches(given: string | undefined | null, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The token a request carries. `?token=` is honoured only where a browser cannot set a header (the /events
 * WebSocket, /files downloads from a link): a token in an /api URL would end up in logs and history.
 */
export function requestToken(req: IncomingMessage, url: URL, opts: { query: boolean }): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  return opts.query ? url.searchParams.get('token') : null;
}

/** Origins and Host names we answer: only our own loopback address (blocks CSRF and DNS rebinding). */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set([`${host}:${port}`]);
  if (host === '127.0.0.1' || host === 'localhost' || host === '::1') {
    names.add(`127.0.0.1:${port}`);
    names.add(`localhost:${port}`);
    names.add(`[::1]:${port}`);
  }
  return names;
}

export function originOk(req: IncomingMessage, hosts: Set<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // curl and same-origin GETs send none
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'ws:') && hosts.has(u.host);
  } catch {
    return false;
  }
}

export function hostOk(req: IncomingMessage, hosts: Set<string>): boolean {
  return typeof req.headers.host === 'string' && hosts.has(req.headers.host);
}

/**
 * Decodes a path from a URL once, refusing anything that could climb out after further decoding or
 * normalisation: `..` segments, encoded dots/slashes that survive one decode, backslashes, NUL.
 */
export function decodeUrlPath(raw: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (/%(2e|2f|5c|00|25)/i.test(decoded)) return null; // double-encoded
  if (decoded.split('/').some((seg) => seg === '..' || seg === '.')) return null;
  return decoded;
}

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');
