// Folders the user adds to the allowed ones from the app itself (browser mode has no native folder dialog, and a
// project must be creatable without restarting `serve` with --allow). What may be added is confined: the real
// path (every symlink followed) must be a folder that holds no one's keys or system files — not the filesystem
// root, not the home folder or anything above it, no hidden folder (~/.ssh, ~/.config), no system folder. Once
// added, AccessPolicy.check confines every path to it as it does for --allow.
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, parse, resolve } from 'node:path';
import { isInside, realish } from '../core/io/paths';
import { AccessDeniedError, type AccessPolicy } from './access';

/** System folders (POSIX, macOS, Windows): never a data or project folder. */
const SYSTEM = [
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/usr',
  '/var',
  '/run',
  '/snap',
  '/System',
  '/Library',
  '/private/etc',
  '/private/var/db',
  'C:\\Windows',
  'C:\\Program Files',
  'C:\\Program Files (x86)',
  'C:\\ProgramData',
];

function refuse(dir: string, why: string): never {
  throw new AccessDeniedError(dir, why);
}

/** Why `real` may not be added (throws), given the home folder; silent when it may. */
export function checkAddable(dir: string, real: string, home: string = homedir()): void {
  if (parse(real).root === real) refuse(dir, 'is the root of the file system; add the folder that holds your data');
  if (isInside(real, resolve(home)))
    refuse(
      dir,
      'is your home folder or holds it (with your keys and settings); add the folder that holds your data, e.g. ~/data',
    );
  if (real.split(/[\\/]+/).some((seg) => seg.startsWith('.') && seg.length > 1))
    refuse(dir, 'is or lies in a hidden folder (settings and keys live there)');
  if (SYSTEM.some((s) => isInside(s, real))) refuse(dir, 'is a system folder');
}

/**
 * Adds `dir` to the allowed folders after the checks above, on its real path (a symlink to /etc is /etc).
 * With `create`, a missing folder is made first (its parents too); without it, it must exist. Returns the real path.
 */
export async function allowUserFolder(
  access: AccessPolicy,
  dir: string,
  opts: { create?: boolean; home?: string } = {},
): Promise<string> {
  if (!isAbsolute(dir)) refuse(dir, 'must be an absolute path');
  if (dir.split(/[\\/]+/).includes('..')) refuse(dir, 'must not contain ".."');
  const real = await realish(resolve(dir));
  checkAddable(dir, real, opts.home);
  const st = await fs.stat(real).catch(() => null);
  if (!st) {
    if (!opts.create) refuse(dir, 'does not exist');
    await fs.mkdir(real, { recursive: true });
  } else if (!st.isDirectory()) refuse(dir, 'is not a folder');
  // Made or not, resolve again: a link swapped in meanwhile is followed and checked like the first.
  const now = await fs.realpath(real);
  checkAddable(dir, now, opts.home);
  await access.allow(now);
  return now;
}
