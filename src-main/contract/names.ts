// Names the user gives to things the app writes (an output file, a dataset whose name derives output names).
// A name is a name, never a path: it is joined onto a folder of the project, so separators, "..", a leading
// dot (hidden files, our temp files), a drive colon and control characters are refused at the contract.
// This folder is imported by the renderer: zod only, no Node modules.
import { z } from 'zod';

/** C0 controls and DEL: a newline or escape in a file name misleads every listing that shows it. */
export function isControl(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c < 0x20 || c === 0x7f;
}

/** Why `name` is not a plain file name, or null when it is one. */
export function unsafeNameReason(name: string): string | null {
  if (/[/\\]/.test(name)) return 'must be a plain name, without "/" or "\\"';
  if ([...name].some(isControl)) return 'must not contain control characters';
  if (name.startsWith('.')) return 'must not start with "." (hidden files and ".." are not names)';
  if (name.includes(':')) return 'must not contain ":"';
  if (name.trim() !== name) return 'must not start or end with spaces';
  return null;
}

/** A plain file name of 1–200 characters (see unsafeNameReason). */
export const SafeName = z
  .string()
  .min(1, 'name is empty')
  .max(200, 'name is longer than 200 characters')
  .superRefine((name, ctx) => {
    const why = unsafeNameReason(name);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  });
