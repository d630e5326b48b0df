// The list of recently opened projects, kept in the user's config folder (CYCLEDECON_HOME overrides it).
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeBytesAtomic } from '../io/atomic';
import { FLAG_DEFS, getFlag } from '../flags';

export interface RecentProject {
  dir: string;
  name: string;
  openedAt: string;
}

export function configDir(): string {
  const home = getFlag('home');
  return home === FLAG_DEFS.home.default ? join(homedir(), '.config', 'cycledecon') : home;
}

export async function readRecent(): Promise<RecentProject[]> {
  try {
    const list = JSON.parse(await fs.readFile(join(configDir(), 'recent.json'), 'utf8')) as unknown;
    return Array.isArray(list) ? (list as RecentProject[]).filter((r) => typeof r?.dir === 'string') : [];
  } catch {
    return [];
  }
}

export async function rememberProject(dir: string, name: string): Promise<void> {
  const list = (await readRecent()).filter((r) => r.dir !== dir);
  list.unshift({ dir, name, openedAt: new Date().toISOString() });
  await fs.mkdir(configDir(), { recursive: true });
  await writeBytesAtomic(join(configDir(), 'recent.json'), JSON.stringify(list.slice(0, 20), null, 2), { force: true });
}
