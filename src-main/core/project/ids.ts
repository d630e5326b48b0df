// Random ids with a short type prefix ("ds_…", "job_…"), matching the contract's Id schema.
import { randomBytes } from 'node:crypto';

export function newId(prefix: 'prj' | 'ds' | 'job' | 'res' | 'run' | 'cmp'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export function nowIso(): string {
  return new Date().toISOString();
}
