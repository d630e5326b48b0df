// Security policy of the desktop shell, kept free of the Electron runtime so it can be unit-tested
// without the Electron binary. main.ts applies it; test/unit/electron/security.test.ts asserts it.

/**
 * Content-Security-Policy for the renderer. No 'unsafe-eval' and no inline scripts; inline styles are
 * allowed because Vue binds `style` attributes. Images may be data:/blob: (thumbnails, slices).
 * In the packaged app the renderer is loaded from file:// and talks to main only through IPC, so
 * connect-src is 'self' (devserver builds add the loopback origin at serve time).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
].join('; ');

/** Response headers added to every renderer response through session.webRequest.onHeadersReceived. */
export function securityHeaders(existing: Record<string, string[] | undefined> = {}): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(existing)) {
    // Drop any CSP a response brought along: ours is the only one.
    if (v && k.toLowerCase() !== 'content-security-policy') out[k] = v;
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  out['X-Content-Type-Options'] = ['nosniff'];
  out['Cross-Origin-Opener-Policy'] = ['same-origin'];
  return out;
}

/** The only URL the main window may show: the packaged renderer's index.html (or the dev server in development). */
export function isAllowedNavigation(target: string, allowedUrl: string): boolean {
  let t: URL;
  let a: URL;
  try {
    t = new URL(target);
    a = new URL(allowedUrl);
  } catch {
    return false;
  }
  if (t.protocol !== a.protocol) return false;
  if (t.protocol === 'file:') return t.pathname === a.pathname;
  return t.origin === a.origin && (a.hostname === 'localhost' || a.hostname === '127.0.0.1');
}

/** Links the user may open outside the app, in the system browser (documentation, the paper). */
export function isSafeExternalUrl(target: string): boolean {
  try {
    const u = new URL(target);
    return u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Permission requests (camera, geolocation, notifications...) are all refused: the app needs none. */
export function allowPermission(_permission: string): boolean {
  return false;
}
