// The single-stack viewer's pure maths: zoom/pan, canvas → pixel mapping, scale-bar length, slice keys,
// and line profiles sampled in one physical unit (values checked against hand-computed bilinear sums).
import { describe, expect, it } from 'vitest';
import { bilinear, normaliseProfile, sampleLine } from '../../src-renderer/lib/line';
import {
  HOME,
  canvasToPlane,
  clampView,
  formatLength,
  formatValue,
  parseLimit,
  panBy,
  orthoLayout,
  pixelAt,
  planeWindow,
  scaleBar,
  sliceKey,
  subpixelAt,
  toPhysical,
  zoomAt,
} from '../../src-renderer/lib/viewport';

describe('zoom and pan', () => {
  it('keeps the plane point under the mouse fixed when zooming', () => {
    const v = zoomAt(HOME, 4, 0.75, 0.25);
    expect(v.zoom).toBe(4);
    const [x, y] = canvasToPlane(v, 0.75, 0.25);
    expect(x).toBeCloseTo(0.75, 12);
    expect(y).toBeCloseTo(0.25, 12);
  });
  it('clamps at the edge instead of showing outside the plane', () => {
    const v = zoomAt(HOME, 2, 0, 0);
    expect(v).toEqual({ zoom: 2, cx: 0.25, cy: 0.25 });
    expect(canvasToPlane(v, 0, 0)).toEqual([0, 0]);
    expect(clampView({ zoom: 0.1, cx: 0.9, cy: 0.1 })).toEqual({ zoom: 1, cx: 0.5, cy: 0.5 });
    expect(zoomAt(HOME, 1000, 0.5, 0.5).zoom).toBe(32);
  });
  it('pans with the mouse and never past the border', () => {
    const v = panBy({ zoom: 4, cx: 0.5, cy: 0.5 }, 0.2, -0.4);
    expect(v.cx).toBeCloseTo(0.45, 12);
    expect(v.cy).toBeCloseTo(0.6, 12);
    expect(panBy(HOME, 0.3, 0.3)).toEqual(HOME);
  });
});

describe('canvas → pixel → µm', () => {
  it('maps canvas fractions to integer pixels, zoomed or not', () => {
    expect(pixelAt(HOME, 0, 0, 64, 32)).toEqual([0, 0]);
    expect(pixelAt(HOME, 0.999, 0.999, 64, 32)).toEqual([63, 31]);
    expect(pixelAt(HOME, 1, 1, 64, 32)).toEqual([63, 31]);
    // Zoom 4 centred at (0.5, 0.5): the canvas shows x 24..40 of 64; its middle is pixel 32.
    expect(pixelAt({ zoom: 4, cx: 0.5, cy: 0.5 }, 0.5, 0.5, 64, 64)).toEqual([32, 32]);
    expect(pixelAt({ zoom: 4, cx: 0.5, cy: 0.5 }, 0, 0, 64, 64)).toEqual([24, 24]);
    expect(subpixelAt(HOME, 0.5 / 64, 0.5 / 64, 64, 64)).toEqual([0, 0]);
  });
  it('puts voxel centres at index × voxel size', () => {
    expect(toPhysical(0, 0.1)).toBe(0);
    expect(toPhysical(12, 0.3)).toBeCloseTo(3.6, 12);
  });
});

describe('scale bar', () => {
  it('chooses 1, 2 or 5 × 10^k not longer than a quarter of the width', () => {
    expect(scaleBar(0.1, 400)).toEqual({ length: 10, px: 100 });
    expect(scaleBar(0.13, 400).length).toBe(10);
    expect(scaleBar(0.3, 400).length).toBe(20);
    expect(scaleBar(0.05, 400).length).toBe(5);
    expect(scaleBar(0.001, 300).length).toBe(0.05);
    expect(scaleBar(0.3, 400).px).toBeCloseTo(20 / 0.3, 9);
    expect(scaleBar(0, 400)).toEqual({ length: 0, px: 0 });
  });
  it('labels sub-micrometre bars in nm', () => {
    expect(formatLength(0.5, 'µm')).toBe('500 nm');
    expect(formatLength(20, 'µm')).toBe('20 µm');
    expect(formatLength(50, 'px')).toBe('50 px');
  });
});

describe('slice keys', () => {
  it('moves z like Fiji and napari and stays in the stack', () => {
    expect(sliceKey('ArrowUp', 3, 10)).toBe(4);
    expect(sliceKey(',', 3, 10)).toBe(2);
    expect(sliceKey('.', 9, 10)).toBe(9);
    expect(sliceKey('PageDown', 3, 10)).toBe(0);
    expect(sliceKey('PageUp', 3, 40)).toBe(13);
    expect(sliceKey('x', 3, 10)).toBeNull();
  });
});

describe('line profile', () => {
  // Row-major 2 × 2: (x0,y0)=0 (x1,y0)=10 (x0,y1)=20 (x1,y1)=30.
  const plane = [0, 10, 20, 30];
  it('interpolates bilinearly', () => {
    expect(bilinear(plane, 2, 2, 0.5, 0.5)).toBe(15);
    expect(bilinear(plane, 2, 2, 0.25, 0)).toBe(2.5);
    expect(bilinear(plane, 2, 2, 1, 0.75)).toBe(25);
    expect(bilinear(plane, 2, 2, -3, 9)).toBe(20);
  });
  it('samples a diagonal every 0.05 µm on 0.1 µm pixels', () => {
    const s = sampleLine(plane, 2, 2, [0, 0], [1, 1], 0.1, 0.1, 0.05);
    // Length √2 × 0.1 = 0.1414 µm → samples at 0, 0.05, 0.1 µm; the second at t = 0.05 / 0.1414 = 0.35355.
    expect(s.distance).toEqual([0, 0.05, 0.1]);
    expect(s.value[0]).toBe(0);
    expect(s.value[1]).toBeCloseTo(30 * 0.3535534, 5);
    expect(s.value[2]).toBeCloseTo(30 * 0.7071068, 5);
  });
  it('measures physical length with anisotropic pixels (an XZ line)', () => {
    // 1 px in x (0.1 µm) and 1 px in z (0.3 µm): length √(0.01 + 0.09) = 0.3162 µm.
    const s = sampleLine(plane, 2, 2, [0, 0], [1, 1], 0.1, 0.3, 0.1);
    expect(s.distance).toEqual([0, 0.1, 0.2, 0.3]);
    expect(s.value[3]).toBeCloseTo(30 * (0.3 / Math.sqrt(0.1)), 5);
  });
  it('keeps raw values and normalises only on request', () => {
    expect(sampleLine([5, 7, 9], 3, 1, [0, 0], [2, 0]).value).toEqual([5, 7, 9]);
    expect(normaliseProfile([5, 7, 9])).toEqual([0, 0.5, 1]);
    expect(normaliseProfile([4, 4])).toEqual([0, 0]);
  });
});

describe('plane window', () => {
  it('zooms only the shared axis of a side view', () => {
    expect(planeWindow({ zoom: 4, cx: 0.25, cy: 0.75 })).toEqual([0.125, 0.375, 0.625, 0.875]);
    expect(planeWindow({ zoom: 4, cx: 0.25, cy: 0.75 }, false, true)).toEqual([0.125, 0.375, 0, 1]);
    expect(planeWindow({ zoom: 2, cx: 0.5, cy: 0.5 }, true, false)).toEqual([0, 1, 0.25, 0.75]);
  });
});

describe('orthogonal layout', () => {
  it('draws z at its own step: 12 slices of 0.3 µm beside 48 px of 0.1 µm', () => {
    const l = orthoLayout([12, 48, 48], { x: 0.1, y: 0.1, z: 0.3 }, 600, 480);
    // 4.8 µm of y plus 3.6 µm of z fill the 480 px height: 57.14 px per µm on every plane.
    expect(l.scale).toBeCloseTo(480 / 8.4, 9);
    expect(l.xyW).toBeCloseTo(l.xyH, 9);
    expect(l.xyH + l.zThick).toBeCloseTo(480, 9);
    expect(l.zThick / l.xyH).toBeCloseTo(0.75, 9);
  });
  it('fits a wide plane to the width', () => {
    const l = orthoLayout([4, 50, 200], { x: 1, y: 1, z: 1 }, 408, 400);
    expect([l.xyW, l.xyH, l.zThick]).toEqual([400, 100, 8]);
  });
});

describe('values in data units', () => {
  it('prints raw values without needless exponents', () => {
    expect(formatValue(37800)).toBe('37800');
    expect(formatValue(28.5)).toBe('28.5');
    expect(formatValue(1234.5678)).toBe('1234.57');
    expect(formatValue(0.012345)).toBe('0.01235');
    expect(formatValue(2.5e7 + 0.5)).toBe('2.500e+7');
    expect(formatValue(NaN)).toBe('NaN');
  });
  it('accepts a typed limit only when it keeps min below max', () => {
    expect(parseLimit('120', 'min', 500)).toBe(120);
    expect(parseLimit('600', 'min', 500)).toBeNull();
    expect(parseLimit('600', 'max', 500)).toBe(600);
    expect(parseLimit('abc', 'max', 500)).toBeNull();
    expect(parseLimit(' ', 'max', 500)).toBeNull();
  });
});
