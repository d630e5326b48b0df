// The Deconvolve panel's PSF generator (µm like the CLI, a box of its own) and its RL settings (TV λ).
import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { setClient } from '../../src-renderer/api';
import { useProject } from '../../src-renderer/stores/project';
import DeconvolvePanel from '../../src-renderer/components/DeconvolvePanel.vue';
import { defaultPsfForm, psfParams, suggestedSize, voxelInMicrons } from '../../src-renderer/lib/psf-generator';
import { dataset, fakeClient, job, project } from './fake-client';
import type { Result } from '../../src-main/contract';
import { generatePsf } from '../../src-main/core/psf/generate';
import { analyzePsf } from '../../src-main/core/psf/figures';

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
});

describe('PSF generator form', () => {
  it('sizes the box from the optics: 8 lateral and 6 axial FWHMs, odd (hand-computed)', () => {
    // NA 1.4, 0.52 µm, oil 1.518: lateral FWHM 0.51·0.52/1.4 = 0.18943 µm → 8× / 0.1 µm = 15.15 → 16 → 17;
    // axial 2·1.518·0.52 / 1.96 = 0.80547 µm → 6× / 0.2 µm = 24.16 → 25.
    expect(suggestedSize(1.4, 0.52, 1.518, 0.1, 0.2)).toEqual({ xy: 17, z: 25 });
    // A low NA in air needs a deep box, capped at 255; a coarse sampling never goes below 9.
    expect(suggestedSize(0.25, 0.6, 1, 0.1, 0.1).z).toBe(255);
    expect(suggestedSize(1.4, 0.52, 1.518, 5, 5)).toEqual({ xy: 9, z: 9 });
  });

  it('the box holds at least 7 lateral and 6 axial FWHMs of the PSF the core generates (measured, not the formula)', () => {
    for (const [na, wl, ni, dxy, dz] of [
      [1.4, 0.52, 1.518, 0.1, 0.2],
      [1.2, 0.6, 1.333, 0.1, 0.25],
      [0.8, 0.52, 1, 0.15, 0.4],
      [0.3, 0.6, 1, 0.5, 1],
    ] as const) {
      const box = suggestedSize(na, wl, ni, dxy, dz);
      const fwhm = analyzePsf(
        generatePsf({
          model: 'born-wolf',
          na,
          wavelength: wl,
          ni,
          ns: 1.33,
          dxy,
          dz,
          size: [101, 65, 65],
          confocal: false,
        }),
      ).fwhm;
      expect(box.xy * dxy, `lateral, NA ${na}`).toBeGreaterThanOrEqual(7 * fwhm.x);
      expect(box.z * dz, `axial, NA ${na}`).toBeGreaterThanOrEqual(6 * fwhm.z);
    }
  });

  it('turns µm into the contract (wavelength in µm, shape z, y, x) and refuses what would fail later', () => {
    const f = {
      ...defaultPsfForm({ dxy: 0.065, dz: 0.3 }),
      sizeXy: '33',
      sizeZ: '21',
      model: 'gibson-lanni' as const,
      ns: '1.4',
    };
    expect(psfParams(f)).toEqual({
      problems: [],
      params: {
        model: 'gibson-lanni',
        shape: [21, 33, 33],
        voxelSize: { x: 0.065, y: 0.065, z: 0.3, unit: 'µm' },
        numericalAperture: 1.4,
        wavelength: 0.52,
        refractiveIndex: 1.518,
        sampleIndex: 1.4,
        confocal: false,
      },
    });
    const bad = psfParams({ ...f, wavelength: '520', sizeXy: '32', na: '1.6' });
    expect(bad.params).toBeNull();
    expect(bad.problems.join(' ')).toMatch(/wavelength is in µm/);
    expect(bad.problems.join(' ')).toMatch(/lateral size must be an odd/);
    expect(bad.problems.join(' ')).toMatch(/NA \(1\.6\) must be below the immersion index \(1\.518\)/);
  });

  it('reads the stack voxel size in µm whatever its unit, and none for an uncalibrated stack', () => {
    expect(voxelInMicrons({ x: 65, y: 65, z: 200, unit: 'nm' })).toEqual({ dxy: 0.065, dz: 0.2 });
    expect(voxelInMicrons({ x: 0.1, y: 0.1, z: 0.25, unit: 'µm' })).toEqual({ dxy: 0.1, dz: 0.25 });
    expect(voxelInMicrons({ x: 1, y: 1, z: 1, unit: 'px' })).toBeNull();
  });
});

describe('Deconvolve panel, Richardson–Lucy', () => {
  const stack = dataset({ id: 'ds_cell0000', name: 'cells.tif', voxelSize: { x: 0.1, y: 0.1, z: 0.2, unit: 'µm' } });
  const made: Result = {
    id: 'res_psfg0001',
    jobId: 'job_direct0',
    kind: 'psf',
    path: '/data/proj/results/psf-born-wolf-g0001.tif',
    inputDatasetId: null,
    method: 'born-wolf',
    shape: [25, 17, 17],
    createdAt: '2026-12-05T10:00:00Z',
  };

  it('generates a PSF at the stack voxel size in its own box, chooses it, and queues RL with TV λ', async () => {
    const withPsf = project({ datasets: [stack], results: [made] });
    const c = fakeClient({
      'psf.generate': () => ({
        result: made,
        analysis: { fwhm: { x: 0.19, y: 0.19, z: 0.5 }, unit: 'µm', centre: [7, 8, 8], peak: 0.1, sum: 1 },
      }),
      'project.get': () => withPsf,
      'jobs.submit': () => job({ id: 'job_rltv0001', state: 'queued' }),
      'jobs.list': () => ({ jobs: [] }),
    });
    setClient(c);
    useProject().project = project({ datasets: [stack] });
    const w = mount(DeconvolvePanel, { props: { datasetId: 'ds_cell0000' }, global: { plugins: [pinia] } });
    // No PSF yet: Queue is disabled and the panel says what to do.
    expect(w.find('[data-testid="deconv-queue"]').attributes('disabled')).toBeDefined();
    expect(w.find('[data-testid="deconv-no-psf"]').text()).toMatch(/needs a PSF.*Generate a PSF/);
    await w.find('[data-testid="deconv-generate-toggle"]').trigger('click');
    expect((w.find('[data-testid="gen-dxy"]').element as HTMLInputElement).value).toBe('0.1');
    expect((w.find('[data-testid="gen-size-xy"]').element as HTMLInputElement).value).toBe('17');
    expect((w.find('[data-testid="gen-size-z"]').element as HTMLInputElement).value).toBe('25');
    await w.find('[data-testid="gen-wavelength"]').setValue('0.6');
    await w.find('[data-testid="gen-psf"]').trigger('click');
    await flushPromises();
    const gen = c.calls.find((x) => x.method === 'psf.generate')!.request as {
      params: { wavelength: number; shape: number[]; voxelSize: unknown };
    };
    expect(gen.params.wavelength).toBe(0.6);
    expect(gen.params.shape).toEqual([25, 17, 17]); // the box, not the stack's 32×64×64
    expect(gen.params.voxelSize).toEqual({ x: 0.1, y: 0.1, z: 0.2, unit: 'µm' });
    expect((w.find('[data-testid="deconv-psf"]').element as HTMLSelectElement).value).toBe('res_psfg0001');
    await w.find('[data-testid="deconv-tv"]').setValue('1.5');
    expect(w.find('[data-testid="deconv-queue"]').attributes('disabled')).toBeDefined();
    expect(w.find('[data-testid="deconv-tv-problem"]').text()).toMatch(/below 1/);
    await w.find('[data-testid="deconv-tv"]').setValue('0.002');
    await w.find('[data-testid="deconv-queue"]').trigger('click');
    await flushPromises();
    expect(c.calls.find((x) => x.method === 'jobs.submit')!.request).toEqual({
      spec: {
        kind: 'deconvolve',
        method: 'rl',
        datasetId: 'ds_cell0000',
        psf: { from: 'result', id: 'res_psfg0001' },
        iterations: 20,
        rl: { boundary: 'extend', background: 'auto', acceleration: 'none', tv: 0.002 },
      },
      dependsOn: [],
    });
  });
});
