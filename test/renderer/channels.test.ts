// Multichannel stacks in the app: channel and time-point selectors appear only when there is a choice, every
// view asks the server for the channel shown, and an implausible voxel size is kept only after a yes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { setClient } from '../../src-renderer/api';
import { clearVolumeCache } from '../../src-renderer/api/volumes';
import ComparePanel from '../../src-renderer/components/ComparePanel.vue';
import { useProject } from '../../src-renderer/stores/project';
import CompareView from '../../src-renderer/views/CompareView.vue';
import DatasetsView from '../../src-renderer/views/DatasetsView.vue';
import ViewerView from '../../src-renderer/views/ViewerView.vue';
import TrainingView from '../../src-renderer/views/TrainingView.vue';
import { job } from './fake-client';
import Volume3D from '../../src-renderer/components/Volume3D.vue';
import { dataset, fakeClient, project } from './fake-client';

let pinia: ReturnType<typeof createPinia>;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  clearVolumeCache();
});
afterEach(() => vi.unstubAllGlobals());

/** A server reply whose samples all equal 100·(channel+1) + frame, so the channel shown can be read off. */
function reply(req: { channel?: number; frame?: number; axis?: string }, counts = { channels: 2, frames: 3 }) {
  const shape = req.axis ? [4, 4] : [2, 4, 4];
  const value = 100 * ((req.channel ?? 0) + 1) + (req.frame ?? 0);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value);
  return {
    meta: {
      dtype: 'float32',
      shape,
      voxelSize: { x: 1, y: 1, z: 1, unit: 'px' },
      voxelSizeSource: 'none',
      factor: [1, 1, 1],
      min: value,
      max: value,
      ...counts,
    },
    data,
  };
}

const twoChannel = () =>
  dataset({
    name: 'cells.tif',
    shape: [2, 4, 4],
    channels: 2,
    frames: 3,
    voxelSizeSource: 'none',
    warnings: ['cells.tif: axes guessed from the page count'],
  });

describe('channel and time-point selectors', () => {
  it('Datasets: a 2-channel, 3-frame stack shows both selectors, its source and warnings; the preview follows the choice', async () => {
    const c = fakeClient({ 'dataset.slice': (r: { channel?: number; frame?: number; axis: string }) => reply(r) });
    setClient(c);
    useProject().project = project({ datasets: [twoChannel()] });
    const w = mount(DatasetsView, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.find('[data-testid="dataset-ct"]').text()).toContain('2 × 3');
    expect(w.find('[data-testid="dataset-voxel-size"]').text()).toContain('uncalibrated: pixels');
    expect(w.find('[data-testid="dataset-warning"]').text()).toContain('axes guessed');
    const channel = w.find('[data-testid="preview-channel"]');
    expect(channel.findAll('option')).toHaveLength(2);
    expect(w.find('[data-testid="preview-frame"]').findAll('option')).toHaveLength(3);
    await channel.setValue('1');
    await w.find('[data-testid="preview-frame"]').setValue('2');
    await flushPromises();
    const previews = c.calls.filter(
      (x) => x.method === 'dataset.slice' && (x.request as { factor: number }).factor === 1,
    );
    expect(previews.at(-1)?.request).toMatchObject({ id: 'ds_aaaa1111', axis: 'z', index: 1, channel: 1, frame: 2 });
    expect(w.find('[data-testid="preview-canvas"]').text()).toContain('channel 2');
  });

  it('Datasets: a single-channel stack shows no selector', async () => {
    setClient(fakeClient({ 'dataset.slice': (r: { axis: string }) => reply(r, { channels: 1, frames: 1 }) }));
    useProject().project = project({ datasets: [dataset()] });
    const w = mount(DatasetsView, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.find('[data-testid="dataset-preview"]').exists()).toBe(true);
    expect(w.find('[data-testid="preview-channel"]').exists()).toBe(false);
    expect(w.find('[data-testid="preview-frame"]').exists()).toBe(false);
  });

  it('Compare: two panels show two channels of one stack, each loaded with its own channel', async () => {
    const c = fakeClient({ 'dataset.volume': (r: { channel?: number; frame?: number }) => reply(r) });
    setClient(c);
    useProject().project = project({ datasets: [twoChannel()] });
    const w = mount(CompareView, { global: { plugins: [pinia] } });
    await w.find('[data-testid="compare-item-1"]').setValue('ds_aaaa1111');
    await flushPromises();
    await w.find('[data-testid="compare-1-channel"]').setValue('1');
    await flushPromises();
    const panels = w.findAllComponents(ComparePanel);
    expect(panels).toHaveLength(2);
    expect(panels.map((p) => p.props('volume').max)).toEqual([100, 200]);
    expect(panels[1]!.props('title')).toContain('channel 2');
    expect(
      c.calls.filter((x) => x.method === 'dataset.volume').map((x) => (x.request as { channel: number }).channel),
    ).toEqual([0, 1]);
  });
});

describe('Compare metrics', () => {
  it("compares each panel with the ground truth at that panel's channel", async () => {
    const c = fakeClient({
      'dataset.volume': (r: { channel?: number; frame?: number }) => reply(r),
      'metrics.compute': () => ({ values: { psnr: 30 }, shape: [2, 4, 4] }),
    });
    setClient(c);
    useProject().project = project({
      datasets: [twoChannel(), dataset({ id: 'ds_ssss0000', name: 'truth.tif', role: { kind: 'sharp' }, channels: 2 })],
    });
    const w = mount(CompareView, { global: { plugins: [pinia] } });
    await w.find('[data-testid="compare-item-1"]').setValue('ds_ssss0000');
    await flushPromises();
    await w.find('[data-testid="compare-0-channel"]').setValue('1');
    await flushPromises();
    const asked = c.calls.filter((x) => x.method === 'metrics.compute').map((x) => x.request);
    expect(asked.at(-1)).toEqual({ referenceId: 'ds_ssss0000', testId: 'ds_aaaa1111', channel: 1, frame: 0 });
    expect(w.find('[data-testid="metrics-table"]').text()).toContain('channel 2');
  });
});

describe('3D viewer', () => {
  it('offers the channel overlay only for a multichannel stack, and then loads every channel of the time point', async () => {
    const c = fakeClient({ 'dataset.volume': (r: { channel?: number; frame?: number }) => reply(r) });
    setClient(c);
    useProject().project = project({ datasets: [twoChannel()] });
    const w = mount(ViewerView, { global: { plugins: [pinia] } });
    await flushPromises();
    const modes = () =>
      w
        .find('[data-testid="render-mode"]')
        .findAll('option')
        .map((o) => o.attributes('value'));
    expect(modes()).toContain('overlay');
    await w.find('[data-testid="viewer-frame"]').setValue('2');
    await w.find('[data-testid="render-mode"]').setValue('overlay');
    await flushPromises();
    const asked = c.calls
      .filter((x) => x.method === 'dataset.volume')
      .map((x) => x.request as { channel: number; frame: number });
    expect(asked).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: 0, frame: 2 }),
        expect.objectContaining({ channel: 1, frame: 2 }),
      ]),
    );
    expect(
      w
        .findComponent(Volume3D)
        .props('channels')!
        .map((v: { max: number }) => v.max),
    ).toEqual([102, 202]);
    expect(w.find('[data-testid="channel-colours"]').findAll('select')).toHaveLength(2);
  });

  it('has no overlay for a single-channel stack', async () => {
    setClient(fakeClient({ 'dataset.volume': (r: { channel?: number }) => reply(r, { channels: 1, frames: 1 }) }));
    useProject().project = project({ datasets: [dataset()] });
    const w = mount(ViewerView, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(
      w
        .find('[data-testid="render-mode"]')
        .findAll('option')
        .map((o) => o.attributes('value')),
    ).not.toContain('overlay');
    expect(w.find('[data-testid="viewer-channel"]').exists()).toBe(false);
  });
});

describe('Training view', () => {
  it('asks which channel of a multichannel stack to train on and sends it with the run', async () => {
    const c = fakeClient({ 'jobs.submit': () => job({ kind: 'train', state: 'queued' }) });
    setClient(c);
    // Sharp data too: the form does not submit without it (lib/train-physics.ts).
    useProject().project = project({
      datasets: [twoChannel(), { ...twoChannel(), id: 'ds_ssss0000', name: 'sharp.tif', role: { kind: 'sharp' } }],
    });
    const w = mount(TrainingView, { global: { plugins: [pinia] } });
    const channel = w.find('[data-testid="train-channel"]');
    expect(channel.findAll('option').map((o) => o.text())).toEqual([
      '— choose (one model per dye) —',
      'channel 1',
      'channel 2',
    ]);
    await channel.setValue('1');
    await w.find('[data-testid="train-start"]').trigger('click');
    await flushPromises();
    expect(
      (c.calls.find((x) => x.method === 'jobs.submit')?.request as { spec: { channel?: number } }).spec.channel,
    ).toBe(1);
  });

  it('shows no channel choice for single-channel stacks', () => {
    setClient(fakeClient({}));
    useProject().project = project({ datasets: [dataset()] });
    const w = mount(TrainingView, { global: { plugins: [pinia] } });
    expect(w.find('[data-testid="train-channel"]').exists()).toBe(false);
  });
});

describe('voxel-size override', () => {
  const enter = async (w: ReturnType<typeof mount>, xyz: string[]) => {
    const inputs = w.findAll('[data-testid="dataset-table"] tbody tr')[0]!.findAll('input[type="number"]');
    for (let i = 0; i < 3; i++) await inputs[i]!.setValue(xyz[i]!);
    await w.find('button[title="Save voxel size"]').trigger('click');
    await flushPromises();
  };
  const setUp = () => {
    const c = fakeClient({
      'dataset.update': (r: { id: string; voxelSizeOverride: unknown }) => ({
        ...dataset(),
        voxelSizeOverride: r.voxelSizeOverride,
      }),
      'dataset.slice': () => {
        throw new Error('no preview');
      },
    });
    setClient(c);
    useProject().project = project({ datasets: [dataset()] });
    return { c, w: mount(DatasetsView, { global: { plugins: [pinia] } }) };
  };

  it('asks before keeping an implausible one (nm typed as µm), naming the slip; a no keeps nothing', async () => {
    const { c, w } = setUp();
    const ask = vi.fn((_message: string) => false);
    vi.stubGlobal('confirm', ask);
    await enter(w, ['65', '65', '200']);
    expect(ask).toHaveBeenCalledOnce();
    expect(ask.mock.calls[0]![0]).toMatch(/did you mean 65 nm/);
    expect(c.calls.some((x) => x.method === 'dataset.update')).toBe(false);
    ask.mockReturnValue(true);
    await enter(w, ['65', '65', '200']);
    expect(c.calls.find((x) => x.method === 'dataset.update')?.request).toMatchObject({
      voxelSizeOverride: { x: 65, y: 65, z: 200, unit: 'µm' },
    });
  });

  it('keeps a plausible one without asking', async () => {
    const { c, w } = setUp();
    const ask = vi.fn(() => true);
    vi.stubGlobal('confirm', ask);
    await enter(w, ['0.065', '0.065', '0.2']);
    expect(ask).not.toHaveBeenCalled();
    expect(c.calls.some((x) => x.method === 'dataset.update')).toBe(true);
  });
});
