import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProjectStore } from '../../../src-main/core/project';
import { CycleDeconError } from '../../../src-main/core/errors';
import { tempDir } from '../../helpers';

function projectWith(doc: unknown): { dir: string; text: string } {
  const dir = tempDir();
  const text = JSON.stringify(doc, null, 2);
  writeFileSync(join(dir, 'project.json'), text);
  return { dir, text };
}

const dataset = {
  id: 'ds_abcd1234',
  name: 'a.tif',
  path: '/data/a.tif',
  size: 10,
  contentHash: 'h',
  mtimeMs: 0,
  role: { kind: 'blurred' },
  shape: [4, 8, 8],
  dtype: 'uint16',
  voxelSize: { x: 1, y: 1, z: 1, unit: 'px' },
  voxelSizeOverride: null,
  sourceFormat: 'tiff',
  thumbnail: null,
  status: 'ok',
  addedAt: '2025-01-01T00:00:00.000Z',
};

describe('project.json without a version', () => {
  it('refuses {} with a typed error naming the file and what to do, and changes nothing', async () => {
    const { dir, text } = projectWith({});
    const err = await ProjectStore.open(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CycleDeconError);
    expect((err as CycleDeconError).code).toBe('PROJECT');
    expect((err as Error).message).toBe(
      `${dir}/project.json has no "version" field, so CycleDecon cannot tell which layout it has; nothing was changed`,
    );
    expect((err as CycleDeconError).hint).toMatch(/Restore project\.json from a backup .* or add the "version"/);
    expect(readFileSync(join(dir, 'project.json'), 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual(['project.json']);
  });

  it('refuses a current-layout file that lost its version instead of dropping its datasets', async () => {
    const { dir, text } = projectWith({
      id: 'prj_abcdef12',
      name: 'mine',
      datasets: [dataset],
      runs: [],
      results: [],
      comparisons: [],
      notes: '',
    });
    await expect(ProjectStore.open(dir)).rejects.toThrow(/has no "version" field/);
    expect(readFileSync(join(dir, 'project.json'), 'utf8')).toBe(text);
  });
});

describe('migration that cannot carry everything', () => {
  it('keeps the original and reports each file entry and field it could not carry', async () => {
    const v0 = {
      name: 'old',
      owner: 'lab 3',
      files: [{ path: '/data/a.tif', kind: 'raw', channel: 2 }, { kind: 'gt' }, 'b.tif'],
    };
    const { dir, text } = projectWith(v0);
    const store = await ProjectStore.open(dir);
    expect(store.project.datasets.map((d) => d.path)).toEqual(['/data/a.tif']);
    const backup = join(dir, 'project.v0.json');
    expect(readFileSync(backup, 'utf8')).toBe(text);
    expect(store.warnings[0]).toBe(
      `${dir}/project.json was migrated from version 0 to 1; the original is kept as ${backup}`,
    );
    expect(store.warnings[1]).toBe(
      `the migration could not carry "owner", files[0].channel, files[1] (no "path": {"kind":"gt"}), files[2] (no "path": "b.tif"): they are only in ${backup}`,
    );
  });

  it('never overwrites an earlier backup', async () => {
    const { dir, text } = projectWith({ name: 'old', files: [{ path: '/data/a.tif' }] });
    writeFileSync(join(dir, 'project.v0.json'), 'an earlier backup');
    const store = await ProjectStore.open(dir);
    expect(readFileSync(join(dir, 'project.v0.json'), 'utf8')).toBe('an earlier backup');
    expect(readFileSync(join(dir, 'project.v0.1.json'), 'utf8')).toBe(text);
    expect(store.warnings).toHaveLength(1);
    expect(store.warnings[0]).toMatch(/kept as .*project\.v0\.1\.json$/);
  });

  it('says nothing when a current project opens', async () => {
    const store = await ProjectStore.create(join(tempDir(), 'p'));
    expect((await ProjectStore.open(store.dir)).warnings).toEqual([]);
    expect(existsSync(join(store.dir, 'project.v0.json'))).toBe(false);
  });
});
