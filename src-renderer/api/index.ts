// Chooses the transport: the preload bridge inside Electron, the devserver (token from the URL) in a
// browser. Stores get the client through useClient(); tests inject a fake with setClient().
import type { ContractClient } from '../../src-main/contract';
import type { CycleDeconBridge } from '../../src-main/preload/bridge';
import { createHttpClient } from './http-client';
import { createIpcClient } from './ipc-client';

declare global {
  interface Window {
    cycledecon?: CycleDeconBridge;
  }
}

let client: ContractClient | null = null;
/** Dispatched on window when the devserver refuses the tab's token (TokenPrompt asks for the new one). */
export const UNAUTHORIZED_EVENT = 'cycledecon:unauthorized';

export function setClient(c: ContractClient | null): void {
  client = c;
}

export function useClient(): ContractClient {
  if (!client) throw new Error('No CycleDecon client: call setClient() (tests) or connectClient() (app start) first.');
  return client;
}

/**
 * The devserver token: from `#token=…` (what `cycledecon serve` prints), `?token=…`, or `#/route?token=…`
 * on first load, then remembered for this tab so reloads and route changes keep working.
 */
export function tokenFromLocation(
  loc: Pick<Location, 'search' | 'hash'>,
  storage: Pick<Storage, 'getItem' | 'setItem'> | null,
): string | null {
  const hash = loc.hash.replace(/^#/, '');
  const fromUrl =
    new URLSearchParams(loc.search).get('token') ??
    new URLSearchParams(hash.startsWith('/') ? (hash.split('?')[1] ?? '') : hash).get('token');
  if (fromUrl) {
    storage?.setItem('cycledecon.token', fromUrl);
    return fromUrl;
  }
  return storage?.getItem('cycledecon.token') ?? null;
}

export function connectClient(): ContractClient {
  if (window.cycledecon) {
    client = createIpcClient(window.cycledecon);
  } else {
    const token = tokenFromLocation(window.location, window.sessionStorage);
    // Take the token out of the address bar (and out of the router's way).
    if (/token=/.test(window.location.hash) || /token=/.test(window.location.search)) {
      window.history.replaceState(null, '', `${window.location.pathname}#/`);
    }
    client = createHttpClient({
      baseUrl: window.location.origin,
      token: token ?? '',
      onUnauthorized: () => window.dispatchEvent(new Event(UNAUTHORIZED_EVENT)),
    });
  }
  return client;
}

export const isDesktop = (): boolean => typeof window !== 'undefined' && !!window.cycledecon;
