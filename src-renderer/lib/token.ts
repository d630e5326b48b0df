// A new devserver token for a tab whose old one the server refuses (`cycledecon serve` makes a new token at every
// start): read from what the user pastes — the whole printed address or the bare token — and tried before the
// tab keeps it.
import { tokenFromLocation } from '../api';

/** The token in a pasted address (`#token=`, `?token=`, `#/route?token=`) or a bare token; null when neither. */
export function tokenFromPasted(text: string): string | null {
  const t = text.trim();
  if (!t) return null;
  if (/^[A-Za-z0-9_-]{16,200}$/.test(t)) return t;
  try {
    const u = new URL(t);
    return tokenFromLocation({ search: u.search, hash: u.hash }, null);
  } catch {
    return null;
  }
}

type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{ status: number }>;

/** Whether the server at `origin` accepts `token` (a harmless call: the recent-projects list). */
export async function tokenAccepted(origin: string, token: string, fetchFn: Fetch = fetch): Promise<boolean> {
  const r = await fetchFn(`${origin}/api/project.recent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{}',
  });
  return r.status === 200;
}
