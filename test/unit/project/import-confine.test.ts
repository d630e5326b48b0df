// Importing an allowed folder never follows a link out of it: the walk resolves every entry through its
// links and reports one that leads elsewhere instead of importing it, so dataset.slice can never return the
// pixels of a file outside the allowed folders (importing that file directly is already refused with 403).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeVolume, writeVolume } from '../../../src-main/core/io';
import { parseRequest } from '../../../src-main/contract/validate';
import type { ImportReport } from '../../../src-main/contract/api';
import type { Dataset } from '../../../src-main/contract/schemas';
import { tempDir } from '../../helpers';
import { openService } from '../services/harness';

const stack = (v: number) => makeVolume(new Float32Array(2 * 4 * 4).fill(v), [2, 4, 4]);

describe('dataset.import of an allowed folder', () => {
  const base = tempDir();
  const allowed = join(base, 'allowed');
  const outside = join(base, 'outside');
  let close = async () => undefined as unknown;
  afterAll(() => close());

  it('imports what is inside, reports links that lead out (folder, file, "..") and never reads through them', async () => {
    mkdirSync(join(allowed, 'sub'), { recursive: true });
    mkdirSync(outside);
    await writeVolume(join(allowed, 'mine.tif'), stack(1));
    await writeVolume(join(allowed, 'sub', 'also-mine.tif'), stack(2));
    await writeVolume(join(outside, 'secret.tif'), stack(42));
    symlinkSync(outside, join(allowed, 'dir-link'));
    symlinkSync(join(outside, 'secret.tif'), join(allowed, 'file-link.tif'));
    symlinkSync(base, join(allowed, 'sub', 'up'));
    // A link that stays inside is followed as before.
    symlinkSync(join(allowed, 'mine.tif'), join(allowed, 'sub', 'inside-link.tif'));

    const { service, projectDir } = await openService(allowed);
    close = () => service.close();
    const h = service.handlers;
    await h['project.create'](parseRequest('project.create', { dir: projectDir }));
    const report = (await h['dataset.import'](parseRequest('dataset.import', { paths: [allowed] }))) as ImportReport;

    expect(report.imported.map((d) => d.path).sort()).toEqual([
      join(allowed, 'mine.tif'),
      join(allowed, 'sub', 'also-mine.tif'),
    ]);
    expect(report.duplicates.map((d) => d.path)).toEqual([join(allowed, 'mine.tif')]);
    expect(report.failed.map((f) => [f.path, f.code]).sort()).toEqual([
      [join(allowed, 'dir-link'), 'ACCESS_DENIED'],
      [join(allowed, 'file-link.tif'), 'ACCESS_DENIED'],
      [join(allowed, 'sub', 'up'), 'ACCESS_DENIED'],
    ]);
    const datasets = ((await h['dataset.list'](parseRequest('dataset.list', {}))) as { datasets: Dataset[] }).datasets;
    expect(datasets.every((d) => d.path.startsWith(allowed + '/'))).toBe(true);
    // No dataset can show the outside pixels: every slice is 1 or 2, never 42.
    for (const d of datasets) {
      const plane = (await h['dataset.slice'](parseRequest('dataset.slice', { id: d.id, axis: 'z', index: 0 }))) as {
        meta: { max: number };
      };
      expect(plane.meta.max).toBeLessThan(42);
    }
  });
});
