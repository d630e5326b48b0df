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

/** The record fields of a version ≥ 1 document: a file with any of them but no `version` is not a v0 project. */
const V1_FIELDS = ['datasets', 'runs', 'results', 'comparisons'];
/** What a v0 document and each of its `files` entries can hold; anything else cannot be carried and is reported. */
const V0_FIELDS = new Set(['files', 'id', 'name', 'created', 'notes']);
const V0_FILE_FIELDS = new Set(['path', 'kind', 'voxel', 'shape', 'size', 'hash', 'dtype']);

/** A v0 `files` entry as a v1 dataset, or null (with what was lost noted) when it names no file. */
function v0Dataset(f: unknown, i: number, created: string, lost: string[]): Json | null {
  if (
    typeof f !== 'object' ||
    f === null ||
    Array.isArray(f) ||
    typeof (f as Json).path !== 'string' ||
    !(f as Json).path
  ) {
    lost.push(`files[${i}] (no "path": ${JSON.stringify(f)?.slice(0, 80)})`);
    return null;
  }
  const e = f as Json;
  for (const k of Object.keys(e)) if (!V0_FILE_FIELDS.has(k)) lost.push(`files[${i}].${k}`);
  const path = e.path as string;
  const voxel = Array.isArray(e.voxel) ? (e.voxel as number[]) : null;
  return {
    id: `ds_v0file${String(i).padStart(4, '0')}`,
    name: path.split(/[\\/]/).pop() || path,
    path,
    size: Number(e.size ?? 0),
    contentHash: String(e.hash ?? ''),
    mtimeMs: 0,
    role: { kind: e.kind === 'gt' ? 'sharp' : 'blurred' },
    shape: Array.isArray(e.shape) ? e.shape : [1, 1, 1],
    dtype: typeof e.dtype === 'string' ? e.dtype : 'float32',
    voxelSize: { x: 1, y: 1, z: 1, unit: 'px' },
    voxelSizeOverride: voxel ? { z: voxel[0], y: voxel[1], x: voxel[2], unit: 'µm' } : null,
    sourceFormat: 'tiff',
    thumbnail: null,
    status: 'ok',
    addedAt: created,
  };
}

/**
 * migrations[n] turns a version-n document into version n+1, noting in `lost` each thing it could not carry
 * (the caller keeps the original file and reports them). Version 0 is the pre-release layout (no `version`
 * field; `files` with kind 'raw' | 'gt' and an optional [z, y, x] voxel triple).
 */
export const migrations: Record<number, (doc: Json, dir: string, lost: string[]) => Json> = {
  0: (doc, dir, lost) => {
    for (const k of Object.keys(doc)) if (!V0_FIELDS.has(k)) lost.push(`"${k}"`);
    const files: unknown[] = Array.isArray(doc.files) ? doc.files : [];
    const created = typeof doc.created === 'string' ? doc.created : new Date(0).toISOString();
    return {
      version: 1,
      id: typeof doc.id === 'string' ? doc.id : 'prj_migrated0',
      name: typeof doc.name === 'string' ? doc.name : 'Untitled',
      dir,
      createdAt: created,
      updatedAt: created,
      datasets: files.map((f, i) => v0Dataset(f, i, created, lost)).filter((d) => d !== null),
      runs: [],
      results: [],
      comparisons: [],
      notes: typeof doc.notes === 'string' ? doc.notes : '',
    };
  },
};

/** The version of `doc`: its `version`, 0 for the pre-release layout, or a typed error saying what is wrong. */
function versionOf(doc: Json, file: string): number {
  if (doc.version === undefined) {
    // Only a document with v0's `files` list and none of the later record fields is v0: anything else
    // (`{}`, a hand-edited file that lost its version) would have its records dropped by the v0 migration.
    if (Array.isArray(doc.files) && !V1_FIELDS.some((k) => k in doc)) return 0;
    throw new ProjectError(
      `${file} has no "version" field, so CycleDecon cannot tell which layout it has; nothing was changed`,
      'Restore project.json from a backup (a project.v<N>.json beside it is the file before a migration), or add the "version" it was written with (1 for this CycleDecon).',
    );
  }
  const v = doc.version;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new ProjectError(
      `${file}: bad version ${JSON.stringify(v)}`,
      'The version must be a whole number such as 1.',
    );
  if (v > CURRENT_VERSION)
    throw new ProjectError(
      `${file} is version ${v}, newer than this CycleDecon (${CURRENT_VERSION})`,
      'Update CycleDecon to open this project.',
    );
  return v;
}

/**
 * Parses a project.json of any known version into the current schema (the caller rewrites it). `notCarried` names
 * what a migration could not bring over: the caller must keep the original file and say so.
 */
export function migrate(
  raw: unknown,
  dir: string,
): { project: Project; migratedFrom: number | null; notCarried: string[] } {
  const file = `${dir}/${PROJECT_FILE}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ProjectError(`${file} is not a JSON object`);
  let doc = raw as Json;
  const start = versionOf(doc, file);
  const notCarried: string[] = [];
  for (let v = start; v < CURRENT_VERSION; v++) {
    const step = migrations[v];
    if (!step) throw new ProjectError(`no migration from project version ${v}`);
    doc = step(doc, dir, notCarried);
  }
  const parsed = Project.safeParse({ ...doc, dir });
  if (!parsed.success) {
    const why = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; ');
    throw new ProjectError(`${file} is invalid: ${why}`, 'Restore it from a backup or fix the named fields.');
  }
  return { project: parsed.data, migratedFrom: start === CURRENT_VERSION ? null : start, notCarried };
}
