// The one client interface both transports implement (Electron preload bridge, devserver HTTP+WS).
import type { EventName, EventOf, MethodName, RequestOf, ResponseOf } from './api';

export interface ContractClient {
  /** Calls a method. Rejects with ContractError (code + message + hint) on failure. */
  invoke<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
  /** Listens to an event; returns the unsubscribe function. */
  subscribe<E extends EventName>(event: E, handler: (payload: EventOf<E>) => void): () => void;
}

/** How a failure crosses a transport: HTTP body `{ error: ErrorPayload }`, IPC `{ ok: false, error }`. */
export interface ErrorPayload {
  code: string;
  message: string;
  hint?: string;
}

export class ContractError extends Error {
  readonly code: string;
  readonly hint?: string;
  constructor(payload: ErrorPayload) {
    super(payload.message);
    this.name = 'ContractError';
    this.code = payload.code;
    this.hint = payload.hint;
  }
}

/**
 * HTTP transport conventions (devserver):
 * - `POST /api/<method>` with a JSON body, header `Authorization: Bearer <token>`.
 *   JSON reply `200 { result }`; errors `4xx/5xx { error: ErrorPayload }` (400 invalid request, 401 token, 403 path/origin, 404, 413 body too large).
 * - Binary methods reply `200 application/octet-stream`, little-endian float32 samples, with header
 *   `X-Cycledecon-Meta: <BinaryMeta JSON>` (shape, voxel size, factor, min, max).
 * - Events: WebSocket `GET /events?token=<token>`; each message is `{ event, payload }` (EventEnvelope).
 * - `GET /files/result/<id>?token=…` streams a result file (TIFF) for download.
 * Electron IPC: `ipcRenderer.invoke('cycledecon:invoke', method, request)` → `{ ok: true, result }` or `{ ok: false, error }`;
 * binary results come back as `{ meta, data: ArrayBuffer }`; events arrive on channel `cycledecon:event` as EventEnvelope.
 */
export interface EventEnvelope {
  event: EventName;
  payload: unknown;
}
export const BINARY_META_HEADER = 'x-cycledecon-meta';
export const IPC_INVOKE_CHANNEL = 'cycledecon:invoke';
export const IPC_EVENT_CHANNEL = 'cycledecon:event';
