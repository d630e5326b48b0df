// The queue's Richardson–Lucy job takes the boundary model, background and acceleration, and logs what it used.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseRequest } from '../../../src-main/contract/validate';
import type { Job } from '../../../src-main/contract/schemas';
import { importOne, openService, waitJob } from './harness';
import { repoRoot } from '../../helpers';
import { readVolume } from '../../../src-main/core/io';
import { richardsonLucy } from '../../../src-main/core/deconv/rl';

const sample = join(repoRoot, 'assets', 'sample');

describe('RL jobs', () => {
  it('run with the chosen boundary, background and acceleration, and log them; bad settings are refused', async () => {
    const { service, projectDir } = await openService(sample);
    const h = service.handlers;
    try {
      await h['project.create'](parseRequest('project.create', { dir: projectDir }));
      const imp = (file: string, role: unknown) => importOne(service, join(sample, file), role);
      const blurred = await imp('bars_blurred.tif', { kind: 'blurred' });
      const psf = await imp('bars_psf.tif', { kind: 'external', tool: 'other' });
      const spec = {
        kind: 'deconvolve',
        method: 'rl',
        datasetId: blurred,
        psf: { from: 'dataset', id: psf },
        iterations: 3,
      };
      const job = (await h['jobs.submit'](
        parseRequest('jobs.submit', {
          spec: { ...spec, rl: { boundary: 'reflect', background: 0.5, acceleration: 'shb' } },
        }),
      )) as Job;
      const done = await waitJob(service, job.id, 120_000);
      expect(done.state, JSON.stringify(done.error)).toBe('done');
      const log = ((await h['jobs.log'](parseRequest('jobs.log', { id: job.id }))) as { lines: string[] }).lines.join(
        '\n',
      );
      expect(log).toMatch(/boundary reflect \(domain [\d×]+\), background 0\.5 \(given\), acceleration shb/);
      const plain = (await h['jobs.submit'](parseRequest('jobs.submit', { spec }))) as Job;
      expect((await waitJob(service, plain.id, 120_000)).state).toBe('done');
      expect(
        ((await h['jobs.log'](parseRequest('jobs.log', { id: plain.id }))) as { lines: string[] }).lines.join('\n'),
      ).toMatch(/boundary extend .*\(auto\), acceleration none/);
      for (const rl of [
        { boundary: 'mirror' },
        { background: -1 },
        { acceleration: 'fast' },
        { iterationsX: 1 },
        { tv: -0.01 },
        { tv: 1 },
      ]) {
        expect(() => parseRequest('jobs.submit', { spec: { ...spec, rl } })).toThrow();
      }
    } finally {
      await service.close();
    }
  });

  it('pass the total-variation weight to the core RL: the job writes what richardsonLucy with tv gives, not plain RL', async () => {
    const { service, projectDir } = await openService(sample);
    const h = service.handlers;
    try {
      await h['project.create'](parseRequest('project.create', { dir: projectDir }));
      const blurred = await importOne(service, join(sample, 'bars_blurred.tif'), { kind: 'blurred' });
      const psf = await importOne(service, join(sample, 'bars_psf.tif'), { kind: 'external', tool: 'other' });
      const spec = {
        kind: 'deconvolve',
        method: 'rl',
        datasetId: blurred,
        psf: { from: 'dataset', id: psf },
        iterations: 4,
        rl: { tv: 0.02 },
      };
      const job = await waitJob(
        service,
        ((await h['jobs.submit'](parseRequest('jobs.submit', { spec }))) as Job).id,
        120_000,
      );
      expect(job.state, JSON.stringify(job.error)).toBe('done');
      expect(
        ((await h['jobs.log'](parseRequest('jobs.log', { id: job.id }))) as { lines: string[] }).lines.join('\n'),
      ).toMatch(/total variation λ 0\.02/);
      const results = (
        (await h['results.list'](parseRequest('results.list', {}))) as { results: { id: string; path: string }[] }
      ).results;
      const written = await readVolume(results.find((r) => r.id === job.outputs[0])!.path);
      // The same RL called directly on the same files: with tv, and without (which the job must not match).
      const [image, kernel] = [
        await readVolume(join(sample, 'bars_blurred.tif')),
        await readVolume(join(sample, 'bars_psf.tif')),
      ];
      const withTv = await richardsonLucy(image, kernel, { iterations: 4, tv: 0.02 });
      const plain = await richardsonLucy(image, kernel, { iterations: 4 });
      const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
      const scale = withTv.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(maxDiff(written.data, withTv.data)).toBeLessThanOrEqual(1e-5 * scale);
      expect(maxDiff(written.data, plain.data)).toBeGreaterThan(1e-3 * scale);
    } finally {
      await service.close();
    }
  });
});
