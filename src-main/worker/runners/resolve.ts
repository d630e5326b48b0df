// Read-only view of project.json inside a worker: resolves dataset/result ids to files.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../../contract/schemas';
import { migrate, PROJECT_FILE } from '../../core/project/schema';
import { InvalidParameterError } from '../../core/errors';
import { datasetOpenOptions } from '../../core/project/calibration';
import type { OpenOptions } from '../../core/io/reader';

export async function readProject(dir: string): Promise<Project> {
  return migrate(JSON.parse(await fs.readFile(join(dir, PROJECT_FILE), 'utf8')), dir).project;
}

/** Path of a dataset or result id, and how to open it (a dataset with the project's voxel-size override). */
export function resolveItem(
  p: Project,
  id: string,
): { path: string; name: string; open: OpenOptions; channels?: number; frames?: number } {
  const d = p.datasets.find((x) => x.id === id);
  if (d) return { path: d.path, name: d.name, open: datasetOpenOptions(d), channels: d.channels, frames: d.frames };
  const r = p.results.find((x) => x.id === id);
  if (r) return { path: r.path, name: r.path.split(/[\\/]/).pop() ?? r.path, open: {} };
  throw new InvalidParameterError('id', `no dataset or result ${id} in project ${p.name}`);
}
