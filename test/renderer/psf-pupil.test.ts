// The PSF inspector's pupil section: a PSF with pupil parameters gets its table, Zernike bars whose heights are
// proportional to the coefficients, and the phase image; a second PSF chosen beside it gets "learned vs measured".
import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import type { PupilInfo } from '../../src-main/contract';
import { setClient } from '../../src-renderer/api';
import { clearVolumeCache } from '../../src-renderer/api/volumes';
import { useProject } from '../../src-renderer/stores/project';
import PsfView from '../../src-renderer/views/PsfView.vue';
import { dataset, fakeClient, project } from './fake-client';

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  clearVolumeCache();
});

const PNG = 'data:image/png;base64,iVBORw0KGgo=';
const optics = { na: 1.3, wavelength: 0.52, ni: 1.515, ns: 1.38, dxy: 0.1, dz: 0.3 };
const zern = (values: number[], sigma: (number | null)[]) =>
  values.map((value, i) => ({ noll: 5 + i, name: `mode ${5 + i}`, value, sigma: sigma[i] ?? null }));
const param = (name: string, value: number, sigma: number | null, start: number | null, unit = 'rad rms') => ({
  name,
  meaning: `meaning of ${name}`,
  unit,
  value,
  sigma,
  start,
});

const LEARNED_Z = [0.04, -0.02, 0, 0.01, 0, 0, 0.2];
const learned: PupilInfo = {
  source: 'learned',
  file: '/p/jobs/job_abcd1234/run/psf-pupil.json',
  optics,
  step: 300,
  params: [
    param('z0', 0.12, null, 0, 'µm'),
    param('depth', 8, null, 0, 'µm'),
    ...LEARNED_Z.map((v, i) => param(`Z${5 + i}`, v, null, 0)),
  ],
  zernikes: zern(LEARNED_Z, []),
  phase: { png: PNG, range: 0.6, rms: 0.25, pv: 1.1 },
  fwhm: { x: 0.24, y: 0.25, z: 0.9 },
  naEffective: 1.082,
  ncc: null,
};
const BEAD_Z = [0.05, 0, 0, 0, 0, 0, -0.1];
const BEAD_S = [0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.02];
const bead: PupilInfo = {
  source: 'bead-fit',
  file: '/data/bead-psf.pupil.json',
  optics,
  step: 60,
  params: [
    param('x0', 0.01, 0.002, null, 'µm'),
    param('z0', -0.03, 0.01, null, 'µm'),
    param('depth', 6, 0.5, null, 'µm'),
    ...BEAD_Z.map((v, i) => param(`Z${5 + i}`, v, BEAD_S[i]!, null)),
  ],
  zernikes: zern(BEAD_Z, BEAD_S),
  phase: { png: PNG, range: 0.4, rms: 0.1, pv: 0.5 },
  fwhm: { x: 0.22, y: 0.23, z: 1.0 },
  naEffective: 1.177,
  ncc: 0.991,
};

async function mountWith(pupils: Record<string, PupilInfo | null>) {
  const vs = { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' };
  const c = fakeClient({
    'dataset.volume': () => ({
      meta: { dtype: 'float32', shape: [5, 5, 5], voxelSize: vs, factor: [1, 1, 1], min: 0, max: 1 },
      data: new Float32Array(125).map((_, i) => (i === 62 ? 1 : 0)),
    }),
    'psf.analyze': () => ({ fwhm: { x: 0.2, y: 0.2, z: 0.7 }, unit: 'µm', centre: [2, 2, 2], peak: 1, sum: 1 }),
    'psf.pupil': (r: { id: string }) => ({ pupil: pupils[r.id] ?? null }),
  });
  setClient(c);
  useProject().project = project({
    datasets: [
      dataset({ id: 'ds_lrn00000', name: 'learned-psf.tif', shape: [5, 5, 5] }),
      dataset({ id: 'ds_bead0000', name: 'bead-psf.tif', shape: [5, 5, 5] }),
      dataset({ id: 'ds_kern0000', name: 'kernel.tif', shape: [5, 5, 5] }),
    ],
  });
  const w = mount(PsfView, { global: { plugins: [pinia] } });
  await flushPromises();
  return { w, c };
}
const pickPsf = async (w: VueWrapper, id: string) => {
  await w.find('select').setValue(id);
  await flushPromises();
};
const cells = (w: VueWrapper, table: string, name: string) =>
  Object.fromEntries(
    w
      .findAll(`${table} tr[data-param="${name}"] td[data-testid]`)
      .map((td) => [td.attributes('data-testid'), td.text()]),
  );

describe('PSF inspector: pupil', () => {
  it('shows a learned pupil: values, start, no σ, bars proportional to the coefficients, the phase image', async () => {
    const { w } = await mountWith({ ds_lrn00000: learned });
    await pickPsf(w, 'ds_lrn00000');
    expect(w.find('[data-testid="pupil-section"]').exists()).toBe(true);
    expect(cells(w, '[data-testid="pupil-params"]', 'Z11')).toEqual({ value: '0.2', sigma: '—', start: '0' });
    expect(cells(w, '[data-testid="pupil-params"]', 'depth')).toEqual({ value: '8', sigma: '—', start: '0' });
    expect(w.find('[data-testid="pupil-na-eff"]').text()).toBe('1.08');
    expect(w.find('[data-testid="pupil-phase"]').attributes('src')).toBe(PNG);

    const zero = Number(w.find('[data-testid="zero-line"]').attributes('y1'));
    const bars = w.findAll('[data-testid="pupil-panel"] rect[data-testid="bar"]');
    expect(bars).toHaveLength(LEARNED_Z.length);
    // pixels per radian, from the largest bar; every other bar's height follows from its value
    const z11 = bars.find((b) => b.attributes('data-label') === 'Z11')!;
    const k = Number(z11.attributes('height')) / 0.2;
    expect(k).toBeGreaterThan(100); // a visible bar
    for (const [i, b] of bars.entries()) {
      const v = LEARNED_Z[i]!,
        y = Number(b.attributes('y')),
        h = Number(b.attributes('height'));
      expect(h).toBeCloseTo(Math.abs(v) * k, 6);
      if (v > 0) expect(y + h).toBeCloseTo(zero, 6); // up from the baseline
      if (v < 0) expect(y).toBeCloseTo(zero, 6); // down from it
    }
    expect(w.findAll('[data-testid="pupil-panel"] [data-testid="error-bar"]')).toHaveLength(0);
    // round ticks that include 0
    const ticks = w.findAll('[data-testid="pupil-panel"] [data-testid="y-tick"]').map((t) => Number(t.text()));
    expect(ticks).toContain(0);
    for (const t of ticks) expect(Math.abs(t * 20 - Math.round(t * 20))).toBeLessThan(1e-9); // multiples of 0.05
  });

  it('shows a bead fit with ± σ and error bars; no section for a PSF without pupil parameters', async () => {
    const { w } = await mountWith({ ds_bead0000: bead });
    await pickPsf(w, 'ds_bead0000');
    expect(cells(w, '[data-testid="pupil-params"]', 'Z5')).toEqual({ value: '0.05', sigma: '0.01' });
    expect(cells(w, '[data-testid="pupil-params"]', 'depth')).toEqual({ value: '6', sigma: '0.5' });
    // every coefficient has a σ, a zero one too
    expect(w.findAll('[data-testid="pupil-panel"] [data-testid="error-bar"]')).toHaveLength(BEAD_Z.length);
    expect(w.text()).toContain('correlation 0.9910');
    await pickPsf(w, 'ds_kern0000');
    expect(w.find('[data-testid="pupil-section"]').exists()).toBe(false);
  });

  it('compares learned with measured: both values, B − A with the known σ, FWHMs and NA_eff', async () => {
    const { w } = await mountWith({ ds_lrn00000: learned, ds_bead0000: bead });
    await pickPsf(w, 'ds_lrn00000');
    await w.find('[data-testid="pupil-section"] select').setValue('ds_bead0000');
    await flushPromises();
    const t = '[data-testid="pupil-compare"]';
    expect(cells(w, t, 'Z11')).toEqual({ a: '0.2', b: '-0.1', diff: '-0.3 ± 0.02' });
    expect(cells(w, t, 'depth')).toEqual({ a: '8', b: '6', diff: '-2 ± 0.5' });
    expect(cells(w, t, 'x0')).toEqual({ a: '—', b: '0.01', diff: '—' }); // only the bead fit has a position
    expect(cells(w, t, 'FWHM z')).toEqual({ a: '0.9', b: '1', diff: '+0.1' });
    expect(cells(w, t, 'FWHM x')).toEqual({ a: '0.24', b: '0.22', diff: '-0.02' });
    expect(cells(w, t, 'NA_eff')).toEqual({ a: '1.08', b: '1.18', diff: '+0.095' });
    // grouped bars: both series, proportional on one axis
    const bars = w.findAll(`${t} rect[data-testid="bar"]`);
    const h = (series: string, label: string) =>
      Number(
        bars
          .find((b) => b.attributes('data-series')?.startsWith(series) && b.attributes('data-label') === label)!
          .attributes('height'),
      );
    expect(h('Learned', 'Z11') / h('Learned', 'Z5')).toBeCloseTo(0.2 / 0.04, 6);
    expect(h('Bead fit', 'Z11') / h('Learned', 'Z11')).toBeCloseTo(0.1 / 0.2, 6);
  });

  it('says so when the PSF chosen to compare has no pupil parameters', async () => {
    const { w } = await mountWith({ ds_lrn00000: learned });
    await pickPsf(w, 'ds_lrn00000');
    await w.find('[data-testid="pupil-section"] select').setValue('ds_kern0000');
    await flushPromises();
    expect(w.find('[data-testid="pupil-other-none"]').exists()).toBe(true);
    expect(w.find('[data-testid="pupil-compare"]').exists()).toBe(false);
  });
});
