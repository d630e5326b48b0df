import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { expandInputs, outputIsFolder, outputPathFor } from '../../../src-main/cli/inputs';
import { tempDir } from '../../helpers';

describe('batch inputs', () => {
  const dir = tempDir();
  for (const f of ['a.tif', 'b.TIFF', 'c.txt', 'cell_1.tif', 'cell_2.tif']) writeFileSync(join(dir, f), 'x');
  mkdirSync(join(dir, 'sub'));

  it('expands folders to their TIFFs, globs in the last segment, and plain files, without duplicates', async () => {
    expect(await expandInputs([dir])).toEqual(['a.tif', 'b.TIFF', 'cell_1.tif', 'cell_2.tif'].map((f) => join(dir, f)));
    expect(await expandInputs([join(dir, 'cell_?.tif'), join(dir, 'cell_1.tif')])).toEqual([
      join(dir, 'cell_1.tif'),
      join(dir, 'cell_2.tif'),
    ]);
    await expect(expandInputs([join(dir, 'nothing*.tif')])).rejects.toThrow(/matches no files/);
    await expect(expandInputs([join(dir, 'missing.tif')])).rejects.toThrow(/does not exist/);
    await expect(expandInputs([join(dir, 'sub')])).rejects.toThrow(/no .tif/);
  });

  it('decides file vs folder output and names batch results', async () => {
    expect(await outputIsFolder(join(dir, 'out.tif'), 1)).toBe(false);
    expect(await outputIsFolder(join(dir, 'out.tif'), 2)).toBe(true);
    expect(await outputIsFolder(join(dir, 'sub'), 1)).toBe(true);
    expect(await outputIsFolder(join(dir, 'results/'), 1)).toBe(true);
    expect(outputPathFor('/x/cells.ome.tif', '/o', 'decon')).toBe(join('/o', 'cells_decon.tif'));
  });
});
