// Every write of the app into a project folder is confined where it happens (atomic.prepareTarget with
// `within`): a path with "..", or a folder that is a link to elsewhere, is refused before a byte is written.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeVolume, writeVolume, createVolumeWriter } from '../../../src-main/core/io';
import { writeBytesAtomic } from '../../../src-main/core/io/atomic';
import { confinedPath } from '../../../src-main/core/io/paths';
import { OutsideFolderError } from '../../../src-main/core/errors';
import { ProjectStore, importDatasets } from '../../../src-main/core/project';
import { tempDir } from '../../helpers';

const vol = () => makeVolume(new Float32Array(2 * 4 * 4).fill(1), [2, 4, 4]);

/** A results folder with a link `out` to a folder outside it. */
function layout(): { results: string; outside: string } {
  const base = tempDir();
  const results = join(base, 'proj', 'results');
  const outside = join(base, 'outside');
  mkdirSync(results, { recursive: true });
  mkdirSync(outside);
  symlinkSync(outside, join(results, 'out'));
  return { results, outside };
}

describe('writes confined to a folder', () => {
  it('writeVolume refuses "..", a link leading out, and an absolute path elsewhere; writes a plain name', async () => {
    const { results, outside } = layout();
    for (const target of [`${results}/../../outside/a.tif`, join(results, 'out', 'b.tif'), join(outside, 'c.tif')]) {
      await expect(writeVolume(target, vol(), { within: results }), target).rejects.toBeInstanceOf(OutsideFolderError);
    }
    await expect(
      createVolumeWriter(join(results, 'out', 'd.tif'), {
        shape: [2, 4, 4],
        voxelSize: vol().voxelSize,
        within: results,
      }),
    ).rejects.toThrow(/resolves outside/);
    expect(readdirSync(outside)).toEqual([]);
    await writeVolume(join(results, 'ok.tif'), vol(), { within: results });
    expect(existsSync(join(results, 'ok.tif'))).toBe(true);
  });

  it('writeBytesAtomic (reports, thumbnails) refuses the same', async () => {
    const { results, outside } = layout();
    await expect(
      writeBytesAtomic(join(results, 'out', 'r.html'), '<html>', { within: results }),
    ).rejects.toBeInstanceOf(OutsideFolderError);
    await expect(writeBytesAtomic(`${results}/../x.json`, '{}', { within: results })).rejects.toBeInstanceOf(
      OutsideFolderError,
    );
    expect(readdirSync(outside)).toEqual([]);
  });

  it('confinedPath resolves links of the folders, not of the file itself', async () => {
    const { results } = layout();
    expect(await confinedPath(results, join(results, 'sub', 'new.tif'))).toBe(join(results, 'sub', 'new.tif'));
    await expect(confinedPath(results, results)).rejects.toBeInstanceOf(OutsideFolderError);
  });

  it('a project whose cache folder is a link to elsewhere gets no thumbnail written there', async () => {
    const { outside } = layout();
    const dataDir = tempDir();
    await writeVolume(join(dataDir, 's.tif'), vol());
    const store = await ProjectStore.create(join(tempDir(), 'proj'));
    symlinkSync(outside, store.cacheDir());
    const report = await importDatasets(store, [join(dataDir, 's.tif')], {
      role: { kind: 'blurred' },
      recursive: true,
    });
    expect(report.failed.map((f) => f.code)).toEqual(['ACCESS_DENIED']);
    expect(readdirSync(outside)).toEqual([]);
  });
});
