// Physical units in the 3D view: round µm ticks, the scale bar at the rotation centre, labels projected where
// the volume's edges are.
import { describe, expect, it } from 'vitest';
import { PerspectiveCamera, Scene, Vector3 } from 'three';
import { AxesOverlay, axisTicks, centreScaleBar, pixelsPerUnit } from '../../src-renderer/viewer3d/axes';

describe('3D axes', () => {
  it('ticks at round µm values up to the extent', () => {
    expect(axisTicks(11.2)).toEqual([0, 5, 10]);
    expect(axisTicks(8)).toEqual([0, 2, 4, 6, 8]);
    expect(axisTicks(0.9)).toEqual([0, 0.5]);
    expect(axisTicks(0)).toEqual([0]);
  });

  it('knows how many pixels a scene unit covers at a distance', () => {
    // 90° field: the half-height at distance 1 is one unit, so 400 px tall → 200 px per unit.
    expect(pixelsPerUnit(90, 1, 400)).toBeCloseTo(200, 9);
    expect(pixelsPerUnit(90, 2, 400)).toBeCloseTo(100, 9);
  });

  it('sizes the scale bar at the centre in µm', () => {
    const cam = new PerspectiveCamera(90, 1, 0.01, 100);
    cam.position.set(0, 0, 1);
    // 200 px per unit, a unit is 20 µm → 10 px per µm; a fifth of 400 px is 8 µm → 5 µm, 50 px.
    const bar = centreScaleBar(cam, new Vector3(), 20, 400, 400);
    expect(bar.length).toBe(5);
    expect(bar.px).toBeCloseTo(50, 9);
  });

  it('projects tick labels along the edges from the first voxel', () => {
    const axes = new AxesOverlay(new Scene());
    axes.setExtent([10, 5, 2], 'µm');
    expect(axes.scale).toBe(10);
    expect(axes.point(0, 0, 0).toArray()).toEqual([-0.5, 0.25, -0.1]);
    const cam = new PerspectiveCamera(60, 1, 0.01, 100);
    cam.position.set(0, 0, 3);
    cam.lookAt(0, 0, 0);
    cam.updateMatrixWorld();
    const labels = axes.labels(cam, 400, 400);
    const xs = labels.filter((l) => l.axis === 'x');
    expect(xs.map((l) => l.text)).toEqual(['0', '5', 'x 10 µm']);
    // Looking down z: x labels run left to right on one row, y labels run downwards (image rows).
    expect(xs[1]!.x).toBeGreaterThan(xs[0]!.x);
    expect(xs[1]!.y).toBeCloseTo(xs[0]!.y, 6);
    const ys = labels.filter((l) => l.axis === 'y');
    expect(ys.at(-1)!.y).toBeGreaterThan(ys[0]!.y);
    expect(ys.map((l) => l.text)).toEqual(['0', '2', 'y 4 µm']);
  });
});
