// ContractClient over the devserver: HTTP POST for methods, one WebSocket for events.
// Runs in the browser (and in Node ≥ 22 / tests, with fetch and a WebSocket constructor passed in).
import {
  api,
  type EventName,
  type EventOf,
  type MethodName,
  type RequestOf,
  type ResponseOf,
  type BinaryPayload,
} from './api';
import { BINARY_META_HEADER, ContractError, type ContractClient, type EventEnvelope } from './client';

interface MinimalSocket {
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  close(): void;
}
type SocketCtor = new (url: string) => MinimalSocket;
type FetchFn = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

export interface HttpClientOptions {
  /** e.g. 'http://127.0.0.1:5173' (no trailing slash). */
  baseUrl: string;
  token: string;
  fetch?: FetchFn;
  WebSocket?: SocketCtor;
  /** Delay before reopening a closed event socket (ms; doubled per failure up to 30 s). Default 1000. */
  reconnectMs?: number;
  /** Told each time the event socket closes (a restart, a refused token): a browser cannot tell which, a call can. */
  onSocketClose?: () => void;
}

export function createHttpClient(options: HttpClientOptions): ContractClient & { close(): void } {
  const g = globalThis as { fetch?: FetchFn; WebSocket?: SocketCtor };
  const doFetch = options.fetch ?? g.fetch;
  const Socket = options.WebSocket ?? g.WebSocket;
  if (!doFetch) throw new Error('createHttpClient: no fetch available');
  const handlers = new Map<EventName, Set<(p: unknown) => void>>();
  let socket: MinimalSocket | undefined;
  let closed = false;
  let delay = options.reconnectMs ?? 1000;
  let retry: ReturnType<typeof setTimeout> | undefined;

  // A server restart (or a sleeping laptop) closes the socket: reopen it while anyone listens, so live
  // progress comes back without a reload. A new server with a new token refuses it; calls then say how (401).
  function reopenLater(): void {
    if (closed || retry || ![...handlers.values()].some((s) => s.size > 0)) return;
    retry = setTimeout(() => {
      retry = undefined;
      ensureSocket();
    }, delay);
    delay = Math.min(delay * 2, 30_000);
  }

  function ensureSocket(): void {
    if (socket || !Socket || closed) return;
    const wsUrl = options.baseUrl.replace(/^http/, 'ws') + `/events?token=${encodeURIComponent(options.token)}`;
    socket = new Socket(wsUrl);
    socket.onmessage = (ev) => {
      delay = options.reconnectMs ?? 1000;
      const env = JSON.parse(String(ev.data)) as EventEnvelope;
      handlers.get(env.event)?.forEach((h) => h(env.payload));
    };
    socket.onclose = () => {
      socket = undefined;
      if (!closed) options.onSocketClose?.();
      reopenLater();
    };
  }

  return {
    async invoke<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
      const res = await doFetch(`${options.baseUrl}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
        body: JSON.stringify(request ?? {}),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as {
          error?: { code: string; message: string; hint?: string };
        };
        throw new ContractError(body.error ?? { code: `HTTP_${res.status}`, message: `HTTP ${res.status}` });
      }
      if (api[method].binary) {
        const meta = JSON.parse(res.headers.get(BINARY_META_HEADER) ?? 'null');
        const payload: BinaryPayload = { meta, data: new Float32Array(await res.arrayBuffer()) };
        return payload as ResponseOf<M>;
      }
      const body = (await res.json()) as { result: ResponseOf<M> };
      return body.result;
    },
    subscribe<E extends EventName>(event: E, handler: (payload: EventOf<E>) => void): () => void {
      ensureSocket();
      const set = handlers.get(event) ?? new Set();
      handlers.set(event, set);
      const h = handler as (p: unknown) => void;
      set.add(h);
      return () => set.delete(h);
    },
    close() {
      closed = true;
      if (retry) clearTimeout(retry);
      socket?.close();
    },
  };
}
