// The open project: datasets, results, recent projects. Re-fetches when the server says it changed.
import { defineStore } from 'pinia';
import type { Dataset, DatasetRole, ImportReport, Project, Result, TrainRun, VoxelSize } from '../../src-main/contract';
import { useClient } from '../api';
import { clearVolumeCache } from '../api/volumes';
import { useNotices } from './notices';

export interface RecentProject {
  dir: string;
  name: string;
  openedAt: string;
}

/** The voxel size that applies to a dataset (override wins), and whether it is only a pixel placeholder. */
export function effectiveVoxelSize(d: Dataset): { size: VoxelSize; missing: boolean } {
  const size = d.voxelSizeOverride ?? d.voxelSize;
  return { size, missing: !d.voxelSizeOverride && (d.voxelSize.unit === 'px' || d.voxelSize.unit === 'pixel') };
}

export const useProject = defineStore('project', {
  state: () => ({
    project: null as Project | null,
    recent: [] as RecentProject[],
    busy: false,
    lastImport: null as ImportReport | null,
    unsubscribe: null as null | (() => void),
  }),
  getters: {
    datasets: (s): Dataset[] => s.project?.datasets ?? [],
    results: (s): Result[] => s.project?.results ?? [],
    /** Everything viewable: datasets then results, with a display label (⚠ first when a result carries warnings). */
    volumes(): { id: string; label: string; kind: 'dataset' | 'result'; role: string; warnings: string[] }[] {
      return [
        ...this.datasets.map((d) => ({
          id: d.id,
          label: d.name,
          kind: 'dataset' as const,
          role: d.role.kind === 'external' ? d.role.tool : d.role.kind,
          warnings: [],
        })),
        ...this.results
          .filter((r) => r.kind !== 'report')
          .map((r) => ({
            id: r.id,
            label: `${r.warnings?.length ? '⚠ ' : ''}${r.method} · ${r.path.split(/[\\/]/).pop() ?? r.id}`,
            kind: 'result' as const,
            role: r.kind,
            warnings: r.warnings ?? [],
          })),
      ];
    },
    /** Training runs, newest first. */
    runs: (s): TrainRun[] => [...(s.project?.runs ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
  },
  actions: {
    async run<T>(action: string, fn: () => Promise<T>): Promise<T | undefined> {
      this.busy = true;
      try {
        return await fn();
      } catch (e) {
        useNotices().error(e, action);
        return undefined;
      } finally {
        this.busy = false;
      }
    },
    listen(): void {
      if (this.unsubscribe) return;
      this.unsubscribe = useClient().subscribe('project.changed', () => void this.refresh());
    },
    async loadRecent(): Promise<void> {
      const r = await this.run('Listing recent projects', () => useClient().invoke('project.recent', {}));
      if (r) this.recent = r.projects;
    },
    /** Picks up a project the server already has open (devserver started with --project). */
    async loadCurrent(): Promise<void> {
      try {
        this.project = await useClient().invoke('project.get', {});
        this.listen();
      } catch {
        this.project = null;
      }
    },
    async create(dir: string, name?: string): Promise<boolean> {
      const p = await this.run('Creating the project', () =>
        useClient().invoke('project.create', { dir, ...(name ? { name } : {}) }),
      );
      if (p) {
        this.project = p;
        this.listen();
        void this.loadRecent();
      }
      return !!p;
    },
    async open(dir: string): Promise<boolean> {
      const p = await this.run('Opening the project', () => useClient().invoke('project.open', { dir }));
      if (p) {
        this.project = p;
        this.listen();
        void this.loadRecent();
      }
      return !!p;
    },
    async refresh(): Promise<void> {
      const p = await this.run('Refreshing the project', () => useClient().invoke('project.get', {}));
      if (p) this.project = p;
    },
    async importPaths(paths: string[], role: DatasetRole = { kind: 'blurred' }): Promise<ImportReport | undefined> {
      const r = await this.run('Importing files', () => useClient().invoke('dataset.import', { paths, role }));
      if (r) {
        this.lastImport = r;
        if (r.failed.length) {
          useNotices().error(
            {
              message: r.failed.map((f) => `${f.path}: ${f.message}`).join('\n'),
              hint: 'The other files were imported. Fix or convert the listed files and import them again.',
            },
            `Importing ${r.failed.length} file(s)`,
          );
        }
        await this.refresh();
      }
      return r;
    },
    async updateDataset(
      id: string,
      patch: { name?: string; role?: DatasetRole; voxelSizeOverride?: VoxelSize | null },
    ): Promise<void> {
      const d = await this.run('Saving the dataset', () => useClient().invoke('dataset.update', { id, ...patch }));
      if (d && this.project) this.project.datasets = this.project.datasets.map((x) => (x.id === id ? d : x));
      // Volumes already fetched carry the old voxel size.
      if (d && patch.voxelSizeOverride !== undefined) clearVolumeCache();
    },
    async removeDataset(id: string): Promise<void> {
      const ok = await this.run('Removing the dataset', () => useClient().invoke('dataset.remove', { id }));
      if (ok) await this.refresh();
    },
  },
});
