// project.json: the schema version, and the migrations that bring any older file to the current one.
import { Project } from '../../contract/schemas';
import { CycleDeconError } from '../errors';

export const PROJECT_FILE = 'project.json';
export const CURRENT_VERSION = 1;

export class ProjectError extends CycleDeconError {
  constructor(message: string, hint?: string) {
    super('PROJECT', message, { hint });
  }
}

type Json = Record<string, unknown>;

/**
 * migrations[n] turns a version-n document into version n+1. Version 0 is the pre-release layout
 * (no `version` field; `files` with kind 'raw' | 'gt' and an optional [z, y, x] voxel triple).
 */
export const migrations: Record<number, (doc: Json, dir: string) => Json> = {
  0: (doc, dir) => {
    const files = Array.isArray(doc.files) ? (doc.files as Json[]) : [];
    const created = typeof doc.created === 'string' ? doc.created : new Date(0).toISOString();
    return {
      version: 1,
      id: typeof doc.id === 'string' ? doc.id : 'prj_migrated0',
      name: typeof doc.name === 'string' ? doc.name : 'Untitled',
      dir,
      createdAt: created,
      updatedAt: created,
      datasets: files.map((f, i) => {
        const voxel = Array.isArray(f.voxel) ? (f.voxel as number[]) : null;
        return {
          id: `ds_v0file${String(i).padStart(4, '0')}`,
          name: String(f.path).split(/[\\/]/).pop() ?? String(f.path),
          path: String(f.path),
          size: Number(f.size ?? 0),
          contentHash: String(f.hash ?? ''),
          mtimeMs: 0,
          role: { kind: f.kind === 'gt' ? 'sharp' : 'blurred' },
          shape: Array.isArray(f.shape) ? f.shape : [1, 1, 1],
          dtype: typeof f.dtype === 'string' ? f.dtype : 'float32',
          voxelSize: { x: 1, y: 1, z: 1, unit: 'px' },
          voxelSizeOverride: voxel ? { z: voxel[0], y: voxel[1], x: voxel[2], unit: 'µm' } : null,
          sourceFormat: 'tiff',
          thumbnail: null,
          status: 'ok',
          addedAt: created,
        };
      }),
      runs: [],
      results: [],
      comparisons: [],
      notes: typeof doc.notes === 'string' ? doc.notes : '',
    };
  },
};

/** Parses a project.json of any known version into the current schema (the caller rewrites it). */
export function migrate(raw: unknown, dir: string): { project: Project; migratedFrom: number | null } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ProjectError(`${dir}/${PROJECT_FILE} is not a JSON object`);
  let doc = raw as Json;
  const start = doc.version === undefined ? 0 : doc.version;
  if (typeof start !== 'number' || !Number.isInteger(start) || start < 0) throw new ProjectError(`${dir}/${PROJECT_FILE}: bad version ${JSON.stringify(start)}`);
  if (start > CURRENT_VERSION) {
    throw new ProjectError(`${dir}/${PROJECT_FILE} is version ${start}, newer than this CycleDecon (${CURRENT_VERSION})`, 'Update CycleDecon to open this project.');
  }
  for (let v = start; v < CURRENT_VERSION; v++) {
    const step = migrations[v];
    if (!step) throw new ProjectError(`no migration from project version ${v}`);
    doc = step(doc, dir);
  }
  const parsed = Project.safeParse({ ...doc, dir });
  if (!parsed.success) {
    const why = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ProjectError(`${dir}/${PROJECT_FILE} is invalid: ${why}`, 'Restore it from a backup or fix the named fields.');
  }
  return { project: parsed.data, migratedFrom: start === CURRENT_VERSION ? null : start };
}
