// Views and components as the microscopist meets them, mounted in happy-dom with a scripted client.
import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { setClient } from '../../src-renderer/api';
import LinePlot from '../../src-renderer/components/LinePlot.vue';
import NoticeBanner from '../../src-renderer/components/NoticeBanner.vue';
import PsfProfiles from '../../src-renderer/components/PsfProfiles.vue';
import { useJobs } from '../../src-renderer/stores/jobs';
import { useNotices } from '../../src-renderer/stores/notices';
import { useProject } from '../../src-renderer/stores/project';
import DatasetsView from '../../src-renderer/views/DatasetsView.vue';
import QueueView from '../../src-renderer/views/QueueView.vue';
import VolumePicker from '../../src-renderer/components/VolumePicker.vue';
import type { Result, TrainRun } from '../../src-main/contract';
import { dataset, fakeClient, job, project } from './fake-client';

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
});

describe('Datasets view', () => {
  it('warns about a missing voxel size and saves the one entered as an override', async () => {
    const calib = dataset({
      id: 'ds_cccc3333',
      name: 'calibrated.tif',
      voxelSize: { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' },
    });
    const c = fakeClient({
      'dataset.update': (r: { id: string }) => ({
        ...dataset(),
        voxelSizeOverride: { x: 0.065, y: 0.065, z: 0.2, unit: 'µm' },
        id: r.id,
      }),
      'dataset.slice': () => {
        throw new Error('no preview in tests');
      },
    });
    setClient(c);
    useProject().project = project({ datasets: [dataset(), calib] });
    const w = mount(DatasetsView, { global: { plugins: [pinia] } });
    const rows = w.findAll('[data-testid="dataset-table"] tbody tr');
    expect(rows).toHaveLength(2);
    expect(rows[0]!.text()).toContain('⚠ missing');
    expect(rows[1]!.text()).not.toContain('⚠ missing');
    const inputs = rows[0]!.findAll('input[type="number"]');
    expect((inputs[0]!.element as HTMLInputElement).value).toBe('');
    await inputs[0]!.setValue('0.065');
    await inputs[1]!.setValue('0.065');
    await inputs[2]!.setValue('0.2');
    await rows[0]!.find('button[title="Save voxel size"]').trigger('click');
    await flushPromises();
    expect(c.calls.find((x) => x.method === 'dataset.update')?.request).toEqual({
      id: 'ds_aaaa1111',
      voxelSizeOverride: { x: 0.065, y: 0.065, z: 0.2, unit: 'µm' },
    });
  });

  it('queues Richardson–Lucy with the chosen PSF stack', async () => {
    const c = fakeClient({
      'jobs.submit': () => job({ state: 'queued' }),
      'dataset.slice': () => {
        throw new Error('x');
      },
    });
    setClient(c);
    useProject().project = project({ datasets: [dataset(), dataset({ id: 'ds_bbbb2222', name: 'kernel.tif' })] });
    const w = mount(DatasetsView, { global: { plugins: [pinia] } });
    await w.find('[data-testid="deconv-psf"]').setValue('ds_bbbb2222');
    await w.find('[data-testid="deconv-iterations"]').setValue('15');
    await w.find('[data-testid="deconv-queue"]').trigger('click');
    await flushPromises();
    expect(c.calls.at(-1)).toEqual({
      method: 'jobs.submit',
      request: {
        spec: {
          kind: 'deconvolve',
          method: 'rl',
          datasetId: 'ds_aaaa1111',
          psf: { from: 'dataset', id: 'ds_bbbb2222' },
          iterations: 15,
          rl: { boundary: 'extend', background: 'auto', acceleration: 'none' },
        },
        dependsOn: [],
      },
    });
    expect(w.text()).toContain('Queued job_aaaa1111');
  });

  it('queues Richardson–Lucy with the chosen boundary, background and acceleration', async () => {
    const c = fakeClient({
      'jobs.submit': () => job({ state: 'queued' }),
      'dataset.slice': () => {
        throw new Error('x');
      },
    });
    setClient(c);
    useProject().project = project({ datasets: [dataset(), dataset({ id: 'ds_bbbb2222', name: 'kernel.tif' })] });
    const w = mount(DatasetsView, { global: { plugins: [pinia] } });
    await w.find('[data-testid="deconv-psf"]').setValue('ds_bbbb2222');
    await w.find('[data-testid="deconv-boundary"]').setValue('reflect');
    await w.find('[data-testid="deconv-background-mode"]').setValue('value');
    await w.find('[data-testid="deconv-background"]').setValue('217');
    await w.find('[data-testid="deconv-acceleration"]').setValue('shb');
    await w.find('[data-testid="deconv-queue"]').trigger('click');
    await flushPromises();
    expect(c.calls.at(-1)?.request).toEqual({
      spec: {
        kind: 'deconvolve',
        method: 'rl',
        datasetId: 'ds_aaaa1111',
        psf: { from: 'dataset', id: 'ds_bbbb2222' },
        iterations: 20,
        rl: { boundary: 'reflect', background: 217, acceleration: 'shb' },
      },
      dependsOn: [],
    });
    await w.find('[data-testid="deconv-background"]').setValue('-3');
    expect(w.find('[data-testid="deconv-queue"]').attributes('disabled')).toBeDefined();
  });
});

describe('model output checks in the views', () => {
  const run = (over: Partial<TrainRun> = {}): TrainRun => ({
    id: 'run_aaaa0001',
    jobId: 'job_aaaa0001',
    dir: 'jobs/job_aaaa0001/run',
    datasetIds: ['ds_aaaa1111'],
    preset: 'fast',
    createdAt: '2024-01-02T00:00:00Z',
    status: 'done',
    outputCheck: 'passed',
    ...over,
  });
  const flaggedRun = run({
    id: 'run_bbbb0002',
    jobId: 'job_bbbb0002',
    createdAt: '2024-01-03T00:00:00Z',
    outputCheck: 'flagged',
    warnings: ['G_AB output unrelated to its input'],
  });

  it('the deconvolve panel marks a flagged run, warns when it is the one used, and not for a run that passed', async () => {
    const c = fakeClient({
      'jobs.submit': () => job({ state: 'queued' }),
      'dataset.slice': () => {
        throw new Error('x');
      },
    });
    setClient(c);
    useProject().project = project({
      runs: [
        run(),
        flaggedRun,
        run({ id: 'run_cccc0003', jobId: 'job_cccc0003', status: 'failed', createdAt: '2024-01-04T00:00:00Z' }),
      ],
    });
    const w = mount(DatasetsView, { global: { plugins: [pinia] } });
    await w.find('[data-testid="deconv-method"]').setValue('model');
    // Finished runs only, newest first; the flagged one marked.
    const labels = w.findAll('[data-testid="deconv-run"] option').map((o) => o.text());
    expect(labels).toEqual([
      'latest finished',
      '⚠ run_bbbb0002 (fast, 2024-01-03 00:00)',
      'run_aaaa0001 (fast, 2024-01-02 00:00)',
    ]);
    // "latest finished" is the flagged run: its warning shows.
    expect(w.findAll('[data-testid="deconv-run-warning"]').map((p) => p.text())).toEqual([
      '⚠ run_bbbb0002: G_AB output unrelated to its input',
    ]);
    await w.find('[data-testid="deconv-run"]').setValue('run_aaaa0001');
    expect(w.findAll('[data-testid="deconv-run-warning"]')).toHaveLength(0);
    await w.find('[data-testid="deconv-queue"]').trigger('click');
    await flushPromises();
    expect(c.calls.at(-1)).toEqual({
      method: 'jobs.submit',
      request: {
        spec: { kind: 'deconvolve', method: 'model', datasetId: 'ds_aaaa1111', runId: 'run_aaaa0001' },
        dependsOn: [],
      },
    });
  });

  it('the deconvolve panel warns when the chosen run was trained at another voxel size, or on 3D stacks for a 2D input', async () => {
    setClient(
      fakeClient({
        'dataset.slice': () => {
          throw new Error('x');
        },
      }),
    );
    const um = (x: number, z: number) => ({ x, y: x, z, unit: 'µm' });
    const trained = run({ domain: { voxelSize: um(0.1, 0.3), dimensionality: 3 } });
    useProject().project = project({ runs: [trained], datasets: [dataset({ voxelSize: um(0.3, 0.3) })] });
    const w = mount(DatasetsView, { global: { plugins: [pinia] } });
    await w.find('[data-testid="deconv-method"]').setValue('model');
    expect(w.findAll('[data-testid="deconv-domain-warning"]').map((p) => p.text())).toEqual([
      "⚠ run_aaaa0001: voxel size 0.3×0.3×0.3 µm differs from the model's training data (0.1×0.1×0.3 µm) by more than 25 % (x 3.00×, y 3.00×): its result is extrapolation.",
    ]);
    // The override wins over the file's calibration; at the training voxel size nothing is said.
    useProject().project = project({
      runs: [trained],
      datasets: [dataset({ voxelSize: um(0.3, 0.3), voxelSizeOverride: um(0.1, 0.3) })],
    });
    await flushPromises();
    expect(w.findAll('[data-testid="deconv-domain-warning"]')).toHaveLength(0);
    useProject().project = project({
      runs: [trained],
      datasets: [dataset({ shape: [1, 64, 64], voxelSize: um(0.1, 0.3) })],
    });
    await flushPromises();
    expect(w.find('[data-testid="deconv-domain-warning"]').text()).toContain(
      'this stack is 2D (one slice) but the model was trained on 3D stacks',
    );
    // A run without a record (older): no domain warning.
    useProject().project = project({ runs: [run()], datasets: [dataset({ voxelSize: um(0.3, 0.3) })] });
    await flushPromises();
    expect(w.findAll('[data-testid="deconv-domain-warning"]')).toHaveLength(0);
  });

  it('the volume picker marks a result made by a flagged model and shows its warning when chosen', async () => {
    setClient(fakeClient({}));
    const res = (id: string, warnings?: string[]): Result => ({
      id,
      jobId: 'job_x',
      kind: 'deconvolved',
      path: `/p/results/${id}.tif`,
      inputDatasetId: 'ds_aaaa1111',
      method: 'cycledecon',
      shape: [4, 4, 4],
      createdAt: '2024-01-01T00:00:00Z',
      ...(warnings ? { warnings } : {}),
    });
    useProject().project = project({ results: [res('res_good0001'), res('res_bad00002', ['model flagged'])] });
    const w = mount(VolumePicker, { props: { modelValue: 'res_good0001' }, global: { plugins: [pinia] } });
    expect(w.findAll('option').map((o) => o.text())).toEqual([
      '— choose —',
      'data.tif (blurred)',
      'cycledecon · res_good0001.tif (deconvolved)',
      '⚠ cycledecon · res_bad00002.tif (deconvolved)',
    ]);
    expect(w.findAll('[data-testid="volume-warning"]')).toHaveLength(0);
    await w.setProps({ modelValue: 'res_bad00002' });
    expect(w.findAll('[data-testid="volume-warning"]').map((s) => s.text())).toEqual(['⚠ model flagged']);
  });
});

describe('Queue view', () => {
  it('lists jobs with progress and offers cancel for running and retry for failed ones', async () => {
    const failed = job({
      id: 'job_ffff0000',
      state: 'failed',
      error: { code: 'OUT_OF_MEMORY', message: 'GPU memory exhausted', hint: 'Use a smaller tile.' },
      createdAt: '2024-01-01T00:00:01Z',
    });
    const c = fakeClient({
      'jobs.list': () => ({ jobs: [job(), failed] }),
      'jobs.cancel': () => job({ state: 'cancelled' }),
      'jobs.retry': () => ({ ...failed, state: 'queued', error: null }),
    });
    setClient(c);
    useProject().project = project();
    const w = mount(QueueView, { global: { plugins: [pinia] } });
    await flushPromises();
    const running = w.find('tr[data-job="job_aaaa1111"]');
    expect(running.text()).toContain('Richardson–Lucy ×20 on data.tif');
    expect(running.find('[role="progressbar"]').attributes('aria-valuenow')).toBe('25');
    expect(w.find('tr[data-job="job_ffff0000"]').text()).toContain('Use a smaller tile.');
    await running
      .findAll('button')
      .find((b) => b.text() === 'Cancel')
      ?.trigger('click');
    await w
      .find('tr[data-job="job_ffff0000"]')
      .findAll('button')
      .find((b) => b.text() === 'Retry')
      ?.trigger('click');
    await flushPromises();
    expect(c.calls.map((x) => x.method)).toEqual(['jobs.list', 'jobs.cancel', 'jobs.retry']);
    expect(useJobs().jobs.find((j) => j.id === 'job_ffff0000')?.state).toBe('queued');
  });

  it('offers Pause for running jobs and Resume (and Cancel) for paused ones', async () => {
    const paused = job({ id: 'job_pppp0000', state: 'paused', message: 'paused', createdAt: '2024-01-01T00:00:01Z' });
    const c = fakeClient({
      'jobs.list': () => ({ jobs: [job(), paused] }),
      'jobs.pause': () => job({ state: 'paused' }),
      'jobs.resume': () => ({ ...paused, state: 'queued' }),
    });
    setClient(c);
    useProject().project = project();
    const w = mount(QueueView, { global: { plugins: [pinia] } });
    await flushPromises();
    const labels = (id: string) =>
      w
        .find(`tr[data-job="${id}"]`)
        .findAll('button')
        .map((b) => b.text());
    expect(labels('job_aaaa1111')).toEqual(['Pause', 'Cancel', 'Log']);
    expect(labels('job_pppp0000')).toEqual(['Resume', 'Cancel', 'Log']);
    expect(w.find('tr[data-job="job_pppp0000"]').findAll('td')[4]!.text()).toBe('—'); // no ETA while paused
    await w
      .find('tr[data-job="job_aaaa1111"]')
      .findAll('button')
      .find((b) => b.text() === 'Pause')!
      .trigger('click');
    await flushPromises();
    expect(labels('job_aaaa1111')).toEqual(['Resume', 'Cancel', 'Log']);
    await w
      .find('tr[data-job="job_pppp0000"]')
      .findAll('button')
      .find((b) => b.text() === 'Resume')!
      .trigger('click');
    await flushPromises();
    expect(c.calls.map((x) => [x.method, (x.request as { id?: string }).id])).toEqual([
      ['jobs.list', undefined],
      ['jobs.pause', 'job_aaaa1111'],
      ['jobs.resume', 'job_pppp0000'],
    ]);
    expect(labels('job_pppp0000')).toEqual(['Pause', 'Cancel', 'Log']);
  });
});

describe('components', () => {
  it('the notice banner shows what failed and what to do, and can be dismissed', async () => {
    useNotices().error({ code: 'TIFF_FORMAT', message: 'x.tif: not a TIFF' }, 'Importing');
    const w = mount(NoticeBanner, { global: { plugins: [pinia] } });
    expect(w.text()).toContain('Importing failed');
    expect(w.text()).toContain('What to do: The file is not a readable TIFF stack');
    await w.find('button').trigger('click');
    expect(w.find('[role="alert"]').exists()).toBe(false);
  });

  it('PSF profiles report FWHM in µm from the voxel size (Gaussian reference)', () => {
    const shape: [number, number, number] = [41, 31, 31];
    const sx = 2,
      sz = 3;
    const data = new Float32Array(41 * 31 * 31);
    for (let z = 0; z < 41; z++)
      for (let y = 0; y < 31; y++)
        for (let x = 0; x < 31; x++) {
          data[(z * 31 + y) * 31 + x] = Math.exp(
            -((x - 15) ** 2 + (y - 15) ** 2) / (2 * sx * sx) - (z - 20) ** 2 / (2 * sz * sz),
          );
        }
    const w = mount(PsfProfiles, {
      props: {
        data,
        theory: null,
        shape,
        peak: [20, 15, 15],
        voxel: { x: 0.1, y: 0.1, z: 0.25, known: true },
        log: false,
      },
    });
    const k = 2 * Math.sqrt(2 * Math.LN2);
    expect(Number.parseFloat(w.find('[data-testid="fwhm-x"]').text())).toBeCloseTo(k * sx * 0.1, 2);
    expect(Number.parseFloat(w.find('[data-testid="fwhm-z"]').text())).toBeCloseTo(k * sz * 0.25, 2);
    expect(w.find('[data-testid="undersampled"]').exists()).toBe(false);
  });

  it('the line plot draws one path per series with a legend', () => {
    const w = mount(LinePlot, {
      props: {
        series: [
          { name: 'raw', color: '#fff', x: [0, 1, 2], y: [1, 3, 2] },
          { name: 'RL', color: '#f00', x: [0, 1, 2], y: [0, 4, 1] },
        ],
      },
    });
    expect(w.findAll('path')).toHaveLength(2);
    expect(w.find('path').attributes('d')).toMatch(/^M[\d.]+,[\d.]+L/);
    expect(w.text()).toContain('raw');
    expect(w.text()).toContain('RL');
  });
});
