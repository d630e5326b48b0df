// The single-stack viewer mounted in happy-dom: raw readout and position in µm, slice keys, wheel z scrolling
// versus Ctrl+wheel zoom, side planes at the physical aspect, a line profile dragged on XY, contrast reset.
import { describe, expect, it } from 'vitest';
import { mount, type VueWrapper } from '@vue/test-utils';
import LinePlot from '../../src-renderer/components/LinePlot.vue';
import StackViewer from '../../src-renderer/components/StackViewer.vue';
import type { VolumeData } from '../../src-renderer/lib/volume';

/** 5 × 4 × 6 voxels of 0.1 × 0.1 × 0.5 µm, value 1.5 × linear index (raw, not 0..1). */
function stack(): VolumeData {
  const data = new Float32Array(5 * 4 * 6).map((_, i) => 1.5 * i);
  return { data, shape: [5, 4, 6], voxelSize: { x: 0.1, y: 0.1, z: 0.5, unit: 'µm' }, min: 0, max: 1.5 * 119 };
}
const readout = (w: VueWrapper) => w.get('[data-testid="pixel-readout"]');
const zOf = (w: VueWrapper) => readout(w).attributes('data-z');
/** Gives a canvas a 60 × 40 px box at (0, 0) (happy-dom lays nothing out). */
function box(w: VueWrapper, testid: string, width = 60, height = 40): void {
  const el = w.get(`[data-testid="${testid}"]`).element as HTMLElement;
  el.getBoundingClientRect = () => ({
    left: 0,
    top: 0,
    width,
    height,
    right: width,
    bottom: height,
    x: 0,
    y: 0,
    toJSON: () => ({}),
  });
}

describe('StackViewer', () => {
  it('reads the raw value and the position in µm at the cursor, and under the mouse', async () => {
    const w = mount(StackViewer, { props: { volume: stack() } });
    // Starts mid-stack at z 2, cursor (3, 2): index (2·4 + 2)·6 + 3 = 63 → 94.5.
    expect(readout(w).attributes('data-value')).toBe('94.5');
    expect(readout(w).text()).toContain('0.30, 0.20, 1.00 µm');
    box(w, 'plane-xy');
    await w.get('[data-testid="plane-xy"]').trigger('mousemove', { clientX: 5, clientY: 35 });
    // (5/60)·6 − 0.5 = 0 → x 0; (35/40)·4 − 0.5 = 3 → y 3: index (2·4 + 3)·6 = 66 → 99.
    expect(readout(w).attributes('data-value')).toBe('99');
    await w.get('[data-testid="plane-xy"]').trigger('mouseleave');
    expect(readout(w).attributes('data-value')).toBe('94.5');
  });

  it('steps z with Fiji and napari keys, and wheel scrolls z while Ctrl+wheel zooms', async () => {
    const w = mount(StackViewer, { props: { volume: stack() } });
    const root = w.get('[data-testid="stack-viewer"]');
    await root.trigger('keydown', { key: 'ArrowUp' });
    expect(zOf(w)).toBe('3');
    await root.trigger('keydown', { key: ',' });
    await root.trigger('keydown', { key: ',' });
    expect(zOf(w)).toBe('1');
    // Typing a decimal point into a contrast limit or pressing ↑ on the slider leaves z to that field.
    await w.get('[data-testid="contrast-max"]').trigger('keydown', { key: '.' });
    await w.get('[data-testid="z-slider"]').trigger('keydown', { key: 'ArrowUp' });
    expect(zOf(w)).toBe('1');
    await root.trigger('keydown', { key: 'PageUp' });
    expect(zOf(w)).toBe('4');
    expect(w.get('[data-testid="z-index"]').text()).toBe('5 / 5');
    box(w, 'plane-xy');
    await w.get('[data-testid="plane-xy"]').trigger('wheel', { deltaY: 100 });
    expect(zOf(w)).toBe('3');
    for (let i = 0; i < 4; i++)
      await w
        .get('[data-testid="plane-xy"]')
        .trigger('wheel', { deltaY: -100, ctrlKey: true, clientX: 30, clientY: 20 });
    expect(zOf(w)).toBe('3');
    // Zoomed 1.25⁴ = 2.44× about the centre: the left edge shows x 0.295 · 6 − 0.5 = 1.27 → pixel 1.
    const atLeftEdge = async () => {
      await w.get('[data-testid="plane-xy"]').trigger('mousemove', { clientX: 0, clientY: 20 });
      return readout(w).attributes('data-x');
    };
    expect(await atLeftEdge()).toBe('1');
    await root.trigger('keydown', { key: 'r' });
    expect(await atLeftEdge()).toBe('0');
    await w.get('[data-testid="z-slider"]').setValue('0');
    expect(zOf(w)).toBe('0');
  });

  it('draws XZ and YZ at the z step: 2.5 µm of z against 0.4 µm of y', () => {
    const w = mount(StackViewer, { props: { volume: stack(), maxWidth: 600, maxHeight: 580 } });
    const h = (id: string) => parseFloat((w.get(`[data-testid="${id}"]`).element as HTMLElement).style.height);
    const wd = (id: string) => parseFloat((w.get(`[data-testid="${id}"]`).element as HTMLElement).style.width);
    expect(h('plane-xz') / h('plane-xy')).toBeCloseTo(2.5 / 0.4, 1);
    expect(wd('plane-yz')).toBe(h('plane-xz'));
    expect(wd('plane-xy') / h('plane-xy')).toBeCloseTo(0.6 / 0.4, 1);
  });

  it('plots raw intensities along a dragged line in µm, normalised on request', async () => {
    const w = mount(StackViewer, { props: { volume: stack() } });
    box(w, 'plane-xy');
    const xy = w.get('[data-testid="plane-xy"]');
    // From pixel (0, 1) to (4, 1) on z 2: 0.4 µm, samples every 0.1 µm = 5 values 1.5·(54 + x).
    await xy.trigger('mousedown', { button: 0, clientX: 5, clientY: 15 });
    await xy.trigger('mousemove', { buttons: 1, clientX: 45, clientY: 15 });
    await xy.trigger('mouseup', { button: 0, clientX: 45, clientY: 15 });
    const plot = w.get('[data-testid="line-profile"]');
    expect(plot.text()).toContain('distance (µm)');
    expect(plot.text()).toContain('intensity (raw)');
    const series = () => w.findComponent(LinePlot).props('series')[0] as { x: number[]; y: number[] };
    expect(series().x).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    series().y.forEach((v, i) => expect(v).toBeCloseTo(81 + 1.5 * i, 3));
    await plot.get('input[type="checkbox"]').setValue(true);
    expect(w.get('[data-testid="line-profile"]').text()).toContain('normalised intensity');
    series().y.forEach((v, i) => expect(v).toBeCloseTo(i / 4, 6));
  });

  it('resets contrast to the full range and takes typed limits in data units', async () => {
    const w = mount(StackViewer, { props: { volume: stack() } });
    await w.get('[data-testid="contrast-reset"]').trigger('click');
    const limit = (m: string) => (w.get(`[data-testid="contrast-${m}"]`).element as HTMLInputElement).value;
    expect([limit('min'), limit('max')]).toEqual(['0', '178.5']);
    await w.get('[data-testid="contrast-max"]').setValue('90');
    expect(limit('max')).toBe('90');
    // A max below the min is refused and the field shows the kept value again.
    await w.get('[data-testid="contrast-min"]').setValue('120');
    expect(limit('min')).toBe('0');
  });
});
