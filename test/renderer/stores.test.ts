// Stores against a scripted client: what they call, how they react to events, how they report errors.
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { setClient } from '../../src-renderer/api';
import { estimateEta, parseLosses, useJobs } from '../../src-renderer/stores/jobs';
import { useNotices } from '../../src-renderer/stores/notices';
import { effectiveVoxelSize, useProject } from '../../src-renderer/stores/project';
import { dataset, fakeClient, job, project } from './fake-client';

beforeEach(() => setActivePinia(createPinia()));

describe('project store', () => {
  it('creates a project, then re-fetches it when the server says it changed', async () => {
    let version = 0;
    const c = fakeClient({
      'project.create': () => project({ name: 'new' }),
      'project.get': () => project({ name: `v${++version}` }),
      'project.recent': () => ({ projects: [{ dir: '/data/proj', name: 'new', openedAt: '2024-01-01T00:00:00Z' }] }),
    });
    setClient(c);
    const s = useProject();
    expect(await s.create('/data/proj', 'new')).toBe(true);
    expect(c.calls[0]).toEqual({ method: 'project.create', request: { dir: '/data/proj', name: 'new' } });
    expect(s.project?.name).toBe('new');
    c.emit('project.changed', { projectId: 'prj_abcd1234' });
    await new Promise((r) => setTimeout(r, 0));
    expect(s.project?.name).toBe('v1');
    expect(s.recent).toHaveLength(1);
  });

  it('reports failures in plain words with the server hint, and stays usable', async () => {
    setClient(
      fakeClient({
        'project.open': () => {
          throw Object.assign(new Error('/x: is outside the allowed folders'), {
            code: 'ACCESS_DENIED',
            hint: 'Open the folder first.',
          });
        },
      }),
    );
    const s = useProject();
    expect(await s.open('/x')).toBe(false);
    const n = useNotices().items[0]!;
    expect(n.title).toBe('Opening the project failed');
    expect(n.detail).toContain('outside the allowed folders');
    expect(n.hint).toBe('Open the folder first.');
    expect(s.busy).toBe(false);
  });

  it('imports, lists what failed, and refreshes', async () => {
    const c = fakeClient({
      'dataset.import': () => ({
        imported: [dataset()],
        duplicates: [],
        moved: [],
        failed: [{ path: '/d/bad.tif', code: 'TIFF_FORMAT', message: 'not a TIFF' }],
      }),
      'project.get': () => project(),
    });
    setClient(c);
    const s = useProject();
    const r = await s.importPaths(['/d/data.tif', '/d/bad.tif'], { kind: 'sharp' });
    expect(r?.imported).toHaveLength(1);
    expect(c.calls[0]!.request).toEqual({ paths: ['/d/data.tif', '/d/bad.tif'], role: { kind: 'sharp' } });
    expect(useNotices().items[0]!.detail).toContain('/d/bad.tif: not a TIFF');
    expect(s.datasets).toHaveLength(1);
  });

  it('uses the voxel size override and flags a missing calibration', () => {
    expect(effectiveVoxelSize(dataset()).missing).toBe(true);
    const o = { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' };
    expect(effectiveVoxelSize(dataset({ voxelSizeOverride: o }))).toEqual({ size: o, missing: false });
  });
});

describe('jobs store', () => {
  it('follows state, progress, logs and PSF snapshots from events', () => {
    const c = fakeClient({});
    setClient(c);
    const s = useJobs();
    s.listen();
    c.emit('job.state', { job: job() });
    c.emit('job.progress', {
      jobId: 'job_aaaa1111',
      progress: 0.5,
      message: 'step 10/20 cycle=0.25 adv=1.5e-1',
      step: 10,
      total: 20,
    });
    c.emit('job.log', { jobId: 'job_aaaa1111', line: 'hello' });
    c.emit('train.psfSnapshot', {
      jobId: 'job_aaaa1111',
      runId: 'run_aaaa1111',
      iteration: 3,
      shape: [1, 1, 2],
      data: [0.25, 0.75],
    });
    c.emit('job.state', { job: job({ state: 'done', progress: 1 }) });
    expect(s.jobs).toHaveLength(1);
    expect(s.jobs[0]!.state).toBe('done');
    expect(s.live.job_aaaa1111?.progress).toBe(0.5);
    expect(s.losses.job_aaaa1111).toEqual([{ step: 10, values: { cycle: 0.25, adv: 0.15 } }]);
    expect(s.logs.job_aaaa1111).toEqual(['hello']);
    expect(Array.from(s.psf.job_aaaa1111?.data ?? [])).toEqual([0.25, 0.75]);
  });

  it('cancels and retries through the contract and keeps the returned job', async () => {
    const c = fakeClient({
      'jobs.cancel': () => job({ state: 'cancelled' }),
      'jobs.retry': () => job({ state: 'queued' }),
    });
    setClient(c);
    const s = useJobs();
    await s.cancel('job_aaaa1111');
    expect(s.jobs[0]!.state).toBe('cancelled');
    await s.retry('job_aaaa1111');
    expect(s.jobs[0]!.state).toBe('queued');
    expect(c.calls.map((x) => x.method)).toEqual(['jobs.cancel', 'jobs.retry']);
  });

  it('pauses and resumes, and names the refused action in its notice', async () => {
    const refuse = () => {
      throw Object.assign(new Error('job job_aaaa1111 is done'), { code: 'QUEUE', hint: 'List jobs.' });
    };
    const c = fakeClient({
      'jobs.pause': () => job({ state: 'paused' }),
      'jobs.resume': () => job({ state: 'queued' }),
      'jobs.cancel': refuse,
      'jobs.retry': refuse,
    });
    setClient(c);
    const s = useJobs();
    await s.pause('job_aaaa1111');
    expect(s.jobs[0]!.state).toBe('paused');
    await s.resume('job_aaaa1111');
    expect(s.jobs[0]!.state).toBe('queued');
    await s.cancel('job_aaaa1111');
    await s.retry('job_aaaa1111');
    expect(s.jobs).toHaveLength(1);
    expect(s.jobs[0]!.state).toBe('queued');
    expect(useNotices().items.map((n) => n.title)).toEqual(['Cancelling the job failed', 'Retrying the job failed']);
    expect(c.calls.map((x) => [x.method, x.request])).toEqual([
      ['jobs.pause', { id: 'job_aaaa1111' }],
      ['jobs.resume', { id: 'job_aaaa1111' }],
      ['jobs.cancel', { id: 'job_aaaa1111' }],
      ['jobs.retry', { id: 'job_aaaa1111' }],
    ]);
  });

  it('parses loss values and estimates the remaining time', () => {
    expect(parseLosses('epoch 3 step 40/200 cycle=0.12 adv: 0.48 lr=1e-4')).toEqual({
      cycle: 0.12,
      adv: 0.48,
      lr: 1e-4,
    });
    const started = job({ startedAt: new Date(0).toISOString() });
    expect(estimateEta(started, { progress: 0.25, message: '', at: 0 }, 30_000)).toBeCloseTo(90);
    expect(estimateEta(started, { progress: 0.25, message: '', etaSeconds: 12, at: 0 }, 30_000)).toBe(12);
    expect(estimateEta(job({ startedAt: null }), undefined)).toBeNull();
  });
});
