// App-level settings (not a project's): which job queue the app runs on. Read once at start; a change is
// stored at once but used from the next start, so a running queue is never swapped under its jobs.
import { z } from 'zod';
import { FsPath } from './schemas';

/** redis://host[:port][/db] as `serve --queue` takes it; no credentials (bind Redis to a private network instead). */
export const RedisUrl = z
  .string()
  .max(500)
  .regex(
    /^redis:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(\/\d{1,3})?\/?$/,
    'expected redis://host:port/db (no user or password)',
  );

/** The queue jobs run on: the project's local journal (the default; jobs run in this app), or a shared Redis queue (jobs run on `cycledecon worker`s). */
export const QueueSetting = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }).strict(),
  z.object({ kind: z.literal('redis'), url: RedisUrl }).strict(),
]);
export type QueueSetting = z.infer<typeof QueueSetting>;

export const AppSettings = z.object({ version: z.literal(1), queue: QueueSetting }).strict();
export type AppSettings = z.infer<typeof AppSettings>;

export const DEFAULT_APP_SETTINGS: AppSettings = { version: 1, queue: { kind: 'local' } };

/** What settings.get/set answer: the stored settings, the queue this process runs on, and whether they differ. */
export const SettingsState = z.object({
  settings: AppSettings,
  /** The queue this process opened at start (a `--queue` flag wins over the stored setting). */
  inUse: QueueSetting,
  /** The stored queue differs from the one in use: it applies when the app (or `serve`) next starts. */
  appliesAtNextStart: z.boolean(),
  /** Where the settings are kept. */
  file: FsPath,
  /** What reading them set aside (an unreadable file → defaults), in words. */
  warnings: z.array(z.string()),
});
export type SettingsState = z.infer<typeof SettingsState>;

/** A successful connection test: the server answered PING within the time limit. */
export const QueueProbe = z.object({ ok: z.literal(true), ms: z.number().nonnegative(), address: z.string() });
export type QueueProbe = z.infer<typeof QueueProbe>;

/** Same queue? (local equals local; Redis URLs compare as written, without a trailing slash.) */
export function sameQueue(a: QueueSetting, b: QueueSetting): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind === 'local' || a.url.replace(/\/$/, '') === (b as { url: string }).url.replace(/\/$/, '');
}
