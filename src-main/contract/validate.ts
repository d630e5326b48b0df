// Validation at the transport boundary: turns zod issues into one readable message per request.
import type { z } from 'zod';
import { api, events, type EventName, type MethodName, type ParsedRequestOf } from './api';

export class ContractValidationError extends Error {
  readonly code = 'INVALID_REQUEST';
  constructor(
    readonly method: string,
    readonly issues: string[],
  ) {
    super(`${method}: invalid request — ${issues.join('; ')}`);
    this.name = 'ContractValidationError';
  }
}

export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const where = i.path.length ? i.path.map(String).join('.') : '(body)';
    return `${where}: ${i.message}`;
  });
}

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(api, name);
}

/** Parses a raw request for `method`; throws ContractValidationError naming each bad field. */
export function parseRequest<M extends MethodName>(method: M, raw: unknown): ParsedRequestOf<M> {
  const r = api[method].request.safeParse(raw ?? {});
  if (!r.success) throw new ContractValidationError(method, formatIssues(r.error));
  return r.data as ParsedRequestOf<M>;
}

/** Checks a handler's reply against the schema (catches server bugs before they reach a client). */
export function parseResponse(method: MethodName, raw: unknown): unknown {
  const r = api[method].response.safeParse(raw);
  if (!r.success) throw new ContractValidationError(`${method} (response)`, formatIssues(r.error));
  return r.data;
}

export function parseEvent<E extends EventName>(event: E, raw: unknown): z.output<(typeof events)[E]> {
  const r = events[event].safeParse(raw);
  if (!r.success) throw new ContractValidationError(`event ${event}`, formatIssues(r.error));
  return r.data as z.output<(typeof events)[E]>;
}
