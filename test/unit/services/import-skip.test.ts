// dataset.import with one path outside the allowed folders: that file is skipped and listed as refused; the
// others are imported (before, the whole import was refused).
import { describe, expect, it } from 'vitest';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRequest } from '../../../src-main/contract/validate';
import type { ImportReport } from '../../../src-main/contract';
import { openService } from './harness';
import { repoRoot, tempDir } from '../../helpers';

describe('dataset.import and the allowed folders', () => {
  it('skips a file outside them with a notice and imports the rest', async () => {
    const allowed = tempDir();
    const outside = tempDir();
    const sample = join(repoRoot, 'assets', 'sample', 'bars_blurred.tif');
    copyFileSync(sample, join(allowed, 'in.tif'));
    copyFileSync(sample, join(outside, 'out.tif'));
    const { service, projectDir } = await openService(allowed);
    try {
      await service.handlers['project.create'](parseRequest('project.create', { dir: projectDir }));
      const r = (await service.handlers['dataset.import'](
        parseRequest('dataset.import', { paths: [join(outside, 'out.tif'), join(allowed, 'in.tif')] }),
      )) as ImportReport;
      expect(r.imported.map((d) => d.name)).toEqual(['in.tif']);
      expect(r.failed).toHaveLength(1);
      expect(r.failed[0]).toMatchObject({ path: join(outside, 'out.tif'), code: 'ACCESS_DENIED' });
      expect(r.failed[0]!.message).toMatch(/outside the allowed folders: skipped/);
      // Only refused paths: nothing to import, the refusal itself comes back.
      await expect(
        service.handlers['dataset.import'](parseRequest('dataset.import', { paths: [join(outside, 'out.tif')] })),
      ).rejects.toThrow(/outside the allowed folders/);
    } finally {
      await service.close();
    }
  });
});
