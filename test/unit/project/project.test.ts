import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProjectStore, importDatasets, CURRENT_VERSION, refreshStatus } from '../../../src-main/core/project';
import { sampleData, tempDir } from '../../helpers';

// Sample data: test/fixtures/shared-data/flowdec_bars25 (hammerlab/flowdec, Apache-2.0; see its README.md and LICENSE).
const bars = sampleData('flowdec_bars25');

describe('project create / open / migrate', () => {
  it('creates a versioned project.json and reopens it identically', async () => {
    const dir = join(tempDir(), 'exp1');
    const store = await ProjectStore.create(dir, 'Experiment 1');
    const onDisk = JSON.parse(readFileSync(join(dir, 'project.json'), 'utf8'));
    expect(onDisk.version).toBe(CURRENT_VERSION);
    expect(onDisk.name).toBe('Experiment 1');
    const again = await ProjectStore.open(dir);
    expect(again.project).toEqual(store.project);
    await expect(ProjectStore.create(dir)).rejects.toThrow(/already contains a project/);
    await expect(ProjectStore.open(tempDir())).rejects.toThrow(/not a CycleDecon project/);
  });

  it('migrates a v0 project (no version field) to v1 and keeps the original as project.v0.json', async () => {
    const dir = tempDir();
    const v0 = {
      name: 'old',
      created: '2025-01-02T03:04:05.000Z',
      notes: 'n',
      files: [
        { path: '/data/a.tif', kind: 'raw', voxel: [0.3, 0.1, 0.1], shape: [4, 8, 8] },
        { path: '/data/b.tif', kind: 'gt' },
      ],
    };
    writeFileSync(join(dir, 'project.json'), JSON.stringify(v0));
    const store = await ProjectStore.open(dir);
    const p = store.project;
    expect(p.version).toBe(1);
    expect(p.name).toBe('old');
    expect(p.notes).toBe('n');
    expect(p.datasets.map((d) => d.role.kind)).toEqual(['blurred', 'sharp']);
    expect(p.datasets[0]!.voxelSizeOverride).toEqual({ z: 0.3, y: 0.1, x: 0.1, unit: 'µm' });
    expect(p.datasets[0]!.shape).toEqual([4, 8, 8]);
    expect(JSON.parse(readFileSync(join(dir, 'project.json'), 'utf8')).version).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'project.v0.json'), 'utf8'))).toEqual(v0);
  });

  it('refuses a newer version, broken JSON and invalid fields with clear messages', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'project.json'), JSON.stringify({ version: 99 }));
    await expect(ProjectStore.open(dir)).rejects.toThrow(/version 99, newer than this CycleDecon/);
    writeFileSync(join(dir, 'project.json'), '{"version": 1,');
    await expect(ProjectStore.open(dir)).rejects.toThrow(/not valid JSON/);
    writeFileSync(join(dir, 'project.json'), JSON.stringify({ version: 1, id: 'prj_abcdef', name: 3 }));
    await expect(ProjectStore.open(dir)).rejects.toThrow(/invalid: .*name/);
  });

  it('serialises concurrent mutations: none is lost', async () => {
    const store = await ProjectStore.create(tempDir());
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.mutate((p) => {
          p.notes += `${i},`;
        }),
      ),
    );
    const again = await ProjectStore.open(store.dir);
    expect(again.project.notes.split(',').filter(Boolean).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => String(i)).sort(),
    );
  });
});

describe('dataset import', () => {
  it('imports the shared stacks by reference, reports unreadable files and continues', async () => {
    const store = await ProjectStore.create(tempDir());
    const junkDir = tempDir();
    writeFileSync(join(junkDir, 'broken.tif'), 'not a tiff at all');
    const report = await importDatasets(store, [bars, join(junkDir, 'broken.tif'), join(junkDir, 'nope.tif')], {
      role: { kind: 'blurred' },
      recursive: true,
    });
    expect(report.imported.map((d) => d.name).sort()).toEqual(['actual.tif', 'data.tif', 'kernel.tif']);
    for (const d of report.imported) {
      expect(d.shape).toEqual([32, 64, 64]); // README: 32×64×64 float32 each
      expect(d.dtype).toBe('float32');
      expect(d.path.startsWith(bars)).toBe(true); // a reference, not a copy
      const png = readFileSync(join(store.dir, d.thumbnail!));
      expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    }
    expect(report.failed.map((f) => f.code).sort()).toEqual(['FILE_NOT_FOUND', 'TIFF_FORMAT']);
    expect((await ProjectStore.open(store.dir)).project.datasets).toHaveLength(3);
  });

  it('detects duplicates and moved files', async () => {
    const store = await ProjectStore.create(tempDir());
    const src = tempDir();
    mkdirSync(join(src, 'sub'));
    copyFileSync(join(bars, 'data.tif'), join(src, 'data.tif'));
    const first = await importDatasets(store, [join(src, 'data.tif')], { role: { kind: 'blurred' }, recursive: true });
    const id = first.imported[0]!.id;
    const dup = await importDatasets(store, [join(src, 'data.tif')], { role: { kind: 'blurred' }, recursive: true });
    expect(dup.duplicates).toEqual([{ path: join(src, 'data.tif'), existingId: id }]);
    // Same content at another live path is a duplicate too.
    const copy = await importDatasets(store, [join(bars, 'data.tif')], { role: { kind: 'blurred' }, recursive: true });
    expect(copy.duplicates[0]!.existingId).toBe(id);
    renameSync(join(src, 'data.tif'), join(src, 'sub', 'moved.tif'));
    await refreshStatus(store);
    expect(store.project.datasets[0]!.status).toBe('missing');
    const moved = await importDatasets(store, [src], { role: { kind: 'blurred' }, recursive: true });
    expect(moved.moved).toEqual([{ id, from: join(src, 'data.tif'), to: join(src, 'sub', 'moved.tif') }]);
    expect(store.project.datasets).toHaveLength(1);
    expect(store.project.datasets[0]!.status).toBe('ok');
    expect(existsSync(join(store.dir, store.project.datasets[0]!.thumbnail!))).toBe(true);
  });
});
