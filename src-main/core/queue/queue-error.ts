// The error a queue raises for a request it cannot do (unknown job, wrong state for the action).
import { CycleDeconError } from '../errors';

export class QueueError extends CycleDeconError {
  constructor(message: string, hint?: string) {
    super('QUEUE', message, { hint });
  }
}
