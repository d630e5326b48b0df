// The desktop shell's security settings, asserted without the Electron binary.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers';
import {
  allowPermission,
  CONTENT_SECURITY_POLICY,
  isAllowedNavigation,
  isSafeExternalUrl,
  securityHeaders,
} from '../../../src-main/electron/security';
import { mainWindowOptions } from '../../../src-main/electron/window-options';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((p) => p[0])
      .map(([k, ...v]): [string, string[]] => [k!, v]), // the filter above keeps entries with a name
  );
}

describe('main window options', () => {
  const o = mainWindowOptions({ preloadPath: '/app/out/preload/index.cjs' });
  const wp = o.webPreferences ?? {};

  it('isolates the page from Node and Electron', () => {
    expect(wp.contextIsolation).toBe(true);
    expect(wp.sandbox).toBe(true);
    expect(wp.nodeIntegration).toBe(false);
    expect(wp.nodeIntegrationInWorker).toBe(false);
    expect(wp.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and exotic features off', () => {
    expect(wp.webSecurity).toBe(true);
    expect(wp.allowRunningInsecureContent).toBe(false);
    expect(wp.experimentalFeatures).toBe(false);
    expect(wp.webviewTag).toBe(false);
    expect(wp.navigateOnDragDrop).toBe(false);
  });

  it('loads the given preload and nothing else', () => {
    expect(wp.preload).toBe('/app/out/preload/index.cjs');
    expect(Object.keys(wp)).not.toContain('additionalArguments');
  });

  it('does not let a caller weaken security through bounds', () => {
    const o2 = mainWindowOptions({ preloadPath: '/p.cjs', bounds: { width: 800, height: 600, x: 10, y: 20 } });
    expect(o2.webPreferences?.sandbox).toBe(true);
    expect([o2.width, o2.height, o2.x, o2.y]).toEqual([800, 600, 10, 20]);
  });
});

describe('content security policy', () => {
  const d = directives(CONTENT_SECURITY_POLICY);

  it('allows scripts only from the app itself, never eval or inline', () => {
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(d.get('script-src')).not.toContain("'unsafe-inline'");
    expect(d.get('default-src')).toEqual(["'self'"]);
  });

  it('blocks plugins, framing, base rewriting and form posts', () => {
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
  });

  it('is set as a response header and replaces any CSP a response brought', () => {
    const h = securityHeaders({ 'content-security-policy': ['script-src *'], 'Content-Type': ['text/html'] });
    expect(h['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(h['content-security-policy']).toBeUndefined();
    expect(h['Content-Type']).toEqual(['text/html']);
    expect(h['X-Content-Type-Options']).toEqual(['nosniff']);
  });

  it('is also in index.html, without unsafe-eval', () => {
    const html = readFileSync(`${repoRoot}/src-renderer/index.html`, 'utf8');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(meta).not.toBe('');
    expect(meta).not.toContain('unsafe-eval');
    expect(directives(meta).get('script-src')).toEqual(["'self'"]);
  });
});

describe('navigation and new windows', () => {
  const app = 'file:///opt/CycleDecon/resources/app.asar/out/renderer/index.html';
  it('allows only the app page itself (any hash route)', () => {
    expect(isAllowedNavigation(`${app}#/datasets`, app)).toBe(true);
    expect(isAllowedNavigation('file:///etc/passwd', app)).toBe(false);
    expect(isAllowedNavigation('https://example.org/', app)).toBe(false);
    expect(isAllowedNavigation('javascript:alert(1)', app)).toBe(false);
    expect(isAllowedNavigation('not a url', app)).toBe(false);
  });
  it('allows the local dev server origin only when that is the app URL', () => {
    expect(isAllowedNavigation('http://localhost:5173/#/psf', 'http://localhost:5173/')).toBe(true);
    expect(isAllowedNavigation('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isAllowedNavigation('http://evil.example/', 'http://evil.example/')).toBe(false);
  });
  it('opens only https links externally and refuses every permission', () => {
    expect(isSafeExternalUrl('https://doi.org/10.1109/x')).toBe(true);
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isSafeExternalUrl('smb://share/x')).toBe(false);
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read'])
      expect(allowPermission(p)).toBe(false);
  });
});
