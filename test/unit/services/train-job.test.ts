import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseRequest } from '../../../src-main/contract/validate';
import type { Job, Project, Result } from '../../../src-main/contract/schemas';
import { readVolume } from '../../../src-main/core/io';
import { openService, waitJob } from './harness';
import { repoRoot } from '../../helpers';

// Domain A: assets/sample/bars_blurred.tif (flowdec "Hollow Bars", Apache-2.0, see assets/sample/README.md);
// domain B: test/fixtures/model-bars/train_sharp.tif (project-made synthetic sharp data, unmatched).
const blurredPath = join(repoRoot, 'assets', 'sample', 'bars_blurred.tif');
const sharpPath = join(repoRoot, 'test', 'fixtures', 'model-bars', 'train_sharp.tif');

describe('training jobs in the queue', () => {
  it('train the tiny preset in the job worker, list the learned PSF, and feed a dependent model job', async () => {
    const { service, projectDir } = await openService(
      join(repoRoot, 'assets'),
      join(repoRoot, 'test', 'fixtures', 'model-bars'),
    );
    try {
      await service.handlers['project.create'](parseRequest('project.create', { dir: projectDir }));
      const imp = (await service.handlers['dataset.import'](
        parseRequest('dataset.import', { paths: [blurredPath, sharpPath] }),
      )) as { imported: { id: string; name: string }[] };
      const blurred = imp.imported.find((d) => d.name === 'bars_blurred.tif')!;
      const sharp = imp.imported.find((d) => d.name === 'train_sharp.tif')!;
      const trainJob = (await service.handlers['jobs.submit'](
        parseRequest('jobs.submit', {
          spec: {
            kind: 'train',
            blurredIds: [blurred.id],
            sharpIds: [sharp.id],
            preset: 'tiny',
            config: { maxSteps: 3, seed: 5 },
          },
        }),
      )) as Job;
      const deconJob = (await service.handlers['jobs.submit'](
        parseRequest('jobs.submit', {
          spec: { kind: 'deconvolve', method: 'model', datasetId: blurred.id, trainJobId: trainJob.id },
          dependsOn: [trainJob.id],
        }),
      )) as Job;

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
      const out = (
        (await service.handlers['results.list'](parseRequest('results.list', {}))) as { results: Result[] }
      ).results.find((r) => r.jobId === deconJob.id)!;
      expect(existsSync(out.path)).toBe(true);
      const vol = await readVolume(out.path);
      expect(vol.shape).toEqual([32, 64, 64]);
      expect(vol.data.every(Number.isFinite)).toBe(true);

      // The project lists the run, with the verdict of its output check (three steps of the tiny preset cannot
      // have learned anything: whatever the verdict, it is the one output-check.json holds).
      const check = JSON.parse(readFileSync(join(runDir, 'output-check.json'), 'utf8')) as {
        collapsed: boolean;
        message: string;
      };
      const proj = (await service.handlers['project.get'](parseRequest('project.get', {}))) as Project;
      expect(proj.runs).toHaveLength(1);
      expect(proj.runs[0]).toMatchObject({
        id: `run_${trainJob.id.slice(4)}`,
        jobId: trainJob.id,
        dir: `jobs/${trainJob.id}/run`,
        preset: 'tiny',
        status: 'done',
        datasetIds: [blurred.id, sharp.id],
      });
      expect(proj.runs[0]!.outputCheck).toBe(check.collapsed ? 'flagged' : 'passed');
      expect(proj.runs[0]!.warnings).toEqual(check.collapsed ? [check.message] : undefined);
      // What it was trained on (domain.json), for the deconvolve panel's voxel-size check.
      const domain = JSON.parse(readFileSync(join(runDir, 'domain.json'), 'utf8')) as { voxelSize: unknown };
      expect(proj.runs[0]!.domain).toEqual({ voxelSize: domain.voxelSize, dimensionality: 3 });
      // The learned PSF is named after its run, and runs.list / runs.get read the run back from its folder.
      const psfResult = proj.results.find((r) => r.jobId === trainJob.id)!;
      expect(psfResult.method).toBe(`learned-psf-tiny-run_${trainJob.id.slice(4)}`);
      const listed = (await service.handlers['runs.list'](parseRequest('runs.list', {}))) as {
        runs: { id: string; steps: number; datasetNames: string[] }[];
      };
      expect(listed.runs).toMatchObject([
        { id: proj.runs[0]!.id, steps: 3, datasetNames: ['bars_blurred.tif', 'train_sharp.tif'] },
      ]);
      const detail = (await service.handlers['runs.get'](parseRequest('runs.get', { id: proj.runs[0]!.id }))) as {
        history: unknown[];
        psf: { shape: number[]; voxelSize: unknown };
      };
      expect(detail.history).toHaveLength(3);
      expect(detail.psf.shape).toEqual([...psf.shape]);
      expect(detail.psf.voxelSize).toEqual(psf.voxelSize);
      // A model job naming no run uses the latest finished one (the app's "latest finished" choice).
      const latestJob = (await service.handlers['jobs.submit'](
        parseRequest('jobs.submit', { spec: { kind: 'deconvolve', method: 'model', datasetId: blurred.id } }),
      )) as Job;
      const latest = await waitJob(service, latestJob.id, 120_000);
      expect(latest.state, JSON.stringify(latest.error ?? {})).toBe('done');
      const resultOf = async (jobId: string) =>
        (
          (await service.handlers['results.list'](parseRequest('results.list', {}))) as { results: Result[] }
        ).results.find((r) => r.jobId === jobId)!;
      const byLatest = await resultOf(latestJob.id);
      expect(byLatest.warnings).toEqual(check.collapsed ? [check.message] : undefined);
      expect(Array.from((await readVolume(byLatest.path)).data)).toEqual(Array.from((await readVolume(out.path)).data));

      // A flagged verdict (written here, as a collapsed run writes it) reaches the run record when the project is
      // opened again, and every result the model makes from then on carries it.
      const flagged = { collapsed: true, correlation: 0.01, message: 'G_AB output unrelated to its input (test)' };
      writeFileSync(join(runDir, 'output-check.json'), JSON.stringify(flagged));
      await service.handlers['project.open'](parseRequest('project.open', { dir: projectDir }));
      const reopened = (await service.handlers['project.get'](parseRequest('project.get', {}))) as Project;
      expect(reopened.runs.map((r) => [r.outputCheck, r.warnings])).toEqual([['flagged', [flagged.message]]]);
      const againJob = (await service.handlers['jobs.submit'](
        parseRequest('jobs.submit', {
          spec: { kind: 'deconvolve', method: 'model', datasetId: blurred.id, runId: reopened.runs[0]!.id },
        }),
      )) as Job;
      expect((await waitJob(service, againJob.id, 120_000)).state).toBe('done');
      expect((await resultOf(againJob.id)).warnings).toEqual([flagged.message]);
      const log = (await service.handlers['jobs.log'](parseRequest('jobs.log', { id: againJob.id }))) as {
        lines: string[];
      };
      expect(log.lines).toContain(`warning: ${flagged.message}`);
      const results = (await service.handlers['results.list'](parseRequest('results.list', {}))) as {
        results: { jobId: string; kind: string; path: string }[];
      };
      expect(results.results.find((r) => r.jobId === trainJob.id)?.kind).toBe('psf');
    } finally {
      await service.close();
    }
  }, 240_000);
});
