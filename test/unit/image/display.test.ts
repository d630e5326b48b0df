import { describe, expect, it } from 'vitest';
import { clahe } from '../../../src-main/core/image/clahe';
import { colormapLut, displayRange, quantiles, toUnit } from '../../../src-main/core/image/colormap';
import { orthoPlanes, renderOrthoview } from '../../../src-main/core/image/orthoviews';
import { svgLinePlot } from '../../../src-main/core/image/svg-plot';

describe('CLAHE', () => {
  const w = 40,
    h = 30;
  const img = Float32Array.from({ length: w * h }, (_, i) => ((i * 7919) % 1000) / 1000);

  it('with one tile and no clipping is global histogram equalisation (the empirical CDF)', () => {
    const out = clahe(img, w, h, { tiles: 1, clipLimit: 1e9, bins: 1000 });
    for (let i = 0; i < img.length; i += 37) {
      const bin = Math.floor(img[i]! * 1000);
      const rank = img.filter((v) => Math.floor(v * 1000) <= bin).length / img.length;
      expect(out[i]).toBeCloseTo(rank, 5);
    }
  });

  it('with clip limit 1 flattens the histogram, leaving intensities (nearly) unchanged', () => {
    // 1200 pixels, 16 bins: every bin holds ≈75 ≥ the clip level, so clipping leaves a flat histogram.
    const out = clahe(img, w, h, { tiles: 1, clipLimit: 1, bins: 16 });
    for (let i = 0; i < img.length; i++) expect(Math.abs(out[i]! - img[i]!)).toBeLessThanOrEqual(1 / 16 + 0.005);
  });

  it('is monotone in intensity within a tile', () => {
    const ramp = Float32Array.from({ length: 64 }, (_, i) => (i % 8) / 8 + Math.floor(i / 8) / 64);
    const out = clahe(ramp, 8, 8, { tiles: 1, clipLimit: 3 });
    const order = [...ramp.keys()].sort((a, b) => ramp[a]! - ramp[b]!);
    for (let k = 1; k < order.length; k++) expect(out[order[k]!]!).toBeGreaterThanOrEqual(out[order[k - 1]!]! - 1e-7);
  });
});

describe('display contrast', () => {
  it('quantiles interpolate like numpy (linear)', () => {
    expect(quantiles([1, 2, 3, 4, 5], [0, 0.5, 0.25, 1])).toEqual([1, 3, 2, 5]);
  });
  it('links contrast across arrays and clamps to [0,1]', () => {
    const a = Float32Array.from({ length: 100 }, (_, i) => i);
    const b = Float32Array.from({ length: 100 }, (_, i) => 2 * i);
    const r = displayRange([a, b], 0, 1);
    expect(r).toEqual({ lo: 0, hi: 198 });
    const u = toUnit(Float32Array.from([-5, 99, 400]), r);
    expect([...u]).toEqual([0, 0.5, 1]);
  });
  it('colour maps span dark to bright', () => {
    for (const name of ['gray', 'magma', 'viridis', 'fire'] as const) {
      const lut = colormapLut(name);
      const lum = (i: number) => lut[i * 3]! + lut[i * 3 + 1]! + lut[i * 3 + 2]!;
      expect(lum(255)).toBeGreaterThan(lum(0));
    }
  });
});

describe('orthogonal views', () => {
  const shape: [number, number, number] = [3, 4, 5];
  const data = Float32Array.from({ length: 60 }, (_, i) => i);

  it('cut XY at z, XZ at y and YZ at x', () => {
    const p = orthoPlanes(data, shape, { z: 1, y: 2, x: 3 });
    expect(p.xy.data[2 * 5 + 4]).toBe(data[(1 * 4 + 2) * 5 + 4]);
    expect(p.xz.data[2 * 5 + 1]).toBe(data[(2 * 4 + 2) * 5 + 1]); // row z=2, column x=1
    expect(p.yz.data[3 * 3 + 0]).toBe(data[(0 * 4 + 3) * 5 + 3]); // row y=3, column z=0
    expect([p.xz.width, p.xz.height, p.yz.width, p.yz.height]).toEqual([5, 3, 3, 4]);
  });

  it('stretch z by the voxel aspect ratio', () => {
    const r = renderOrthoview(
      { data, shape, voxelSize: { x: 1, y: 1, z: 2, unit: 'µm' } },
      { range: { lo: 0, hi: 59 }, gap: 1 },
    );
    expect(r.width).toBe(5 + 1 + 6);
    expect(r.height).toBe(4 + 1 + 6);
  });
});

describe('line plot', () => {
  it('draws each series in its colour', () => {
    const svg = svgLinePlot(
      [
        { name: 'a', values: [1, 2, 3], color: [255, 0, 0] },
        { name: 'b', values: [3, 2, 1], color: [0, 0, 255] },
      ],
      { xLabel: 'x', yLabel: 'y', width: 200, height: 120 },
    );
    expect(svg).toContain('<polyline fill="none" stroke="rgb(255,0,0)"');
    expect(svg).toContain('<polyline fill="none" stroke="rgb(0,0,255)"');
  });
});
