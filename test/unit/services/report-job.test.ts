import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { parseRequest } from '../../../src-main/contract/validate';
import type { Job, Result } from '../../../src-main/contract/schemas';
import { formatNumber } from '../../../src-main/core/report/html';
import { importOne, openService, waitJob } from './harness';
import { repoRoot } from '../../helpers';

// assets/sample: the flowdec / EPFL "Hollow Bars" phantom (Apache-2.0): blurred stack, its ground truth
// and the PSF that blurred it (see assets/sample/README.md).
const sample = join(repoRoot, 'assets', 'sample');

type Metrics = { psnr: number; nrmse: number; ssim3d: number | null; ssim2d: number };
interface ReportJson {
  title: string;
  input: { shape: number[] };
  metrics: { vsGroundTruth: Record<string, Metrics> };
  psf: Record<string, { fwhm: Record<string, number> }>;
  reblur: { perSlice: number[]; overall: number; inputPerSlice: number[]; inputOverall: number; gain: number };
}

describe('report jobs', () => {
  it('report an RL result through the queue: self-contained HTML + JSON with metrics and the re-blur check', async () => {
    const { service, projectDir } = await openService(sample);
    const h = service.handlers;
    try {
      await h['project.create'](parseRequest('project.create', { dir: projectDir }));
      const imp = (file: string, role: unknown) => importOne(service, join(sample, file), role);
      const blurred = await imp('bars_blurred.tif', { kind: 'blurred' });
      const truth = await imp('bars_truth.tif', { kind: 'sharp' });
      const psf = await imp('bars_psf.tif', { kind: 'external', tool: 'other' });

      const rl = (await h['jobs.submit'](
        parseRequest('jobs.submit', {
          spec: {
            kind: 'deconvolve',
            method: 'rl',
            datasetId: blurred,
            psf: { from: 'dataset', id: psf },
            iterations: 10,
          },
        }),
      )) as Job;
      const rlDone = await waitJob(service, rl.id, 120_000);
      expect(rlDone.state, JSON.stringify(rlDone.error)).toBe('done');
      const rlResult = rlDone.outputs[0]!;

      const rep = (await h['jobs.submit'](
        parseRequest('jobs.submit', { spec: { kind: 'report', itemIds: [rlResult, truth], title: 'Bars RL check' } }),
      )) as Job;
      const repDone = await waitJob(service, rep.id, 120_000);
      expect(repDone.state, JSON.stringify(repDone.error)).toBe('done');
      const results = ((await h['results.list'](parseRequest('results.list', {}))) as { results: Result[] }).results;
      const report = results.find((r) => r.jobId === rep.id)!;
      expect(report.kind).toBe('report');
      expect(report.inputDatasetId).toBe(blurred);
      expect(report.path.startsWith(join(projectDir, 'results'))).toBe(true);
      const html = readFileSync(report.path, 'utf8');
      const jsonPath = report.path.replace(/\.html$/, '.json');
      expect(existsSync(jsonPath)).toBe(true);
      const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as ReportJson;
      expect(readdirSync(join(projectDir, 'results')).filter((f) => f.endsWith('.tmp'))).toEqual([]);

      // Self-contained, with the figures (orthoviews, PSF, re-blur curve) embedded.
      expect(html).toContain('<title>Bars RL check</title>');
      expect(html).not.toMatch(/<script|<link|src="(?!data:)/);
      expect((html.match(/src="data:image\/png;base64,/g) ?? []).length).toBeGreaterThanOrEqual(3);
      for (const section of [
        'Input and result',
        'Point spread function',
        'Metrics against ground truth',
        'Re-blur check',
      ])
        expect(html).toContain(section);

      // The JSON's numbers: finite, shown in the HTML, equal to the service's own metrics, and consistent.
      expect(json.title).toBe('Bars RL check');
      expect(json.input.shape).toEqual([32, 64, 64]);
      const m = json.metrics.vsGroundTruth;
      for (const row of [m.input!, m.result!])
        for (const v of [row.psnr, row.nrmse, row.ssim3d!, row.ssim2d]) expect(Number.isFinite(v)).toBe(true);
      expect(html).toContain(formatNumber(m.result!.psnr));
      const direct = (await h['metrics.compute'](
        parseRequest('metrics.compute', { referenceId: truth, testId: rlResult }),
      )) as { values: Record<string, number> };
      expect(m.result!.psnr).toBeCloseTo(direct.values.psnr!, 6);
      expect(m.result!.ssim3d!).toBeCloseTo(direct.values.ssim!, 6);
      expect(m.result!.psnr).toBeGreaterThan(m.input!.psnr); // RL with the true PSF beats the blurred input
      const rb = json.reblur;
      expect(rb.perSlice).toHaveLength(32);
      expect(rb.perSlice.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
      expect(rb.overall).toBeGreaterThanOrEqual(Math.min(...rb.perSlice) - 1e-9); // a weighted RMS of the slices
      expect(rb.overall).toBeLessThanOrEqual(Math.max(...rb.perSlice) + 1e-9);
      expect(rb.overall).toBeLessThan(rb.inputOverall); // RL's result explains the data better than the input re-blurred
      expect(Object.keys(json.psf)).toEqual(['theoretical']); // the PSF the RL job used
      expect(Object.values(json.psf.theoretical!.fwhm).every((v) => Number.isFinite(v) && v > 0)).toBe(true);

      // Nothing to report: a clear error, not an empty page.
      const bad = (await h['jobs.submit'](
        parseRequest('jobs.submit', { spec: { kind: 'report', itemIds: [truth] } }),
      )) as Job;
      const badDone = await waitJob(service, bad.id, 60_000);
      expect(badDone.state).toBe('failed');
      expect(badDone.error!.message).toMatch(/names no deconvolution result/);
    } finally {
      await service.close();
    }
  }, 240_000);

  it('a model result is reported with its run (learned PSF, losses) and the RL result of the same input beside it', async () => {
    const { service, projectDir } = await openService(
      join(repoRoot, 'assets'),
      join(repoRoot, 'test', 'fixtures', 'model-bars'),
    );
    const h = service.handlers;
    try {
      await h['project.create'](parseRequest('project.create', { dir: projectDir }));
      const imp = (file: string, role: unknown) => importOne(service, join(sample, file), role);
      const blurred = await imp('bars_blurred.tif', { kind: 'blurred' });
      const truth = await imp('bars_truth.tif', { kind: 'sharp' });
      // The bundled toy model (test/fixtures/model-bars/README.md) and RL with a generated Born–Wolf PSF.
      const model = (await h['jobs.submit'](
        parseRequest('jobs.submit', {
          spec: {
            kind: 'deconvolve',
            method: 'model',
            datasetId: blurred,
            runDir: join(repoRoot, 'test', 'fixtures', 'model-bars'),
          },
        }),
      )) as Job;
      const params = {
        model: 'born-wolf',
        shape: [9, 15, 15],
        voxelSize: { x: 0.1, y: 0.1, z: 0.2, unit: 'µm' },
        numericalAperture: 1.2,
        wavelength: 0.52,
      };
      const rl = (await h['jobs.submit'](
        parseRequest('jobs.submit', {
          spec: {
            kind: 'deconvolve',
            method: 'rl',
            datasetId: blurred,
            psf: { from: 'generate', params },
            iterations: 5,
          },
        }),
      )) as Job;
      const [modelDone, rlDone] = [await waitJob(service, model.id, 120_000), await waitJob(service, rl.id, 120_000)];
      expect(modelDone.state, JSON.stringify(modelDone.error)).toBe('done');
      expect(rlDone.state, JSON.stringify(rlDone.error)).toBe('done');

      const rep = (await h['jobs.submit'](
        parseRequest('jobs.submit', {
          spec: { kind: 'report', itemIds: [modelDone.outputs[0]!, rlDone.outputs[0]!, truth] },
        }),
      )) as Job;
      const repDone = await waitJob(service, rep.id, 120_000);
      expect(repDone.state, JSON.stringify(repDone.error)).toBe('done');
      expect(repDone.outputs).toHaveLength(2); // one report per deconvolved item
      const results = (
        (await h['results.list'](parseRequest('results.list', {}))) as { results: Result[] }
      ).results.filter((r) => r.jobId === rep.id);
      expect(results.map((r) => r.method)).toEqual(['report-cycledecon', 'report-rl-5']);
      const read = (r: Result) => ({
        html: readFileSync(r.path, 'utf8'),
        json: JSON.parse(readFileSync(r.path.replace(/\.html$/, '.json'), 'utf8')) as ReportJson & {
          loss?: { steps: number };
          run?: { dir: string };
        },
      });
      const m = read(results[0]!);
      expect(m.json.run!.dir).toBe(join(repoRoot, 'test', 'fixtures', 'model-bars'));
      expect(Object.keys(m.json.psf)).toEqual(['learned']);
      expect(m.json.loss!.steps).toBeGreaterThan(0);
      expect(Object.keys(m.json.metrics.vsGroundTruth)).toEqual(['input', 'result', 'rl']);
      expect(
        Object.values(m.json.metrics.vsGroundTruth).every((r) => Number.isFinite(r.psnr) && Number.isFinite(r.ssim2d)),
      ).toBe(true);
      expect(m.html).toContain('Training losses');
      expect(m.html).toContain('Richardson–Lucy');
      const r = read(results[1]!);
      expect(r.json.psf.theoretical).toBeDefined(); // the generated PSF the RL job used
      expect(Object.keys(r.json.metrics.vsGroundTruth)).toEqual(['input', 'result']);
      expect(r.json.reblur.perSlice.every(Number.isFinite)).toBe(true);
    } finally {
      await service.close();
    }
  }, 240_000);
});
