// File access policy: every path a client names must lie inside the project folder or a folder the
// user opened. `..` segments, symlinks leading out, and absolute paths elsewhere are refused.
import { isAbsolute, resolve } from 'node:path';
import { CycleDeconError } from '../core/errors';
import { isInside, realish } from '../core/io/paths';

export class AccessDeniedError extends CycleDeconError {
  constructor(
    readonly path: string,
    why: string,
  ) {
    super('ACCESS_DENIED', `${path}: ${why}`, {
      hint: 'Only the project folder and folders you opened or added (Projects page, or serve --allow DIR) can be used.',
    });
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

/**
 * The paths of an import that may be read, and those refused as the import report's failures: one path outside
 * the allowed folders skips that file, not the whole import. When every path is refused the first refusal is
 * thrown (nothing to import: the caller gets the error, as before). Errors other than a refusal are thrown.
 */
export async function checkImportPaths(
  access: AccessPolicy,
  paths: readonly string[],
): Promise<{ paths: string[]; refused: { path: string; code: string; message: string }[] }> {
  const ok: string[] = [];
  const refused: { path: string; code: string; message: string }[] = [];
  let first: AccessDeniedError | undefined;
  for (const p of paths) {
    try {
      ok.push(await access.check(p));
    } catch (e) {
      if (!(e instanceof AccessDeniedError)) throw e;
      first ??= e;
      refused.push({ path: p, code: e.code, message: `${e.message}: skipped. ${e.hint ?? ''}`.trim() });
    }
  }
  if (!ok.length && first) throw first;
  return { paths: ok, refused };
}
