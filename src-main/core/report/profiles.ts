// Line profiles through one voxel, along x (lateral) and z (axial): where a deconvolution narrows a line or a
// point, the profile shows by how much, and a ringing or overshoot shows as side lobes.
import type { Shape3, VoxelSize } from '../io/volume';
import type { OrthoCentre } from '../image/orthoviews';
import { curveFigure, type NamedVolume } from './figures';
import type { Section } from './html';

/** Intensities along one axis through `c`. */
export function lineProfile(data: Float32Array, shape: Shape3, c: OrthoCentre, axis: 'x' | 'z'): number[] {
  const [nz, ny, nx] = shape;
  return axis === 'x'
    ? Array.from({ length: nx }, (_, x) => data[(c.z * ny + c.y) * nx + x]!)
    : Array.from({ length: nz }, (_, z) => data[(z * ny + c.y) * nx + c.x]!);
}

/** Divided by its largest absolute value, so volumes on different intensity scales compare by shape. */
function toUnitPeak(v: number[]): number[] {
  const m = v.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
  return m > 0 ? v.map((x) => x / m) : v;
}

function profileFigure(vols: NamedVolume[], c: OrthoCentre, axis: 'x' | 'z', vs: VoxelSize) {
  const step = axis === 'x' ? vs.x : vs.z;
  const where = axis === 'x' ? `z=${c.z}, y=${c.y}` : `y=${c.y}, x=${c.x}`;
  return curveFigure(
    vols.map((v) => {
      const p = toUnitPeak(lineProfile(v.volume.data, v.volume.shape, c, axis));
      return { name: v.name, values: p, x: p.map((_, i) => i * step) };
    }),
    `${axis === 'x' ? 'Lateral' : 'Axial'} profile along ${axis} at ${where}, each volume divided by its largest value on the line.`,
    { xLabel: `${axis} (${vs.unit})`, yLabel: 'intensity / line maximum' },
  );
}

/** Lateral and axial profiles of every volume through the same voxel as the orthoviews. */
export function profileSection(vols: NamedVolume[], c: OrthoCentre): Section {
  const vs = vols[0]!.volume.voxelSize;
  const blocks = [profileFigure(vols, c, 'x', vs)];
  if (vols[0]!.volume.shape[0] > 1) blocks.push(profileFigure(vols, c, 'z', vs));
  return { title: 'Line profiles', blocks };
}
