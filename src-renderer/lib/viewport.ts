// Geometry of a 2D plane shown in a canvas: zoom/pan, canvas → pixel → physical position, scale-bar length.
// Pure (no DOM) so the single-stack viewer's maths is unit-tested; the Vue components only wire events.

/** Zoom factor (1 = whole plane) and the plane point at the canvas centre, as fractions 0..1 of width/height. */
export interface View {
  zoom: number;
  cx: number;
  cy: number;
}

export const MIN_ZOOM = 1;
export const MAX_ZOOM = 32;
export const HOME: View = { zoom: 1, cx: 0.5, cy: 0.5 };

/** Keeps the visible window inside the plane: at zoom z the centre stays within [1/2z, 1 − 1/2z]. */
export function clampView(v: View): View {
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, v.zoom));
  const half = 0.5 / zoom;
  const c = (x: number) => Math.min(1 - half, Math.max(half, x));
  return { zoom, cx: c(v.cx), cy: c(v.cy) };
}

/** The plane point (fractions) under canvas position (u, v), both as fractions 0..1 of the canvas. */
export function canvasToPlane(view: View, u: number, v: number): [number, number] {
  return [view.cx + (u - 0.5) / view.zoom, view.cy + (v - 0.5) / view.zoom];
}

/** Zoom by `factor` keeping the plane point under canvas position (u, v) fixed (as napari and Fiji do). */
export function zoomAt(view: View, factor: number, u: number, v: number): View {
  const [px, py] = canvasToPlane(view, u, v);
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, view.zoom * factor));
  return clampView({ zoom, cx: px - (u - 0.5) / zoom, cy: py - (v - 0.5) / zoom });
}

/** Pan by a drag of (du, dv) canvas fractions: the image follows the mouse. */
export function panBy(view: View, du: number, dv: number): View {
  return clampView({ zoom: view.zoom, cx: view.cx - du / view.zoom, cy: view.cy - dv / view.zoom });
}

/** Integer pixel [x, y] of a plane of w × h pixels under canvas fraction (u, v), clamped to the plane. */
export function pixelAt(view: View, u: number, v: number, w: number, h: number): [number, number] {
  const [fx, fy] = canvasToPlane(view, u, v);
  const clamp = (f: number, n: number) => Math.min(n - 1, Math.max(0, Math.floor(f * n)));
  return [clamp(fx, w), clamp(fy, h)];
}

/** The same position as continuous pixel coordinates (pixel centres at i + 0.5 → i), unclamped. */
export function subpixelAt(view: View, u: number, v: number, w: number, h: number): [number, number] {
  const [fx, fy] = canvasToPlane(view, u, v);
  return [fx * w - 0.5, fy * h - 0.5];
}

/** Physical position of the centre of voxel index i: i × voxel size (origin at the first voxel's centre, as Fiji). */
export function toPhysical(index: number, voxel: number): number {
  return index * voxel;
}

/**
 * The scale bar: the largest round length (1, 2 or 5 × 10^k) not longer than `maxFraction` of the visible width,
 * and its length in canvas pixels. `unitsPerCanvasPx` is the physical size of one canvas pixel.
 */
export function scaleBar(
  unitsPerCanvasPx: number,
  canvasWidth: number,
  maxFraction = 0.25,
): { length: number; px: number } {
  const max = unitsPerCanvasPx * canvasWidth * maxFraction;
  if (!(max > 0) || !Number.isFinite(max)) return { length: 0, px: 0 };
  const p = Math.pow(10, Math.floor(Math.log10(max)));
  const length = [5, 2, 1].map((m) => m * p).find((l) => l <= max * (1 + 1e-9)) ?? p;
  return { length: +length.toPrecision(12), px: length / unitsPerCanvasPx };
}

/** "2 µm", "500 nm" style label for a scale-bar length in µm (px when uncalibrated). */
export function formatLength(length: number, unit: string): string {
  if (unit === 'µm' && length < 1) return `${+(length * 1000).toPrecision(3)} nm`;
  return `${+length.toPrecision(3)} ${unit}`;
}

/** Next slice index after a key press, or null for keys that do not move z (Fiji: , and . ; napari: arrows). */
export function sliceKey(key: string, z: number, nz: number): number | null {
  const step: Record<string, number> = {
    ArrowUp: 1,
    '.': 1,
    '>': 1,
    ArrowDown: -1,
    ',': -1,
    '<': -1,
    PageUp: 10,
    PageDown: -10,
  };
  const s = step[key];
  return s === undefined ? null : Math.min(nz - 1, Math.max(0, z + s));
}

/** The visible part of the plane as fractions [x0, x1, y0, y1]; a locked axis always shows whole (the z of XZ/YZ). */
export function planeWindow(view: View, lockX = false, lockY = false): [number, number, number, number] {
  const zx = lockX ? 1 : view.zoom,
    zy = lockY ? 1 : view.zoom;
  const cx = lockX ? 0.5 : view.cx,
    cy = lockY ? 0.5 : view.cy;
  return [cx - 0.5 / zx, cx + 0.5 / zx, cy - 0.5 / zy, cy + 0.5 / zy];
}

/**
 * CSS sizes of the XY, XZ (below XY) and YZ (right of XY, z horizontal) planes at one physical scale, so a
 * micrometre is as long on every plane: XY plus the side planes (nz × z step thick) fit `maxW` × `maxH`.
 */
export function orthoLayout(
  shape: readonly [number, number, number],
  voxel: { x: number; y: number; z: number },
  maxW: number,
  maxH: number,
): { scale: number; xyW: number; xyH: number; zThick: number } {
  const [nz, ny, nx] = shape;
  const depth = nz * voxel.z;
  const scale = Math.min(maxW / (nx * voxel.x + depth), maxH / (ny * voxel.y + depth));
  return { scale, xyW: nx * voxel.x * scale, xyH: ny * voxel.y * scale, zThick: Math.max(8, depth * scale) };
}

/** A sample value in the data's own units as a microscopist reads it: integers whole, others to 4–5 digits, no exponent below 10⁶. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(3);
  return String(Number(v.toPrecision(a >= 1000 ? 6 : 4)));
}

/** A contrast limit typed by the user: a finite number that keeps min < max, else null (the field is refused). */
export function parseLimit(text: string, which: 'min' | 'max', other: number): number | null {
  if (text.trim() === '') return null;
  const v = Number(text);
  if (!Number.isFinite(v)) return null;
  return (which === 'min' ? v < other : v > other) ? v : null;
}
