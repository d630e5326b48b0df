import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { parseRequest } from '../../../src-main/contract/validate';
import type { Job } from '../../../src-main/contract/schemas';
import { readVolume } from '../../../src-main/core/io';
import { openService, waitJob } from './harness';
import { repoRoot } from '../../helpers';

// Domain A: assets/sample/bars_blurred.tif (flowdec "Hollow Bars", Apache-2.0, see assets/sample/README.md);
// domain B: assets/model/train_sharp.tif (project-made synthetic sharp data, unmatched).
const blurredPath = join(repoRoot, 'assets', 'sample', 'bars_blurred.tif');
const sharpPath = join(repoRoot, 'assets', 'model', 'train_sharp.tif');


describe('training jobs in the queue', () => {
  it('train the tiny preset in the job worker, list the learned PSF, and feed a dependent model job', async () => {
    const { service, projectDir } = await openService(join(repoRoot, 'assets'));
    try {
      await service.handlers['project.create'](parseRequest('project.create', { dir: projectDir }));
      const imp = (await service.handlers['dataset.import'](parseRequest('dataset.import', { paths: [blurredPath, sharpPath] }))) as { imported: { id: string; name: string }[] };
      const blurred = imp.imported.find((d) => d.name === 'bars_blurred.tif')!;
      const sharp = imp.imported.find((d) => d.name === 'train_sharp.tif')!;
      const trainJob = (await service.handlers['jobs.submit'](parseRequest('jobs.submit', {
        spec: { kind: 'train', blurredIds: [blurred.id], sharpIds: [sharp.id], preset: 'tiny', config: { maxSteps: 3, seed: 5 } },
      }))) as Job;
      const deconJob = (await service.handlers['jobs.submit'](parseRequest('jobs.submit', {
        spec: { kind: 'deconvolve', method: 'model', datasetId: blurred.id, trainJobId: trainJob.id },
        dependsOn: [trainJob.id],
      }))) as Job;

      const trained = await waitJob(service, trainJob.id, 120_000);
      expect(trained.state, JSON.stringify(trained.error ?? {})).toBe('done');
      const runDir = join(projectDir, 'jobs', trainJob.id, 'run');
      const history = JSON.parse(readFileSync(join(runDir, 'history.json'), 'utf8')) as unknown[];
      expect(history.length).toBe(3);
      const psf = await readVolume(join(runDir, 'psf.tif'));
      const sum = psf.data.reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 4); // the tiny preset constrains the PSF to sum to one
      expect(Math.min(...psf.data)).toBeGreaterThanOrEqual(0);

      const decon = await waitJob(service, deconJob.id, 120_000);
      expect(decon.state, JSON.stringify(decon.error ?? {})).toBe('done');
      const results = (await service.handlers['results.list'](parseRequest('results.list', {}))) as { results: { jobId: string; kind: string; path: string }[] };
      expect(results.results.find((r) => r.jobId === trainJob.id)?.kind).toBe('psf');
      const out = results.results.find((r) => r.jobId === deconJob.id)!;
      expect(existsSync(out.path)).toBe(true);
      const vol = await readVolume(out.path);
      expect(vol.shape).toEqual([32, 64, 64]);
      expect(vol.data.every(Number.isFinite)).toBe(true);
    } finally {
      await service.close();
    }
  }, 240_000);
});
