// The Compare line profile plots raw intensities by default (normalising every panel to 0..1 hid that one result
// is brighter), normalised only when asked.
import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { setClient } from '../../src-renderer/api';
import LinePlot from '../../src-renderer/components/LinePlot.vue';
import { useProject } from '../../src-renderer/stores/project';
import CompareView from '../../src-renderer/views/CompareView.vue';
import { dataset, fakeClient, project } from './fake-client';

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
});

/** 2 × 2 × 4 voxels, value 100 + 10·x + `offset`, 0.1 µm pixels. */
function reply(offset: number) {
  const data = new Float32Array(16).map((_, i) => 100 + 10 * (i % 4) + offset);
  return {
    meta: {
      dtype: 'float32',
      shape: [2, 2, 4],
      voxelSize: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' },
      factor: [1, 1, 1],
      min: 100 + offset,
      max: 130 + offset,
    },
    data,
  };
}

describe('Compare line profile', () => {
  it('is raw by default and normalised on request', async () => {
    setClient(fakeClient({ 'dataset.volume': (r: { id: string }) => reply(r.id === 'ds_bbbb2222' ? 50 : 0) }));
    useProject().project = project({ datasets: [dataset(), dataset({ id: 'ds_bbbb2222', name: 'other.tif' })] });
    const w = mount(CompareView, { global: { plugins: [pinia] } });
    await w.find('[data-testid="compare-item-1"]').setValue('ds_bbbb2222');
    await flushPromises();
    const series = () => w.findAllComponents(LinePlot).at(-1)!.props('series') as { x: number[]; y: number[] }[];
    expect(series().map((s) => s.y)).toEqual([
      [100, 110, 120, 130],
      [150, 160, 170, 180],
    ]);
    expect(series()[0]!.x.map((v) => +v.toFixed(6))).toEqual([0, 0.1, 0.2, 0.3]);
    await w.get('[data-testid="compare-profile-normalise"]').setValue(true);
    expect(series()[1]!.y).toEqual([0, 1 / 3, 2 / 3, 1]);
  });
});
