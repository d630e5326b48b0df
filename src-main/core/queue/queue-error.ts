// The error a queue raises for a request it cannot do (unknown job, wrong state for the action).
import { CycleDeconError, isCycleDeconError } from '../errors';

export class QueueError extends CycleDeconError {
  constructor(message: string, hint?: string) {
    super('QUEUE', message, { hint });
  }
}

/** A failed run's error as a job records it: a typed error's code, message and hint, else INTERNAL with the message. */
export function jobFailure(e: unknown): { code: string; message: string; hint?: string } {
  return isCycleDeconError(e)
    ? { code: e.code, message: e.message, hint: e.hint }
    : { code: 'INTERNAL', message: (e as Error)?.message ?? String(e) };
}
