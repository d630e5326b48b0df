// Read-only view of project.json inside a worker: resolves dataset/result ids to files.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../../contract/schemas';
import { migrate, PROJECT_FILE } from '../../core/project/schema';
import { InvalidParameterError } from '../../core/errors';

export async function readProject(dir: string): Promise<Project> {
  return migrate(JSON.parse(await fs.readFile(join(dir, PROJECT_FILE), 'utf8')), dir).project;
}

/** Path and effective voxel size of a dataset or result id. */
export function resolveItem(p: Project, id: string): { path: string; voxelSize: Project['datasets'][number]['voxelSize'] | null } {
  const d = p.datasets.find((x) => x.id === id);
  if (d) return { path: d.path, voxelSize: d.voxelSizeOverride ?? d.voxelSize };
  const r = p.results.find((x) => x.id === id);
  if (r) return { path: r.path, voxelSize: null };
  throw new InvalidParameterError('id', `no dataset or result ${id} in project ${p.name}`);
}
