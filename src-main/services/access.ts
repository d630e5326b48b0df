// File access policy: every path a client names must lie inside the project folder or a folder the
// user opened. `..` segments, symlinks leading out, and absolute paths elsewhere are refused.
import { promises as fs } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { CycleDeconError } from '../core/errors';

export class AccessDeniedError extends CycleDeconError {
  constructor(readonly path: string, why: string) {
    super('ACCESS_DENIED', `${path}: ${why}`, { hint: 'Only the project folder and folders you opened (serve --allow DIR) can be used.' });
  }
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** realpath of the deepest existing ancestor, plus the part that does not exist yet. */
async function realish(p: string): Promise<string> {
  let cur = p;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await fs.realpath(cur);
      return rest.length ? resolve(real, ...rest.reverse()) : real;
    } catch {
      const parent = dirname(cur);
      if (parent === cur) return p;
      rest.push(cur.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
      cur = parent;
    }
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
    if (!this.roots.some((r) => inside(r, real))) throw new AccessDeniedError(path, 'is outside the allowed folders');
    return real;
  }
}
