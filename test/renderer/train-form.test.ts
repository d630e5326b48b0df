// The training form asks for the physics and says, before submitting, what is missing; the Deconvolve panel
// will not queue a model deconvolution without a model.
import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { setClient } from '../../src-renderer/api';
import { useProject } from '../../src-renderer/stores/project';
import TrainingView from '../../src-renderer/views/TrainingView.vue';
import DeconvolvePanel from '../../src-renderer/components/DeconvolvePanel.vue';
import { defaultPhysics, physicsProblems, withPhysics } from '../../src-renderer/lib/train-physics';
import { dataset, fakeClient, job, project } from './fake-client';

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  localStorage.clear();
  pinia = createPinia();
  setActivePinia(pinia);
});

const blurred = dataset({ id: 'ds_blur0000', name: 'cells.tif' });
const truth = dataset({ id: 'ds_true0000', name: 'truth.tif', role: { kind: 'sharp' } });
const psf = dataset({ id: 'ds_psfk0000', name: 'kernel.tif' });
const aq = dataset({ id: 'ds_extr0000', name: 'aq.tif', role: { kind: 'external', tool: 'autoquant' } });

function mountForm(datasets = [blurred, psf, aq]) {
  const c = fakeClient({
    'runs.list': () => ({ runs: [] }),
    'jobs.submit': () => job({ id: 'job_trai0001', kind: 'train', state: 'queued' }),
  });
  setClient(c);
  useProject().project = project({ datasets });
  return { c, w: mount(TrainingView, { global: { plugins: [pinia] } }) };
}
const problems = (w: ReturnType<typeof mount>) => w.findAll('[data-testid="train-problems"] li').map((l) => l.text());
const options = (w: ReturnType<typeof mount>, id: string) =>
  w.findAll(`[data-testid="${id}"] option`).map((o) => o.text());

describe('training form', () => {
  it('offers datasets by role, selects no PSF file, and says sharp data is missing before submitting', async () => {
    const { c, w } = mountForm();
    expect(options(w, 'train-blurred')).toEqual(['cells.tif', 'kernel.tif']);
    expect(options(w, 'train-sharp')).toEqual([]);
    const picked = Array.from(
      (w.find('[data-testid="train-blurred"]').element as HTMLSelectElement).selectedOptions,
    ).map((o) => o.value);
    expect(picked).toEqual(['ds_blur0000']);
    expect(problems(w)).toEqual(['Choose sharp stacks, or use sharp data from Richardson–Lucy of the blurred stacks.']);
    expect(w.find('[data-testid="train-start"]').attributes('disabled')).toBeDefined();
    await w.find('[data-testid="train-start"]').trigger('click');
    await flushPromises();
    expect(c.calls.some((x) => x.method === 'jobs.submit')).toBe(false);
  });

  it('submits RL sharp data with the optics and a Born–Wolf start', async () => {
    const { c, w } = mountForm();
    await w.find('[data-testid="train-sharp-rl"]').setValue(true);
    expect(problems(w)).toEqual([
      'Sharp data from Richardson–Lucy needs the microscope optics (NA and emission wavelength).',
    ]);
    await w.find('[data-testid="train-na"]').setValue('1.4');
    await w.find('[data-testid="train-wavelength"]').setValue('0.52');
    await w.find('[data-testid="train-bornwolf"]').setValue(true);
    expect(problems(w)).toEqual([]);
    await w.find('[data-testid="train-start"]').trigger('click');
    await flushPromises();
    expect(c.calls.find((x) => x.method === 'jobs.submit')?.request).toMatchObject({
      spec: {
        kind: 'train',
        blurredIds: ['ds_blur0000'],
        sharpIds: [],
        config: {
          sharpSource: 'rl',
          optics: { na: 1.4, wavelength: 0.52, ni: 1.518, ns: 1.33 },
          psf: { init: 'bornwolf' },
        },
      },
    });
  });

  it('takes sharp stacks of role sharp and submits without optics', async () => {
    const { c, w } = mountForm([blurred, truth]);
    expect(problems(w)).toEqual([]);
    await w.find('[data-testid="train-start"]').trigger('click');
    await flushPromises();
    expect(c.calls.find((x) => x.method === 'jobs.submit')?.request).toMatchObject({
      spec: { sharpIds: ['ds_true0000'], config: {} },
    });
  });
});

describe('training physics', () => {
  const p = (over: Partial<ReturnType<typeof defaultPhysics>>) => ({ ...defaultPhysics(), ...over });
  it.each([
    ['only an NA', p({ na: '1.4' }), /both the numerical aperture and the emission wavelength/],
    ['a wavelength in nm', p({ na: '1.4', wavelength: '520' }), /in µm/],
    [
      'an NA above the immersion index',
      p({ na: '1.4', wavelength: '0.52', ni: '1.33' }),
      /NA \(1.4\) must be below the immersion index \(1.33\)/,
    ],
    ['a Born–Wolf start without optics', p({ bornWolfStart: true }), /Born–Wolf PSF start needs the microscope optics/],
  ])('names %s', (_what, phys, message) => {
    expect(physicsProblems(phys, 1).join(' ')).toMatch(message);
  });

  it('keeps the form\u2019s PSF settings when adding the Born–Wolf start', () => {
    expect(withPhysics({ psfSize: 9 }, p({ na: '1.2', wavelength: '0.6', ni: '1.33', bornWolfStart: true }))).toEqual({
      psfSize: 9,
      psfInit: 'bornwolf',
      optics: { na: 1.2, wavelength: 0.6, ni: 1.33, ns: 1.33 },
    });
    expect(withPhysics({}, p({}))).toEqual({});
  });
});

describe('Deconvolve panel', () => {
  it('keeps Queue disabled for a model deconvolution without a finished run, and says why', async () => {
    setClient(fakeClient({}));
    useProject().project = project({ datasets: [blurred] });
    const w = mount(DeconvolvePanel, { props: { datasetId: 'ds_blur0000' }, global: { plugins: [pinia] } });
    await w.find('[data-testid="deconv-method"]').setValue('model');
    expect(w.find('[data-testid="deconv-queue"]').attributes('disabled')).toBeDefined();
    expect(w.find('[data-testid="deconv-no-model"]').text()).toContain('train a model');
  });
});
