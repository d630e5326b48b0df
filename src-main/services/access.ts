// File access policy: every path a client names must lie inside the project folder or a folder the
// user opened. `..` segments, symlinks leading out, and absolute paths elsewhere are refused.
import { isAbsolute, resolve } from 'node:path';
import { CycleDeconError } from '../core/errors';
import { isInside, realish } from '../core/io/paths';

export class AccessDeniedError extends CycleDeconError {
  constructor(readonly path: string, why: string) {
    super('ACCESS_DENIED', `${path}: ${why}`, { hint: 'Only the project folder and folders you opened (serve --allow DIR) can be used.' });
  }
}

export class AccessPolicy {
  private roots: string[] = [];

  /** Allows `dir` and everything under it (resolved through symlinks). */
  async allow(dir: string): Promise<void> {
    const real = await realish(resolve(dir));
    if (!this.roots.includes(real)) this.roots.push(real);
  }

  allowed(): string[] {
    return [...this.roots];
  }

  /** Returns the canonical path when allowed; throws AccessDeniedError otherwise. */
  async check(path: string): Promise<string> {
    if (!isAbsolute(path)) throw new AccessDeniedError(path, 'must be an absolute path');
    if (path.split(/[\\/]+/).includes('..')) throw new AccessDeniedError(path, 'must not contain ".."');
    const real = await realish(resolve(path));
    if (!this.roots.some((r) => isInside(r, real))) throw new AccessDeniedError(path, 'is outside the allowed folders');
    return real;
  }
}
