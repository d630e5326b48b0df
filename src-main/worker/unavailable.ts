// Typed error for a job type whose engine is not in this build (no fake results are ever produced).
import { CycleDeconError } from '../core/errors';

export class NotAvailableError extends CycleDeconError {
  constructor(what: string, hint = 'This build of CycleDecon does not include it yet.') {
    super('BACKEND', `${what} is not available`, { hint });
  }
}
