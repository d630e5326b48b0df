// Fault-injection seam for file writes: makes writes to chosen files fail the way a full disk (ENOSPC) or
// a read-only folder (EROFS, EACCES) does, so the error paths can be tested without root or a tiny disk.
// Armed by setWriteFault() in-process, or by the CYCLEDECON_WRITE_FAULT environment variable (JSON of a
// WriteFault), which also reaches worker threads and child processes. Off unless armed; costs one check per
// file opened for writing.
import { InvalidParameterError } from '../errors';
import { FLAG_DEFS, getFlag } from '../flags';

export const WRITE_FAULT_ENV = FLAG_DEFS.writeFault.env;

const CODES = { ENOSPC: -28, EROFS: -30, EACCES: -13, EIO: -5 } as const;
export type WriteFaultCode = keyof typeof CODES;

export interface WriteFault {
  code: WriteFaultCode;
  /** Only targets whose path contains this string fail ('' = every file). */
  match: string;
  /** Bytes a matching file may grow to before writes fail; 0 fails already when the file is opened. */
  afterBytes: number;
  /** Let this many matching files through before failing (e.g. 2: the third checkpoint fails). */
  skip?: number;
}

/** Limits the writes to one file; `take` returns how many of `length` bytes at `position` may be written, or throws. */
export interface WriteBudget {
  take(position: number, length: number): number;
}

let fault: WriteFault | null | undefined;
let matched = 0;

export function parseWriteFault(text: string): WriteFault {
  let v: Partial<WriteFault>;
  try {
    v = JSON.parse(text) as Partial<WriteFault>;
  } catch {
    throw new InvalidParameterError(WRITE_FAULT_ENV, 'is not JSON like {"code":"ENOSPC","match":"","afterBytes":0}');
  }
  if (typeof v.code !== 'string' || !(v.code in CODES))
    throw new InvalidParameterError(`${WRITE_FAULT_ENV}.code`, `must be one of ${Object.keys(CODES).join(', ')}`);
  if (typeof v.match !== 'string') throw new InvalidParameterError(`${WRITE_FAULT_ENV}.match`, 'must be a string');
  if (!Number.isInteger(v.afterBytes) || v.afterBytes! < 0)
    throw new InvalidParameterError(`${WRITE_FAULT_ENV}.afterBytes`, 'must be a whole number ≥ 0');
  if (v.skip !== undefined && (!Number.isInteger(v.skip) || v.skip < 0))
    throw new InvalidParameterError(`${WRITE_FAULT_ENV}.skip`, 'must be a whole number ≥ 0');
  return { code: v.code, match: v.match, afterBytes: v.afterBytes!, skip: v.skip };
}

/** Arm (or with null, disarm) the fault for this thread; resets the count of matched files. */
export function setWriteFault(f: WriteFault | null): void {
  fault = f;
  matched = 0;
}

function current(): WriteFault | null {
  if (fault === undefined) {
    const env = getFlag('writeFault');
    setWriteFault(env ? parseWriteFault(env) : null);
  }
  return fault ?? null;
}

function errnoError(code: WriteFaultCode, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected write fault, ${syscall} '${path}'`), {
    code,
    errno: CODES[code],
    syscall,
    path,
  });
}

/**
 * Called when `target` (the final path; `tmp` is what is opened) is about to be written. Returns null when no
 * fault applies, else a budget for the write loop. Throws at once when the fault is armed with afterBytes 0.
 */
export function writeBudgetFor(target: string, tmp: string): WriteBudget | null {
  const f = current();
  if (!f || !target.includes(f.match)) return null;
  matched += 1;
  if (matched <= (f.skip ?? 0)) return null;
  if (f.afterBytes === 0) throw errnoError(f.code, 'open', tmp);
  return {
    take(position, length) {
      const room = f.afterBytes - position;
      if (room <= 0) throw errnoError(f.code, 'write', tmp);
      return Math.min(room, length);
    },
  };
}
