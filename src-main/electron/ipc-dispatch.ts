// The IPC transport's request path, free of Electron so it is unit-tested: check the method name
// against the contract table, validate the request with its schema, call the handler, validate the
// reply, and turn any failure into { ok: false, error } with a code and a hint.
import {
  api,
  isMethodName,
  parseRequest,
  parseResponse,
  ContractValidationError,
  type BinaryPayload,
  type ErrorPayload,
  type MethodName,
  type ParsedRequestOf,
} from '../contract';

export type IpcHandler<M extends MethodName> = (req: ParsedRequestOf<M>) => Promise<unknown>;
export type IpcHandlerTable = { [M in MethodName]: IpcHandler<M> };

export type DispatchReply = { ok: true; result: unknown } | { ok: false; error: ErrorPayload };

export function toErrorPayload(e: unknown): ErrorPayload {
  if (e instanceof ContractValidationError) {
    return {
      code: e.code,
      message: e.message,
      hint: 'A value sent by the window was not accepted; this is a bug if it keeps happening.',
    };
  }
  const err = e as { code?: unknown; message?: unknown; hint?: unknown } | null;
  if (err && typeof err.code === 'string' && typeof err.message === 'string') {
    return { code: err.code, message: err.message, ...(typeof err.hint === 'string' ? { hint: err.hint } : {}) };
  }
  return {
    code: 'INTERNAL',
    message: e instanceof Error ? e.message : String(e),
    hint: 'Unexpected error in the app; see the log and report it.',
  };
}

export async function dispatch(handlers: IpcHandlerTable, method: unknown, raw: unknown): Promise<DispatchReply> {
  try {
    if (typeof method !== 'string' || !isMethodName(method)) {
      return {
        ok: false,
        error: { code: 'UNKNOWN_METHOD', message: `"${String(method)}" is not a method of the contract.` },
      };
    }
    const req = parseRequest(method, raw);
    const handler = handlers[method] as IpcHandler<typeof method>;
    const out = await handler(req);
    if (api[method].binary) {
      const { meta, data } = out as BinaryPayload;
      // Copy exactly the view's bytes: the IPC structured clone transfers an ArrayBuffer, not a view.
      const bytes = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      return { ok: true, result: { meta: parseResponse(method, meta), data: bytes } };
    }
    return { ok: true, result: parseResponse(method, out) };
  } catch (e) {
    return { ok: false, error: toErrorPayload(e) };
  }
}
