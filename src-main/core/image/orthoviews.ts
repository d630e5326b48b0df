// Orthogonal views of a volume: XY (transverse) at one z, XZ and YZ (sagittal) through one y / x,
// laid out as in ImageJ's Orthogonal Views, with z stretched by the voxel aspect ratio.
import type { Shape3, Volume } from '../io/volume';
import { InvalidParameterError } from '../errors';
import { clahe } from './clahe';
import { colormapLut, toUnit, type ColormapName, type DisplayRange } from './colormap';
import { makeRaster, type Raster } from './png';

export interface Plane {
  width: number;
  height: number;
  data: Float32Array;
}

export interface OrthoCentre {
  z: number;
  y: number;
  x: number;
}

/** XY plane at z, XZ plane at y (rows = z), YZ plane at x (rows = y, columns = z). */
export function orthoPlanes(data: Float32Array, shape: Shape3, at: OrthoCentre): { xy: Plane; xz: Plane; yz: Plane } {
  const [nz, ny, nx] = shape;
  const z = clampIndex(at.z, nz),
    y = clampIndex(at.y, ny),
    x = clampIndex(at.x, nx);
  const xy = data.slice(z * ny * nx, (z + 1) * ny * nx);
  const xz = new Float32Array(nz * nx);
  for (let k = 0; k < nz; k++) xz.set(data.subarray((k * ny + y) * nx, (k * ny + y + 1) * nx), k * nx);
  const yz = new Float32Array(ny * nz);
  for (let j = 0; j < ny; j++) for (let k = 0; k < nz; k++) yz[j * nz + k] = data[(k * ny + j) * nx + x]!;
  return {
    xy: { width: nx, height: ny, data: xy },
    xz: { width: nx, height: nz, data: xz },
    yz: { width: nz, height: ny, data: yz },
  };
}

function clampIndex(i: number, n: number): number {
  return Math.min(n - 1, Math.max(0, Math.round(i)));
}

/** The voxel with the largest value — a good place to centre the views of a PSF. */
export function brightestCentre(data: Float32Array, shape: Shape3): OrthoCentre {
  const [, ny, nx] = shape;
  let best = -Infinity,
    at = 0;
  for (let i = 0; i < data.length; i++)
    if (data[i]! > best) {
      best = data[i]!;
      at = i;
    }
  return { z: Math.floor(at / (ny * nx)), y: Math.floor(at / nx) % ny, x: at % nx };
}

export function centreOf(shape: Shape3): OrthoCentre {
  return { z: Math.floor(shape[0] / 2), y: Math.floor(shape[1] / 2), x: Math.floor(shape[2] / 2) };
}

/** Nearest-neighbour resize (used to stretch z by the voxel aspect and to upscale tiny PSFs). */
export function resizePlane(p: Plane, width: number, height: number): Plane {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(p.height - 1, Math.floor(((y + 0.5) * p.height) / height));
    for (let x = 0; x < width; x++)
      out[y * width + x] = p.data[sy * p.width + Math.min(p.width - 1, Math.floor(((x + 0.5) * p.width) / width))]!;
  }
  return { width, height, data: out };
}

export interface OrthoRenderOptions {
  range: DisplayRange;
  colormap?: ColormapName;
  /** Apply CLAHE to each displayed plane (display only). */
  clahe?: boolean;
  /** Integer magnification (tiny PSFs are unreadable at 1 px per voxel). */
  zoom?: number;
  centre?: OrthoCentre;
  /** Gap between panels in pixels. */
  gap?: number;
}

/** Paints a [0,1] plane into an RGB raster at (ox, oy). */
export function blit(dst: Raster, p: Plane, ox: number, oy: number, lut: Uint8Array): void {
  for (let y = 0; y < p.height; y++) {
    const ty = oy + y;
    if (ty < 0 || ty >= dst.height) continue;
    for (let x = 0; x < p.width; x++) {
      const tx = ox + x;
      if (tx < 0 || tx >= dst.width) continue;
      const v = Math.round(Math.min(1, Math.max(0, p.data[y * p.width + x]!)) * 255);
      const o = (ty * dst.width + tx) * 3;
      dst.data[o] = lut[v * 3]!;
      dst.data[o + 1] = lut[v * 3 + 1]!;
      dst.data[o + 2] = lut[v * 3 + 2]!;
    }
  }
}

/** One orthoview figure: XY top-left, YZ to its right, XZ below; z scaled by voxelSize.z / voxelSize.x. */
export function renderOrthoview(vol: Pick<Volume, 'data' | 'shape' | 'voxelSize'>, opts: OrthoRenderOptions): Raster {
  const [nz, ny, nx] = vol.shape;
  if (vol.data.length !== nz * ny * nx) throw new InvalidParameterError('volume', 'data length does not match shape');
  const zoom = Math.max(1, Math.round(opts.zoom ?? 1));
  const gap = opts.gap ?? 4;
  const aspect = vol.voxelSize.x > 0 && vol.voxelSize.z > 0 ? vol.voxelSize.z / vol.voxelSize.x : 1;
  const zPix = Math.max(1, Math.round(nz * Math.min(aspect, 20) * zoom));
  const planes = orthoPlanes(vol.data, vol.shape, opts.centre ?? centreOf(vol.shape));
  const show = (p: Plane, w: number, h: number): Plane => {
    const unit = { width: p.width, height: p.height, data: toUnit(p.data, opts.range) };
    const eq = opts.clahe ? { ...unit, data: clahe(unit.data, unit.width, unit.height) } : unit;
    return resizePlane(eq, w, h);
  };
  const xy = show(planes.xy, nx * zoom, ny * zoom);
  const xz = show(planes.xz, nx * zoom, zPix);
  const yz = show(planes.yz, zPix, ny * zoom);
  const r = makeRaster(xy.width + gap + yz.width, xy.height + gap + xz.height, 3, 255);
  const lut = colormapLut(opts.colormap ?? 'gray');
  blit(r, xy, 0, 0, lut);
  blit(r, yz, xy.width + gap, 0, lut);
  blit(r, xz, 0, xy.height + gap, lut);
  return r;
}

/** Places rasters left to right with a white gap, top-aligned. */
export function sideBySide(rasters: Raster[], gap = 12): Raster {
  const width = rasters.reduce((s, r) => s + r.width, 0) + gap * Math.max(0, rasters.length - 1);
  const height = Math.max(...rasters.map((r) => r.height));
  const out = makeRaster(width, height, 3, 255);
  let ox = 0;
  for (const r of rasters) {
    for (let y = 0; y < r.height; y++) {
      for (let x = 0; x < r.width; x++) {
        const s = (y * r.width + x) * r.channels;
        const d = (y * width + ox + x) * 3;
        out.data[d] = r.data[s]!;
        out.data[d + 1] = r.data[s + (r.channels === 3 ? 1 : 0)]!;
        out.data[d + 2] = r.data[s + (r.channels === 3 ? 2 : 0)]!;
      }
    }
    ox += r.width + gap;
  }
  return out;
}
