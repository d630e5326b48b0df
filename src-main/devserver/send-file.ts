// Streams one file as an HTTP response without letting the file or the client take the server down.
// The file is opened once and its size read from that descriptor (fstat), so a rename or delete after the
// path was checked either fails the open (an error response) or streams the bytes already opened; never
// an unhandled ENOENT. stream.pipeline closes the descriptor when the client aborts or a read fails
// (`.pipe()` left the paused ReadStream, and its descriptor, behind on every aborted download).
import { promises as fs } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { HttpError } from './http-error';

function openError(e: unknown, shownPath: string): HttpError {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR')
    return new HttpError(404, 'FILE_NOT_FOUND', `${shownPath} is not a file`);
  if (code === 'EACCES' || code === 'EPERM') return new HttpError(403, 'ACCESS_DENIED', `${shownPath} cannot be read`);
  if (code === 'EMFILE' || code === 'ENFILE') return new HttpError(503, 'BUSY', 'too many open files; retry shortly');
  return new HttpError(500, 'IO', `${shownPath} could not be opened (${code ?? (e as Error)?.message ?? String(e)})`);
}

/**
 * Sends `path` with status 200. Rejects with an HttpError before any header is sent when the file cannot be
 * opened or is not a regular file; after the headers, a failure (client gone, read error, file shrunk)
 * destroys the response so the client sees a closed connection rather than a short body.
 */
/** `type`: the content type, or every header of the response (content type included) but its length. */
export async function sendFile(
  res: ServerResponse,
  path: string,
  type: string | Record<string, string>,
  shownPath = path,
): Promise<void> {
  const handle = await fs.open(path, 'r').catch((e: unknown) => {
    throw openError(e, shownPath);
  });
  let size: number;
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new HttpError(404, 'FILE_NOT_FOUND', `${shownPath} is not a file`);
    size = st.size;
  } catch (e) {
    await handle.close();
    throw e;
  }
  res.writeHead(200, { ...(typeof type === 'string' ? { 'content-type': type } : type), 'content-length': size });
  if (size === 0) {
    await handle.close();
    res.end();
    return;
  }
  // end: the size announced; bytes appended meanwhile are not sent (they would overrun content-length).
  const stream = handle.createReadStream({ start: 0, end: size - 1 });
  try {
    await pipeline(stream, res, { end: false });
  } catch (e) {
    res.destroy();
    throw e;
  }
  // A file truncated while being sent ends early: a short body on a kept-alive socket would desync it.
  if (stream.bytesRead !== size) res.destroy();
  else res.end();
}
