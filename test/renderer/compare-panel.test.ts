// A Compare panel uses the single-stack viewer's planes: raw readout at the shared cursor, wheel and keys step z,
// Ctrl+wheel zooms, and a long title is cut to one line with the full name on hover.
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import ComparePanel from '../../src-renderer/components/ComparePanel.vue';
import type { VolumeData } from '../../src-renderer/lib/volume';

const volume: VolumeData = {
  data: new Float32Array(4 * 3 * 5).map((_, i) => 10 * i),
  shape: [4, 3, 5],
  voxelSize: { x: 0.1, y: 0.1, z: 0.4, unit: 'µm' },
  min: 0,
  max: 590,
};
const long = 'deconvolved-with-a-model-trained-for-a-very-long-time-on-bars.ome.tif · channel 2 · t 3';
const props = {
  title: long,
  volume,
  cursor: [0.6, 0.5, 0.5] as [number, number, number],
  contrast: { min: 0, max: 590, gamma: 1, log: false },
  clahe: false,
  view: { zoom: 1, cx: 0.5, cy: 0.5 },
  size: 120,
};

describe('ComparePanel', () => {
  it('reads the raw value and µm position at the shared cursor', () => {
    const w = mount(ComparePanel, { props });
    // Cursor fractions (0.6, 0.5, 0.5) → voxel (z 2, y 1, x 2): index (2·3 + 1)·5 + 2 = 37 → 370.
    const r = w.get('[data-testid="compare-readout"]');
    expect(r.attributes('data-value')).toBe('370');
    expect(r.text()).toContain('0.20, 0.10, 0.80 µm');
  });

  it('keeps a long title in a fixed two-line head with the full name on hover', () => {
    const w = mount(ComparePanel, { props });
    const t = w.get('.head .title');
    expect(t.attributes('title')).toBe(long);
    expect(t.text()).toBe(long);
    // The head is as wide as the image, never wider; the shape moved to the XY label.
    expect((w.get('.head').element as HTMLElement).style.maxWidth).toBe(`${Math.round((5 * 120) / 3) + 2}px`);
    expect(w.text()).toContain('XY  z=2 · 4×3×5');
  });

  it('steps z with the wheel and keys, and zooms with Ctrl+wheel', async () => {
    const w = mount(ComparePanel, { props });
    const xy = w.findAll('canvas')[0]!;
    (xy.element as HTMLElement).getBoundingClientRect = () => ({
      left: 0,
      top: 0,
      width: 200,
      height: 120,
      right: 200,
      bottom: 120,
      x: 0,
      y: 0,
      toJSON: () => ({}),
    });
    await xy.trigger('wheel', { deltaY: -100 });
    expect(w.emitted('cursor')?.[0]?.[0]).toEqual([3.5 / 4, 0.5, 0.5]);
    await w.get('.cpanel').trigger('keydown', { key: ',' });
    expect(w.emitted('cursor')?.[1]?.[0]).toEqual([1.5 / 4, 0.5, 0.5]);
    await xy.trigger('wheel', { deltaY: -100, ctrlKey: true, clientX: 100, clientY: 60 });
    expect(w.emitted('view')?.[0]?.[0]).toEqual({ zoom: 1.25, cx: 0.5, cy: 0.5 });
    expect(w.emitted('cursor')).toHaveLength(2);
  });
});
