// The Datasets preview opens the single-stack viewer on the stack, channel and time point shown.
import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHistory, createRouter } from 'vue-router';
import { setClient } from '../../src-renderer/api';
import { clearVolumeCache } from '../../src-renderer/api/volumes';
import { useProject } from '../../src-renderer/stores/project';
import DatasetsView from '../../src-renderer/views/DatasetsView.vue';
import SlicesView from '../../src-renderer/views/SlicesView.vue';
import { slicesLink, slicesTarget } from '../../src-renderer/lib/slices-link';
import { dataset, fakeClient, project } from './fake-client';

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  clearVolumeCache();
});

function reply(req: { channel?: number; frame?: number; axis?: string }) {
  const shape = req.axis ? [4, 4] : [2, 4, 4];
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1);
  return {
    meta: {
      dtype: 'float32',
      shape,
      voxelSize: { x: 0.1, y: 0.1, z: 0.2, unit: 'µm' },
      voxelSizeSource: 'file',
      factor: [1, 1, 1],
      min: 1,
      max: 1,
      channels: 2,
      frames: 3,
    },
    data,
  };
}
const first = dataset({ id: 'ds_aaaa1111', name: 'first.tif', shape: [2, 4, 4] });
const cells = dataset({ id: 'ds_cell2222', name: 'cells.tif', shape: [2, 4, 4], channels: 2, frames: 3 });

describe('Datasets preview → Slices', () => {
  it('reads a link back, and ignores a stale or edited one', () => {
    const link = slicesLink('ds_cell2222', { channel: 1, frame: 2 });
    expect(link).toBe('#/slices?id=ds_cell2222&channel=1&frame=2');
    const query = Object.fromEntries(new URLSearchParams(link.split('?')[1]));
    expect(slicesTarget(query, ['ds_cell2222'])).toEqual({ id: 'ds_cell2222', at: { channel: 1, frame: 2 } });
    expect(slicesTarget(query, ['ds_other000'])).toBeNull();
    expect(slicesTarget({ id: 'ds_cell2222', channel: '-1', frame: 'x' }, ['ds_cell2222'])).toEqual({
      id: 'ds_cell2222',
      at: { channel: 0, frame: 0 },
    });
  });

  it('the preview links to the viewer at the channel and time point it shows', async () => {
    setClient(fakeClient({ 'dataset.slice': (r: never) => reply(r) }));
    useProject().project = project({ datasets: [cells] });
    const w = mount(DatasetsView, { global: { plugins: [pinia] } });
    await flushPromises();
    await w.find('[data-testid="preview-channel"]').setValue('1');
    await w.find('[data-testid="preview-frame"]').setValue('2');
    await flushPromises();
    expect(w.find('[data-testid="preview-open-slices"]').attributes('href')).toBe(
      '#/slices?id=ds_cell2222&channel=1&frame=2',
    );
    expect(w.find('a.open').attributes('href')).toBe('#/slices?id=ds_cell2222&channel=1&frame=2');
  });

  it('the Slices view opened from that link loads that stack at that channel and frame, not the first stack', async () => {
    const c = fakeClient({ 'dataset.volume': (r: never) => reply(r) });
    setClient(c);
    useProject().project = project({ datasets: [first, cells] });
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: '/slices', component: SlicesView }],
    });
    await router.push('/slices?id=ds_cell2222&channel=1&frame=2');
    mount({ template: '<router-view />' }, { global: { plugins: [pinia, router] } });
    await flushPromises();
    const asked = c.calls.filter((x) => x.method === 'dataset.volume').map((x) => x.request);
    expect(asked.at(-1)).toMatchObject({ id: 'ds_cell2222', channel: 1, frame: 2 });
    expect(asked.some((r) => (r as { id: string }).id === 'ds_aaaa1111')).toBe(false);
  });
});
