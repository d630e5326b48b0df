// Content fingerprint used for duplicate and moved-file detection: sha256 of the first MiB plus the size.
import { createHash } from 'node:crypto';
import { openRegularFile } from '../io/paths';

export const HASH_PREFIX_BYTES = 1 << 20;

export async function contentHash(path: string): Promise<{ hash: string; size: number; mtimeMs: number }> {
  const { handle, stats: st } = await openRegularFile(path);
  try {
    const n = Math.min(st.size, HASH_PREFIX_BYTES);
    const buf = Buffer.alloc(n);
    let off = 0;
    while (off < n) {
      const { bytesRead } = await handle.read(buf, off, n - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    const h = createHash('sha256').update(buf.subarray(0, off)).update(`:${st.size}`).digest('hex');
    return { hash: h, size: st.size, mtimeMs: st.mtimeMs };
  } finally {
    await handle.close();
  }
}
