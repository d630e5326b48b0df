// Physical units in the 3D view: the volume's bounding box, tick labels in µm along the three edges from the
// first voxel, and the scale bar's length at the rotation centre. Labels are projected to canvas pixels and
// drawn as HTML over the WebGL canvas (crisp text, no font textures).
import {
  BoxGeometry,
  EdgesGeometry,
  LineBasicMaterial,
  LineSegments,
  Vector3,
  type Camera,
  type PerspectiveCamera,
  type Scene,
} from 'three';
import { scaleBar } from '../lib/viewport';

export interface AxisLabel {
  text: string;
  x: number;
  y: number;
  axis: 'x' | 'y' | 'z';
  end?: boolean;
}

/** Round tick values from 0 to `extent` inclusive: steps of 1, 2 or 5 × 10^k, at most `max` + 1 ticks. */
export function axisTicks(extent: number, max = 4): number[] {
  if (!(extent > 0)) return [0];
  const p = Math.pow(10, Math.floor(Math.log10(extent / max)));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => extent / s <= max) ?? 10 * p;
  const out: number[] = [];
  for (let i = 0; i * step <= extent * (1 + 1e-9); i++) out.push(+(i * step).toPrecision(12));
  return out;
}

/** Canvas pixels per scene unit at `distance` from a perspective camera of vertical field `fovDeg`. */
export function pixelsPerUnit(fovDeg: number, distance: number, heightPx: number): number {
  return heightPx / (2 * distance * Math.tan((fovDeg * Math.PI) / 360));
}

/** The scale bar at the rotation centre for a volume whose longest side (1 scene unit) is `umPerUnit` µm. */
export function centreScaleBar(
  camera: PerspectiveCamera,
  target: Vector3,
  umPerUnit: number,
  w: number,
  h: number,
): { length: number; px: number } {
  const pxPerUm = pixelsPerUnit(camera.fov, camera.position.distanceTo(target), h) / umPerUnit;
  return scaleBar(1 / pxPerUm, w, 0.2);
}

export class AxesOverlay {
  private box: LineSegments | null = null;
  private extent: [number, number, number] = [0, 0, 0];
  private umPerUnit = 1;
  unit = 'µm';

  constructor(private readonly scene: Scene) {}

  /** Physical extent [x, y, z] of the volume in `unit`; the longest side is one scene unit (as the renderers draw it). */
  setExtent(extent: [number, number, number], unit: string): void {
    this.extent = extent;
    this.unit = unit;
    this.umPerUnit = Math.max(...extent) || 1;
    const [sx, sy, sz] = extent.map((e) => e / this.umPerUnit);
    if (this.box) {
      this.scene.remove(this.box);
      this.box.geometry.dispose();
    }
    this.box = new LineSegments(
      new EdgesGeometry(new BoxGeometry(sx, sy, sz)),
      new LineBasicMaterial({ color: 0x56606c }),
    );
    this.scene.add(this.box);
  }

  get scale(): number {
    return this.umPerUnit;
  }

  /** Scene position of a physical point (x, y, z) from the first voxel's corner; image y runs down (three's −y). */
  point(x: number, y: number, z: number): Vector3 {
    const [ex, ey, ez] = this.extent,
      s = this.umPerUnit;
    return new Vector3((x - ex / 2) / s, (ey / 2 - y) / s, (z - ez / 2) / s);
  }

  /** Tick labels along x, y and z from the origin corner, projected to canvas pixels (w × h); behind-camera ones dropped. */
  labels(camera: Camera, w: number, h: number): AxisLabel[] {
    const out: AxisLabel[] = [];
    const axes = [
      ['x', 0],
      ['y', 1],
      ['z', 2],
    ] as const;
    for (const [axis, i] of axes) {
      const ticks = axisTicks(this.extent[i]);
      ticks.forEach((t, k) => {
        const p = [0, 0, 0] as [number, number, number];
        p[i] = t;
        const v = this.point(...p).project(camera);
        if (v.z > 1 || v.z < -1) return;
        const end = k === ticks.length - 1;
        out.push({
          axis,
          text: end ? `${axis} ${t} ${this.unit}` : `${t}`,
          x: ((v.x + 1) / 2) * w,
          y: ((1 - v.y) / 2) * h,
          end,
        });
      });
    }
    return out;
  }

  dispose(): void {
    if (this.box) {
      this.scene.remove(this.box);
      this.box.geometry.dispose();
      (this.box.material as LineBasicMaterial).dispose();
    }
    this.box = null;
  }
}
