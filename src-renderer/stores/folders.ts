// The folders the app may use (project folder, `serve --allow`, and those the user adds here). In a browser
// there is no folder dialog: a project typed as a path outside them is added first (the server decides what may
// be added and confines every path to these folders: services/user-folders.ts).
import { defineStore } from 'pinia';
import { useClient } from '../api';
import { useNotices } from './notices';

/** `dir` is one of `folders` or lies under one, compared as typed (the server resolves links and decides). */
export function insideAny(dir: string, folders: readonly string[]): boolean {
  const norm = (p: string) => p.replace(/[\\/]+$/, '') || '/';
  const d = norm(dir.trim());
  return folders.some((f) => {
    const r = norm(f);
    return d === r || d.startsWith(r.endsWith('/') || r.endsWith('\\') ? r : `${r}/`) || d.startsWith(`${r}\\`);
  });
}

export const useFolders = defineStore('folders', {
  state: () => ({ folders: [] as string[], loaded: false }),
  actions: {
    async load(): Promise<void> {
      try {
        this.folders = (await useClient().invoke('folders.list', {})).folders;
        this.loaded = true;
      } catch (e) {
        useNotices().error(e, 'Listing the allowed folders');
      }
    },
    /** Adds `dir` (made when `create`); false, with the server's reason shown, when it is refused. */
    async allow(dir: string, create = false): Promise<boolean> {
      try {
        this.folders = (await useClient().invoke('folders.allow', { dir: dir.trim(), create })).folders;
        return true;
      } catch (e) {
        useNotices().error(e, `Adding the folder ${dir.trim()}`);
        return false;
      }
    },
    /** Makes sure a project folder may be used: nothing to do when it is inside an allowed folder already. */
    async ensure(dir: string, create: boolean): Promise<boolean> {
      if (!this.loaded) await this.load();
      return insideAny(dir, this.folders) || this.allow(dir, create);
    },
  },
});
