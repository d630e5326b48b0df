// The queue's Richardson–Lucy job takes the boundary model, background and acceleration, and logs what it used.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseRequest } from '../../../src-main/contract/validate';
import type { Job } from '../../../src-main/contract/schemas';
import { importOne, openService, waitJob } from './harness';
import { repoRoot } from '../../helpers';

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
      const spec = { kind: 'deconvolve', method: 'rl', datasetId: blurred, psf: { from: 'dataset', id: psf }, iterations: 3 };
      const job = (await h['jobs.submit'](parseRequest('jobs.submit', { spec: { ...spec, rl: { boundary: 'reflect', background: 0.5, acceleration: 'shb' } } }))) as Job;
      const done = await waitJob(service, job.id, 120_000);
      expect(done.state, JSON.stringify(done.error)).toBe('done');
      const log = ((await h['jobs.log'](parseRequest('jobs.log', { id: job.id }))) as { lines: string[] }).lines.join('\n');
      expect(log).toMatch(/boundary reflect \(domain [\d×]+\), background 0\.5 \(given\), acceleration shb/);
      const plain = (await h['jobs.submit'](parseRequest('jobs.submit', { spec }))) as Job;
      expect((await waitJob(service, plain.id, 120_000)).state).toBe('done');
      expect(((await h['jobs.log'](parseRequest('jobs.log', { id: plain.id }))) as { lines: string[] }).lines.join('\n')).toMatch(/boundary extend .*\(auto\), acceleration none/);
      for (const rl of [{ boundary: 'mirror' }, { background: -1 }, { acceleration: 'fast' }, { iterationsX: 1 }]) {
        expect(() => parseRequest('jobs.submit', { spec: { ...spec, rl } })).toThrow();
      }
    } finally {
      await service.close();
    }
  });
});
