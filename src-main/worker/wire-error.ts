// An error as it crosses a thread or process boundary (job, task and training workers): plain data out, an
// Error back on the other side. A CycleDecon error keeps its code and hint, so the main side shows the same
// message and hint the worker raised; any other error arrives as a plain Error with its name and message.
import { CycleDeconError, isCycleDeconError, type ErrorCode } from '../core/errors';

export interface WireError {
  name: string;
  /** Set for CycleDecon errors only. */
  code?: string;
  message: string;
  hint?: string;
}

/** `detail: 'stack'` sends an unexpected error's stack as its message (the CLI prints it as an internal error). */
export function toWireError(e: unknown, detail: 'message' | 'stack' = 'message'): WireError {
  if (isCycleDeconError(e)) return e.toJSON();
  const err = e as Error | undefined;
  return { name: err?.name ?? 'Error', message: (detail === 'stack' ? err?.stack : err?.message) ?? String(e) };
}

export function fromWireError(w: WireError): Error {
  const e = w.code ? new CycleDeconError(w.code as ErrorCode, w.message, { hint: w.hint }) : new Error(w.message);
  if (w.name) e.name = w.name;
  return e;
}
