// The app's own settings (queue choice), one small JSON file in the user's config folder (CYCLEDECON_HOME
// overrides it, as for the recent-projects list). Written atomically; an unreadable or invalid file gives the
// defaults and a warning, so a hand edit can never stop the app from starting.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { AppSettings, DEFAULT_APP_SETTINGS } from '../../contract/settings';
import { InvalidParameterError } from '../errors';
import { writeBytesAtomic } from '../io/atomic';
import { configDir } from './recent';

export const SETTINGS_FILE = 'settings.json';

export function settingsFile(dir = configDir()): string {
  return join(dir, SETTINGS_FILE);
}

/** The stored settings, or the defaults (with a warning in words when a file was there but unusable). */
export async function readAppSettings(dir = configDir()): Promise<{ settings: AppSettings; warnings: string[] }> {
  const file = settingsFile(dir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { settings: DEFAULT_APP_SETTINGS, warnings: [] };
    return {
      settings: DEFAULT_APP_SETTINGS,
      warnings: [`${file} could not be read (${(e as Error).message}); using the defaults`],
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return {
      settings: DEFAULT_APP_SETTINGS,
      warnings: [`${file} is not JSON (${(e as Error).message}); using the defaults`],
    };
  }
  const parsed = AppSettings.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`)
      .join('; ');
    return { settings: DEFAULT_APP_SETTINGS, warnings: [`${file} is not valid settings (${why}); using the defaults`] };
  }
  return { settings: parsed.data, warnings: [] };
}

/** Validates, then replaces the settings file atomically (a temp file, then a rename). */
export async function writeAppSettings(settings: AppSettings, dir = configDir()): Promise<AppSettings> {
  const parsed = AppSettings.safeParse(settings);
  if (!parsed.success)
    throw new InvalidParameterError(
      'settings',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  await fs.mkdir(dir, { recursive: true });
  await writeBytesAtomic(settingsFile(dir), JSON.stringify(parsed.data, null, 2) + '\n', { force: true });
  return parsed.data;
}
