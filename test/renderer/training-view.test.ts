// The Training view against a scripted client: live train.loss curves, ETA and speed, Pause / Resume.
import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { setClient } from '../../src-renderer/api';
import { fmtDuration } from '../../src-renderer/lib/format';
import { useJobs } from '../../src-renderer/stores/jobs';
import { useProject } from '../../src-renderer/stores/project';
import TrainingView from '../../src-renderer/views/TrainingView.vue';
import type { Job } from '../../src-main/contract';
import { dataset, fakeClient, job, project } from './fake-client';

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  localStorage.clear(); // the form remembers its choices per project (lib/form-memory.ts)
  pinia = createPinia();
  setActivePinia(pinia);
});

const trainJob = (over: Partial<Job> = {}): Job =>
  job({
    id: 'job_trai0001',
    kind: 'train',
    spec: { kind: 'train', blurredIds: ['ds_aaaa1111'], sharpIds: [], preset: 'tiny', config: {} },
    ...over,
  });
const loss = (step: number, cycleA: number) => ({
  jobId: 'job_trai0001',
  runId: 'run_trai0001',
  step,
  epoch: 0,
  losses: { cycleA, generator: 2 * cycleA },
  lr: 1e-3,
  stepsPerSecond: 2.5,
  etaSeconds: 125,
});

describe('Training view', () => {
  it('draws the live loss curve from train.loss, shows ETA and speed, and pauses / resumes the run', async () => {
    const c = fakeClient({
      'jobs.pause': () => trainJob({ state: 'paused', message: 'paused' }),
      'jobs.resume': () => trainJob({ state: 'queued' }),
    });
    setClient(c);
    useProject().project = project();
    const jobs = useJobs();
    jobs.listen();
    jobs.upsert(trainJob());
    const w = mount(TrainingView, { global: { plugins: [pinia] } });

    c.emit('job.progress', {
      jobId: 'job_trai0001',
      progress: 0.1,
      message: 'step 1/16 cycleA=0.5 generator=1',
      step: 1,
      total: 16,
      etaSeconds: 130,
    });
    for (const [s, v] of [
      [1, 0.5],
      [2, 0.4],
      [3, 0.3],
    ] as const)
      c.emit('train.loss', loss(s, v));
    await flushPromises();
    // One series per loss term, from the events (the first step's parsed message is replaced, not doubled).
    expect(jobs.losses.job_trai0001).toEqual(
      [1, 2, 3].map((step, i) => ({
        step,
        values: { cycleA: [0.5, 0.4, 0.3][i], generator: 2 * [0.5, 0.4, 0.3][i]! },
      })),
    );
    expect(w.findAll('path')).toHaveLength(2);
    expect(w.text()).toContain('Cycle: blurred → sharp → blurred');
    expect(w.find('[data-testid="train-eta"]').text()).toBe(`ETA ${fmtDuration(125)}`);
    expect(w.text()).toContain('2.50 steps/s');

    const button = (label: string) => w.findAll('button').find((b) => b.text() === label);
    expect(button('Resume')).toBeUndefined();
    await button('Pause')!.trigger('click');
    await flushPromises();
    expect(c.calls.at(-1)).toEqual({ method: 'jobs.pause', request: { id: 'job_trai0001' } });
    expect(w.text()).toContain('paused');
    expect(button('Pause')).toBeUndefined();
    expect(w.find('[data-testid="train-eta"]').text()).toBe('ETA —');
    await button('Resume')!.trigger('click');
    await flushPromises();
    expect(c.calls.at(-1)).toEqual({ method: 'jobs.resume', request: { id: 'job_trai0001' } });
    expect(jobs.byId('job_trai0001')?.state).toBe('queued');

    // The resumed run continues after its checkpoint (step 2): the curve drops the steps it redoes.
    c.emit('train.loss', loss(3, 0.35));
    await flushPromises();
    expect(jobs.losses.job_trai0001!.map((p) => [p.step, p.values.cycleA])).toEqual([
      [1, 0.5],
      [2, 0.4],
      [3, 0.35],
    ]);
  });

  it('shows the output check of the finished run: the warning when flagged, a pass otherwise', async () => {
    setClient(fakeClient({}));
    const run = {
      id: 'run_trai0001',
      jobId: 'job_trai0001',
      dir: 'jobs/job_trai0001/run',
      datasetIds: ['ds_aaaa1111'],
      preset: 'tiny',
      createdAt: '2024-01-01T00:00:00Z',
      status: 'done' as const,
    };
    useProject().project = project({
      runs: [{ ...run, outputCheck: 'flagged', warnings: ['G_AB output unrelated to its input'] }],
    });
    useJobs().upsert(trainJob({ state: 'done', progress: 1, message: 'done' }));
    const w = mount(TrainingView, { global: { plugins: [pinia] } });
    expect(w.findAll('[data-testid="train-warning"]').map((p) => p.text())).toEqual([
      '⚠ Output check: G_AB output unrelated to its input',
    ]);
    expect(w.find('[data-testid="train-check-ok"]').exists()).toBe(false);
    useProject().project = project({ runs: [{ ...run, outputCheck: 'passed' }] });
    await flushPromises();
    expect(w.findAll('[data-testid="train-warning"]')).toHaveLength(0);
    expect(w.find('[data-testid="train-check-ok"]').text()).toContain('Output check passed');
    // An older run without a verdict claims neither.
    useProject().project = project({ runs: [run] });
    await flushPromises();
    expect(w.findAll('[data-testid="train-warning"]')).toHaveLength(0);
    expect(w.find('[data-testid="train-check-ok"]').exists()).toBe(false);
  });

  it('submits the PSF start, the PSF model and the spectral weight of the advanced settings (and nothing for "preset")', async () => {
    const c = fakeClient({ 'jobs.submit': () => trainJob({ state: 'queued' }) });
    setClient(c);
    useProject().project = project({
      datasets: [dataset(), dataset({ id: 'ds_ssss0000', name: 'sharp.tif', role: { kind: 'sharp' } })],
    });
    const w = mount(TrainingView, { global: { plugins: [pinia] } });
    await w.find('[data-testid="train-advanced"]').trigger('click');
    await w.find('[data-testid="train-start"]').trigger('click');
    await flushPromises();
    expect(c.calls.find((x) => x.method === 'jobs.submit')?.request).toMatchObject({
      spec: { kind: 'train', blurredIds: ['ds_aaaa1111'], sharpIds: ['ds_ssss0000'], preset: 'fast', config: {} },
    });
    await w.find('[data-testid="train-psf-init"]').setValue('spectral');
    await w.find('[data-testid="train-psf-model"]').setValue('gaussian');
    await w.find('[data-testid="train-lambda-spectral"]').setValue('100');
    await w.find('[data-testid="train-start"]').trigger('click');
    await flushPromises();
    expect(c.calls.filter((x) => x.method === 'jobs.submit').at(-1)?.request).toMatchObject({
      spec: {
        kind: 'train',
        preset: 'fast',
        config: { psf: { init: 'spectral', model: 'gaussian' }, loss: { lambdaSpectral: 100 } },
      },
    });
  });
});
