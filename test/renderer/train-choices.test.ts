// The Training view's advanced settings → the `config` of the submitted train job, every field and option,
// written by hand (the same overrides the CLI's flags give: test/unit/contract/train-overrides.test.ts).
// Swapping the labels of an option (background on/off, synthetic noise on/off) fails a row here.
import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { setClient } from '../../src-renderer/api';
import { useProject } from '../../src-renderer/stores/project';
import TrainingView from '../../src-renderer/views/TrainingView.vue';
import { dataset, fakeClient, job, project } from './fake-client';

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  localStorage.clear();
  pinia = createPinia();
  setActivePinia(pinia);
});

/** [what, the field (data-testid), what the user picks: the option's label or the typed text, the config submitted]. */
const ROWS: [string, string, string, object][] = [
  ['background preset', 'train-background', 'preset', {}],
  ['background on', 'train-background', 'on', { background: true }],
  ['background off', 'train-background', 'off', { background: false }],
  ['synthetic noise preset', 'train-fake-noise', 'preset', {}],
  ['synthetic noise on', 'train-fake-noise', 'on', { fakeNoise: 'estimated' }],
  ['synthetic noise off', 'train-fake-noise', 'off', { fakeNoise: 'none' }],
  ['PSF start preset', 'train-psf-init', 'preset', {}],
  ['PSF start Gaussian', 'train-psf-init', 'Gaussian', { psf: { init: 'gaussian' } }],
  ['PSF start spectral', 'train-psf-init', 'spectral fit (blind)', { psf: { init: 'spectral' } }],
  ['PSF start delta', 'train-psf-init', 'delta', { psf: { init: 'delta' } }],
  ['PSF model preset', 'train-psf-model', 'preset', {}],
  ['PSF model free', 'train-psf-model', 'free kernel', { psf: { model: 'free' } }],
  ['PSF model Gaussian', 'train-psf-model', 'Gaussian (2 widths)', { psf: { model: 'gaussian' } }],
  ["mode cycle (every preset's)", 'train-mode', 'cycle (unpaired)', {}],
  ['mode supervised', 'train-mode', 'supervised (paired)', { mode: 'supervised' }],
  ['patch size', 'train-patch-size', '48', { patchSize: 48 }],
  ['learning rate', 'train-lr', '0.001', { optimiser: { lr: 0.001 } }],
  ['epochs', 'train-epochs', '12', { optimiser: { epochs: 12 } }],
  ['stop after steps', 'train-max-steps', '40', { maxSteps: 40 }],
  ['PSF size', 'train-psf-size', '9', { psf: { size: 9 } }],
  ['λ cycle', 'train-lambda-cycle', '5', { loss: { lambdaCycle: 5 } }],
  ['λ spectral', 'train-lambda-spectral', '50', { loss: { lambdaSpectral: 50 } }],
  ['an empty field', 'train-lambda-spectral', '', {}],
];

describe('Training view: advanced settings → job config', () => {
  it.each(ROWS)('%s', async (_what, id, pick, expected) => {
    const c = fakeClient({ 'jobs.submit': () => job({ id: 'job_trai0001', kind: 'train', state: 'queued' }) });
    setClient(c);
    useProject().project = project({
      datasets: [dataset(), dataset({ id: 'ds_ssss0000', name: 'sharp.tif', role: { kind: 'sharp' } })],
    });
    const w = mount(TrainingView, { global: { plugins: [pinia] } });
    await w.find('[data-testid="train-advanced"]').trigger('click');
    const field = w.find(`[data-testid="${id}"]`);
    if (field.element.tagName === 'SELECT') {
      const option = field.findAll('option').find((o) => o.text() === pick);
      expect(option, `option "${pick}"`).toBeDefined();
      await field.setValue(option!.element.getAttribute('value'));
    } else await field.setValue(pick);
    await w.find('[data-testid="train-start"]').trigger('click');
    await flushPromises();
    const spec = (c.calls.find((x) => x.method === 'jobs.submit')?.request as { spec: { config: object } }).spec;
    expect(spec.config).toEqual(expected);
  });
});
