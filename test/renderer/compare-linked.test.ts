// AutoQuant/Huygens comparisons complete: an external result gets its input through "linked to", Compare opens
// on panels from one input, keeps the panels chosen, and says why a report cannot be written.
import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { setClient } from '../../src-renderer/api';
import { useProject } from '../../src-renderer/stores/project';
import CompareView from '../../src-renderer/views/CompareView.vue';
import LinkedInput from '../../src-renderer/components/LinkedInput.vue';
import { defaultPanels, reportBlocker, restorePanels } from '../../src-renderer/lib/compare-panels';
import type { Dataset, Result } from '../../src-main/contract';
import { dataset, fakeClient, project } from './fake-client';

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  localStorage.clear();
  pinia = createPinia();
  setActivePinia(pinia);
});

const rawA = dataset({ id: 'ds_rawa0000', name: 'a.tif' });
const rawB = dataset({ id: 'ds_rawb0000', name: 'b.tif' });
const gt = dataset({ id: 'ds_true0000', name: 'truth.tif', role: { kind: 'sharp' } });
const aq = (linkedTo?: string): Dataset =>
  dataset({
    id: 'ds_aqaq0000',
    name: 'aq.tif',
    addedAt: '2026-12-05T09:00:00Z',
    role: { kind: 'external', tool: 'autoquant', ...(linkedTo ? { linkedTo } : {}) },
  });
const rl = (input: string, at: string): Result => ({
  id: `res_${input.slice(3, 7)}rl00`,
  jobId: 'job_dddd0000',
  kind: 'deconvolved',
  path: `/p/${input}.tif`,
  inputDatasetId: input,
  method: 'rl',
  shape: null,
  createdAt: at,
});

describe('Compare panels', () => {
  it('default to the newest deconvolution, its own input, other results of that input and the truth', () => {
    const results = [rl('ds_rawa0000', '2026-12-05T10:00:00Z'), rl('ds_rawb0000', '2026-12-05T08:00:00Z')];
    expect(defaultPanels([rawA, rawB, gt, aq('ds_rawb0000')], [results[1]!])).toEqual([
      'ds_rawb0000',
      'ds_aqaq0000',
      'res_rawbrl00',
      'ds_true0000',
    ]);
    // The newest result is of input A: A, not the first blurred dataset in the list, is its partner.
    expect(defaultPanels([rawB, rawA, gt], results)).toEqual(['ds_rawa0000', 'res_rawarl00', 'ds_true0000']);
  });

  it('restore saved panels only when every one still exists', () => {
    const has = (id: string) => ['ds_rawa0000', 'res_x0000000'].includes(id);
    expect(restorePanels(['ds_rawa0000', 'res_x0000000'], has)).toEqual(['ds_rawa0000', 'res_x0000000']);
    expect(restorePanels(['ds_rawa0000', 'res_gone0000'], has)).toBeNull();
    expect(restorePanels('x', has)).toBeNull();
  });

  it('name the unlinked external result that blocks a report', () => {
    expect(reportBlocker(['ds_rawa0000', 'ds_aqaq0000'], [rawA, aq()], [])).toMatch(
      /aq.tif is another tool's result with no input/,
    );
    expect(reportBlocker(['ds_rawa0000', 'ds_aqaq0000'], [rawA, aq('ds_rawa0000')], [])).toBeNull();
    expect(reportBlocker(['ds_rawa0000', 'ds_true0000'], [rawA, gt], [])).toMatch(/needs a deconvolution/);
  });
});

describe('linked to', () => {
  it('offers the blurred stacks and saves the choice in the role, keeping the tool', async () => {
    const c = fakeClient({
      'dataset.update': (r: { id: string; role: Dataset['role'] }) => ({ ...aq(), role: r.role }),
      'project.get': () => project({ datasets: [rawA, gt, aq('ds_rawa0000')] }),
    });
    setClient(c);
    useProject().project = project({ datasets: [rawA, gt, aq()] });
    const w = mount(LinkedInput, { props: { dataset: aq() }, global: { plugins: [pinia] } });
    expect(w.findAll('option').map((o) => o.text())).toEqual(['— choose its input —', 'a.tif']);
    await w.find('[data-testid="linked-to"]').setValue('ds_rawa0000');
    await flushPromises();
    expect(c.calls.find((x) => x.method === 'dataset.update')?.request).toEqual({
      id: 'ds_aqaq0000',
      role: { kind: 'external', tool: 'autoquant', linkedTo: 'ds_rawa0000' },
    });
  });
});

describe('Compare view', () => {
  it('keeps Write report disabled with the reason while the external result is unlinked, and remembers the panels', async () => {
    const vs = { x: 0.1, y: 0.1, z: 0.2, unit: 'µm' };
    setClient(
      fakeClient({
        'dataset.volume': () => ({
          meta: { dtype: 'float32', shape: [2, 2, 2], voxelSize: vs, factor: [1, 1, 1], min: 0, max: 1 },
          data: new Float32Array(8).fill(0.5),
        }),
        'metrics.compute': () => ({ values: {}, shape: [2, 2, 2] }),
      }),
    );
    useProject().project = project({ datasets: [rawA, aq()] });
    const w = mount(CompareView, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.find('[data-testid="compare-report"]').attributes('disabled')).toBeDefined();
    expect(w.find('[data-testid="report-blocker"]').text()).toContain('linked to');
    await w.find('[data-testid="compare-item-1"]').setValue('ds_rawa0000');
    await flushPromises();
    w.unmount();
    const again = mount(CompareView, { global: { plugins: [pinia] } });
    await flushPromises();
    expect((again.find('[data-testid="compare-item-1"]').element as HTMLSelectElement).value).toBe('ds_rawa0000');
  });
});
