import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseRequest } from '../../../src-main/contract/validate';
import type { Job } from '../../../src-main/contract/schemas';
import { readTiffInfo, readVolume } from '../../../src-main/core/io';
import { loadPredictor } from '../../../src-main/core/infer/load';
import { deconvolveFile } from '../../../src-main/core/infer/deconvolve';
import { openService, waitJob } from './harness';
import { repoRoot, tempDir } from '../../helpers';

// The bundled demo model (test/fixtures/model-bars, trained by this project with `cycledecon train`) and its sample stack
// (assets/sample: flowdec "Hollow Bars", Apache-2.0; see assets/sample/README.md).
const modelDir = join(repoRoot, 'test', 'fixtures', 'model-bars');
const sampleDir = join(repoRoot, 'assets', 'sample');

describe('deconvolve jobs with a trained model', () => {
  it('run in the job worker and give the same result as cycledecon deconvolve in-process', async () => {
    const { service, projectDir } = await openService(sampleDir, modelDir);
    try {
      await service.handlers['project.create'](parseRequest('project.create', { dir: projectDir }));
      const imp = (await service.handlers['dataset.import'](
        parseRequest('dataset.import', { paths: [join(sampleDir, 'bars_blurred.tif')] }),
      )) as { imported: { id: string }[] };
      const submitted = (await service.handlers['jobs.submit'](
        parseRequest('jobs.submit', {
          spec: { kind: 'deconvolve', method: 'model', datasetId: imp.imported[0]!.id, runDir: modelDir },
        }),
      )) as Job;
      const job = await waitJob(service, submitted.id, 90_000, 200);
      expect(job.state, JSON.stringify(job.error ?? {})).toBe('done');
      const results = (await service.handlers['results.list'](parseRequest('results.list', {}))) as {
        results: { path: string; method?: string }[];
      };
      const produced = results.results.find((r) => r.method === 'cycledecon');
      expect(produced).toBeDefined();
      const fromQueue = await readVolume(produced!.path);

      const direct = join(tempDir(), 'direct.tif');
      await deconvolveFile(
        join(sampleDir, 'bars_blurred.tif'),
        direct,
        await loadPredictor({ method: 'model', runDir: modelDir, backend: 'cpu' }),
        { tile: 'auto' },
      );
      const expected = await readVolume(direct);
      expect(fromQueue.shape).toEqual(expected.shape);
      let maxDiff = 0,
        range = 0;
      for (let i = 0; i < expected.data.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(fromQueue.data[i]! - expected.data[i]!));
        range = Math.max(range, Math.abs(expected.data[i]!));
      }
      expect(range).toBeGreaterThan(0);
      expect(maxDiff / range).toBeLessThan(1e-5);
    } finally {
      await service.close();
    }
  }, 150_000);

  it("writes the project's voxel-size override into the model result (not the file's own calibration)", async () => {
    const { service, projectDir } = await openService(sampleDir, modelDir);
    const h = service.handlers;
    try {
      await h['project.create'](parseRequest('project.create', { dir: projectDir }));
      const imp = (await h['dataset.import'](
        parseRequest('dataset.import', { paths: [join(sampleDir, 'bars_blurred.tif')] }),
      )) as { imported: { id: string }[] };
      const id = imp.imported[0]!.id;
      await h['dataset.update'](
        parseRequest('dataset.update', { id, voxelSizeOverride: { x: 0.07, y: 0.07, z: 0.21, unit: 'µm' } }),
      );
      const submitted = (await h['jobs.submit'](
        parseRequest('jobs.submit', { spec: { kind: 'deconvolve', method: 'model', datasetId: id, runDir: modelDir } }),
      )) as Job;
      const job = await waitJob(service, submitted.id, 90_000, 200);
      expect(job.state, JSON.stringify(job.error ?? {})).toBe('done');
      const results = (await h['results.list'](parseRequest('results.list', {}))) as {
        results: { path: string; method?: string }[];
      };
      const info = await readTiffInfo(results.results.find((r) => r.method === 'cycledecon')!.path);
      expect(info.voxelSize.x).toBeCloseTo(0.07, 6);
      expect(info.voxelSize.z).toBeCloseTo(0.21, 6);
      expect(info.extra['cycledecon.voxelSizeSource']).toBe('project');
    } finally {
      await service.close();
    }
  }, 150_000);

  it('refuses a run folder outside the allowed folders', async () => {
    const { service, projectDir } = await openService(sampleDir);
    try {
      await service.handlers['project.create'](parseRequest('project.create', { dir: projectDir }));
      const imp = (await service.handlers['dataset.import'](
        parseRequest('dataset.import', { paths: [join(sampleDir, 'bars_blurred.tif')] }),
      )) as { imported: { id: string }[] };
      await expect(
        service.handlers['jobs.submit'](
          parseRequest('jobs.submit', {
            spec: { kind: 'deconvolve', method: 'model', datasetId: imp.imported[0]!.id, runDir: modelDir },
          }),
        ),
      ).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    } finally {
      await service.close();
    }
  });
});
