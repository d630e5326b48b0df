// Headers for the files the devserver hands out (/files/result, /files/raw): results, reports and the user's own
// files. Such a file is content we did not write — an HTML page found in a data folder, an SVG, a script — and it is
// served from the app's own origin, where the tab's token lives. So every file response is sandboxed (CSP
// `sandbox` without allow-scripts: no script runs, and the page gets an opaque origin, so it can reach neither
// sessionStorage nor the API), fetches nothing but its own inline styles and data: images (what a CycleDecon
// report needs: core/report/html.ts), and only types a browser shows inertly keep their own MIME type: a `.js` is
// sent as octet-stream, which `nosniff` forbids any page to run as a script.
import { basename, extname } from 'node:path';

/** What a file response may render as; anything else downloads as bytes. */
const VIEWABLE: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

export const FILE_CSP = [
  'sandbox',
  "default-src 'none'",
  'img-src data:',
  "style-src 'unsafe-inline'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** `name` reduced to a header-safe ASCII name, and the RFC 5987 form that keeps the real one. */
function disposition(path: string): string {
  const name = basename(path);
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Headers of one file response; `download` asks the browser to save it rather than show it. */
export function fileHeaders(path: string, download: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': VIEWABLE[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'content-security-policy': FILE_CSP,
    'cross-origin-resource-policy': 'same-origin',
  };
  if (download) headers['content-disposition'] = disposition(path);
  return headers;
}
