// `serve --token-file FILE`: the token kept across restarts, so a tab left open (and scripts) go on working after
// the server comes back — the event socket reconnects by itself, calls succeed — instead of asking for a new
// address. The file is the secret: made owner-only (0600) and refused when others can read it, as ssh does its keys.
import { promises as fs, constants } from 'node:fs';
import { CycleDeconError } from '../core/errors';
import { newToken } from './security';

export class TokenFileError extends CycleDeconError {
  constructor(path: string, why: string, hint: string) {
    super('INVALID_PARAMETER', `--token-file ${path}: ${why}`, { hint });
  }
}

const TOKEN = /^[A-Za-z0-9_-]{32,200}$/;

/** The token in `path`, or a new one written there (owner-only) when the file does not exist yet. */
export async function tokenFromFile(path: string): Promise<{ token: string; created: boolean }> {
  const handle = await fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    if (e.code === 'ELOOP') throw new TokenFileError(path, 'is a symbolic link', 'Give the path of a regular file.');
    throw new TokenFileError(path, `cannot be read (${e.code ?? e.message})`, 'Check the path and its permissions.');
  });
  if (!handle) {
    const token = newToken();
    // 'wx': never through an existing file or link; 0600 from the first byte (no window where others could read).
    await fs.writeFile(path, `${token}\n`, { flag: 'wx', mode: 0o600 }).catch((e: NodeJS.ErrnoException) => {
      throw new TokenFileError(
        path,
        `cannot be created (${e.code ?? e.message})`,
        'Choose a file in a folder you can write to.',
      );
    });
    return { token, created: true };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new TokenFileError(path, 'is not a regular file', 'Give the path of a regular file.');
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      throw new TokenFileError(
        path,
        `can be read by others (mode ${(st.mode & 0o777).toString(8)})`,
        `Run chmod 600 ${path}, or delete it to get a new token.`,
      );
    }
    const token = (await handle.readFile('utf8')).trim();
    if (!TOKEN.test(token))
      throw new TokenFileError(
        path,
        'does not hold a token (32 or more letters, digits, - or _)',
        'Delete the file: the next start writes a new token there.',
      );
    return { token, created: false };
  } finally {
    await handle.close();
  }
}
