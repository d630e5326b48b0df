// Links to a result's file in browser mode: the devserver's /files/result/<id> route, confined to the open
// project's results, with the tab's token in the query (a link cannot send a header). The desktop app has no
// such route: null there. The server sandboxes what it sends (devserver/file-headers.ts); `download` adds
// `download=1`, which makes it a saved attachment (the `download` attribute alone is ignored for some types).
import { isDesktop } from './index';

export function resultFileUrl(
  id: string,
  storage: Pick<Storage, 'getItem'> | null = typeof sessionStorage === 'undefined' ? null : sessionStorage,
  download = false,
): string | null {
  if (isDesktop()) return null;
  const token = storage?.getItem('cycledecon.token');
  return token
    ? `/files/result/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}${download ? '&download=1' : ''}`
    : null;
}
