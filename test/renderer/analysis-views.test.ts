// Compare and PSF inspector with scripted volumes: one cursor for all panels, FWHM in µm, theory overlay.
import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { setClient } from '../../src-renderer/api';
import { clearVolumeCache } from '../../src-renderer/api/volumes';
import ComparePanel from '../../src-renderer/components/ComparePanel.vue';
import { useProject } from '../../src-renderer/stores/project';
import CompareView from '../../src-renderer/views/CompareView.vue';
import PsfView from '../../src-renderer/views/PsfView.vue';
import { dataset, fakeClient, job, project } from './fake-client';

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  localStorage.clear(); // Compare remembers its panels per project
  pinia = createPinia();
  setActivePinia(pinia);
  clearVolumeCache();
});

/** A Gaussian blob volume as the server would send it (dataset.volume). */
function gaussianReply(
  shape: [number, number, number],
  sigma: [number, number, number],
  voxel: { x: number; y: number; z: number; unit: string },
) {
  const [nz, ny, nx] = shape;
  const data = new Float32Array(nz * ny * nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        data[(z * ny + y) * nx + x] = Math.exp(
          -((z - (nz >> 1)) ** 2) / (2 * sigma[0] ** 2) -
            (y - (ny >> 1)) ** 2 / (2 * sigma[1] ** 2) -
            (x - (nx >> 1)) ** 2 / (2 * sigma[2] ** 2),
        );
      }
  return { meta: { dtype: 'float32', shape, voxelSize: voxel, factor: [1, 1, 1], min: 0, max: 1 }, data };
}

/** The Compare view's server: 8×16×16 Gaussian volumes and fixed metrics, plus `more` answers. */
function compareClient(more: Parameters<typeof fakeClient>[0] = {}) {
  const vs = { x: 0.1, y: 0.1, z: 0.2, unit: 'µm' };
  return fakeClient({
    'dataset.volume': () => gaussianReply([8, 16, 16], [2, 3, 3], vs),
    'metrics.compute': () => ({ values: { psnr: 31.5, ssim: 0.91, nrmse: 0.05, ncc: 0.97 }, shape: [8, 16, 16] }),
    ...more,
  });
}

describe('Compare view', () => {
  it('moves one cursor through every panel and asks for metrics against the ground truth', async () => {
    const c = compareClient();
    setClient(c);
    useProject().project = project({
      datasets: [dataset(), dataset({ id: 'ds_ssss0000', name: 'actual.tif', role: { kind: 'sharp' } })],
    });
    const w = mount(CompareView, { global: { plugins: [pinia] } });
    await flushPromises();
    const panels = w.findAllComponents(ComparePanel);
    expect(panels).toHaveLength(2);
    panels[0]!.vm.$emit('cursor', [0.9, 0.5, 0.5]);
    await flushPromises();
    for (const p of w.findAllComponents(ComparePanel)) expect(p.text()).toContain('XY  z=7');
    panels[1]!.vm.$emit('view', { zoom: 4, cx: 0.3, cy: 0.6 });
    await flushPromises();
    for (const p of w.findAllComponents(ComparePanel)) expect(p.props('view')).toEqual({ zoom: 4, cx: 0.3, cy: 0.6 });
    expect(c.calls.find((x) => x.method === 'metrics.compute')?.request).toEqual({
      referenceId: 'ds_ssss0000',
      testId: 'ds_aaaa1111',
    });
    expect(w.find('[data-testid="metrics-table"]').text()).toContain('31.50');
  });
});

describe('Compare view reports', () => {
  it('queues a report of the panels shown once a deconvolution is among them, and lists finished reports', async () => {
    const c = compareClient({
      'jobs.submit': () =>
        job({
          id: 'job_rrrr0000',
          kind: 'report',
          spec: { kind: 'report', itemIds: ['ds_aaaa1111'] },
          state: 'queued',
        }),
    });
    setClient(c);
    const res = (id: string, kind: 'deconvolved' | 'report', path: string) => ({
      id,
      jobId: 'job_dddd0000',
      kind,
      path,
      inputDatasetId: 'ds_aaaa1111',
      method: 'rl',
      shape: null,
      createdAt: '2024-01-01T00:00:00Z',
    });
    useProject().project = project({
      datasets: [dataset(), dataset({ id: 'ds_ssss0000', name: 'gt.tif', role: { kind: 'sharp' } })],
    });
    const w = mount(CompareView, { global: { plugins: [pinia] } });
    await flushPromises();
    const button = w.find('[data-testid="compare-report"]');
    expect(button.attributes('disabled')).toBeDefined(); // raw + ground truth only: nothing to report on
    expect(w.find('[data-testid="report-list"]').exists()).toBe(false);

    useProject().project = project({
      datasets: [dataset(), dataset({ id: 'ds_ssss0000', name: 'gt.tif', role: { kind: 'sharp' } })],
      results: [
        res('res_dddd0000', 'deconvolved', '/p/results/rl.tif'),
        res('res_rrrr0000', 'report', '/p/results/report-1/report.html'),
      ],
    });
    await flushPromises();
    await w.find('[data-testid="compare-item-1"]').setValue('res_dddd0000');
    await flushPromises();
    expect(w.find('[data-testid="compare-report"]').attributes('disabled')).toBeUndefined();
    await w.find('[data-testid="compare-report"]').trigger('click');
    await flushPromises();
    expect(c.calls.find((x) => x.method === 'jobs.submit')?.request).toEqual({
      spec: { kind: 'report', itemIds: ['ds_aaaa1111', 'res_dddd0000', 'ds_ssss0000'] },
      dependsOn: [],
    });
    expect(w.find('[data-testid="report-queued"]').text()).toContain('job_rrrr0000');
    expect(w.find('[data-testid="report-list"]').text()).toContain('/p/results/report-1/report.html');
  });
});

describe('PSF inspector', () => {
  it('shows FWHM in µm, the centroid, the server analysis and a theoretical PSF beside it', async () => {
    const vs = { x: 0.05, y: 0.05, z: 0.1, unit: 'µm' };
    setClient(
      fakeClient({
        'dataset.volume': () => gaussianReply([21, 25, 25], [3, 2, 2], vs),
        'psf.analyze': () => ({
          fwhm: { x: 0.2356, y: 0.2356, z: 0.7065 },
          unit: 'µm',
          centre: [10, 12, 12],
          peak: 1,
          sum: 1,
        }),
      }),
    );
    useProject().project = project({
      datasets: [dataset({ id: 'ds_psf00000', name: 'bead-psf.tif', shape: [21, 25, 25] })],
    });
    const w = mount(PsfView, { global: { plugins: [pinia] } });
    await flushPromises();
    const k = 2 * Math.sqrt(2 * Math.LN2);
    expect(Number.parseFloat(w.find('[data-testid="fwhm-x"]').text())).toBeCloseTo(k * 2 * 0.05, 3);
    // z spans only ±3.3σ, so the profile minimum (taken as background) is slightly above zero: 0.4 % narrower.
    expect(Number.parseFloat(w.find('[data-testid="fwhm-z"]').text())).toBeCloseTo(k * 3 * 0.1, 2);
    expect(w.find('[data-testid="centroid"]').text()).toBe('10.00, 12.00, 12.00');
    expect(w.find('[data-testid="server-fwhm-x"]').text()).toBe('0.236');
    expect(w.text()).toContain('Theory');
    expect(w.text()).not.toContain('has no voxel size');
  });
});

describe('PSF inspector names what the PSF is', () => {
  const vs = { x: 0.05, y: 0.05, z: 0.1, unit: 'µm' };
  const learned = (id: string, run: string) => ({
    id,
    jobId: `job_${run.slice(4)}`,
    kind: 'psf' as const,
    path: `/p/jobs/job_${run.slice(4)}/run/psf.tif`,
    inputDatasetId: 'ds_psf00000',
    method: `learned-psf-tiny-${run}`,
    shape: [21, 25, 25] as [number, number, number],
    createdAt: '2026-12-05T10:00:00Z',
  });

  it('a learned PSF is "Learned (its run)", never "Measured"; an imported one is "Measured"; a generated one "Theoretical"', async () => {
    setClient(
      fakeClient({
        'dataset.volume': () => gaussianReply([21, 25, 25], [3, 2, 2], vs),
        'psf.analyze': () => ({ fwhm: { x: 0.2, y: 0.2, z: 0.7 }, unit: 'µm', centre: [10, 12, 12], peak: 1, sum: 1 }),
      }),
    );
    const gen = { ...learned('res_gen00000', 'run_x'), method: 'gibson-lanni', jobId: 'job_direct0' };
    useProject().project = project({
      datasets: [dataset({ id: 'ds_psf00000', name: 'bead-psf.tif', shape: [21, 25, 25] })],
      results: [learned('res_lrn00001', 'run_3649e705a0f3'), learned('res_lrn00002', 'run_aaaabbbbcccc'), gen],
    });
    const w = mount(PsfView, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.find('[data-testid="psf-title"] .title').text()).toBe('Measured');
    const pick = async (id: string) => {
      await w.find('select').setValue(id);
      await flushPromises();
    };
    await pick('res_lrn00001');
    expect(w.find('[data-testid="psf-title"] .title').text()).toBe('Learned (run_3649e705a0f3)');
    expect(w.text()).toContain('FWHM learned');
    expect(w.text()).not.toContain('Measured');
    await pick('res_lrn00002');
    expect(w.find('[data-testid="psf-title"] .title').text()).toBe('Learned (run_aaaabbbbcccc)');
    await pick('res_gen00000');
    expect(w.find('[data-testid="psf-title"] .title').text()).toBe('Theoretical (Gibson–Lanni)');
  });
});
