// Theoretical PSF volumes (Born–Wolf or Gibson–Lanni; widefield or confocal) on a voxel grid,
// centred, odd-sized, normalised to sum 1, with optional pixel/slab integration (oversampling).
import { InvalidParameterError } from '../errors';
import { makeVolume, type Volume } from '../io/volume';
import { besselJ0, pupilPhase, quadratureNodes, type OpticsParams, type PsfModel } from './optics';

export interface PsfParams extends OpticsParams {
  model: PsfModel;
  /** Lateral and axial voxel size, µm. */
  dxy: number;
  dz: number;
  /** Output size [z, y, x]; each must be odd so the PSF centre is a voxel. */
  size: [number, number, number];
  /** Confocal: excitation PSF × emission PSF. The pinhole is ignored (treated as infinitely small). */
  confocal?: boolean;
  /** Excitation wavelength (µm) for confocal; defaults to the emission wavelength. */
  excitationWavelength?: number;
  /** Sub-samples per voxel edge: the PSF is averaged over each pixel and z slab (1 = point samples). */
  oversampling?: number;
}

function validate(p: PsfParams): void {
  const positive: [string, number][] = [
    ['na', p.na],
    ['wavelength', p.wavelength],
    ['ni', p.ni],
    ['ns', p.ns],
    ['dxy', p.dxy],
    ['dz', p.dz],
  ];
  for (const [name, v] of positive)
    if (!(Number.isFinite(v) && v > 0)) throw new InvalidParameterError(name, `must be a positive number, got ${v}`);
  if (p.na >= p.ni) throw new InvalidParameterError('na', `NA ${p.na} must be below the immersion index ${p.ni}`);
  for (const n of p.size) {
    if (!Number.isInteger(n) || n < 1 || n % 2 === 0)
      throw new InvalidParameterError(
        'size',
        `each dimension must be an odd positive integer, got ${p.size.join(',')}`,
        'Odd sizes keep the PSF centre on a voxel.',
      );
  }
  const os = p.oversampling ?? 1;
  if (!Number.isInteger(os) || os < 1 || os > 9)
    throw new InvalidParameterError('oversampling', `must be an integer 1–9, got ${os}`);
}

/** Intensity on the grid for one wavelength (unnormalised), voxel-averaged over os³ sub-samples. */
function widefieldGrid(p: PsfParams, wavelength: number): Float64Array {
  const [nz, ny, nx] = p.size;
  const os = p.oversampling ?? 1;
  const optics: OpticsParams = { ...p, wavelength };
  const cz = (nz - 1) / 2,
    cy = (ny - 1) / 2,
    cx = (nx - 1) / 2;
  // Sub-sample offsets in units of voxel/(2·os): u = 2·os·(i − c) + 2a + 1 − os, integers.
  const sub = (i: number, c: number, a: number) => 2 * os * (i - c) + 2 * a + 1 - os;
  const keyIndex = new Map<number, number>();
  const keys: number[] = [];
  const pixelKeys = new Int32Array(ny * nx * os * os);
  for (let y = 0; y < ny; y++)
    for (let x = 0; x < nx; x++)
      for (let a = 0; a < os; a++)
        for (let b = 0; b < os; b++) {
          const uy = sub(y, cy, a),
            ux = sub(x, cx, b);
          const key = uy * uy + ux * ux;
          let idx = keyIndex.get(key);
          if (idx === undefined) {
            idx = keys.length;
            keyIndex.set(key, idx);
            keys.push(key);
          }
          pixelKeys[((y * nx + x) * os + a) * os + b] = idx;
        }
  const unit = p.dxy / (2 * os);
  const rMax = Math.sqrt(Math.max(...keys)) * unit;
  const zMax = (cz + 0.5) * p.dz;
  const { rho, weight } = quadratureNodes(p.model, optics, rMax, zMax);
  const nq = rho.length,
    k = (2 * Math.PI) / wavelength;
  const bessel = new Float64Array(keys.length * nq);
  for (let i = 0; i < keys.length; i++) {
    const r = Math.sqrt(keys[i]!) * unit;
    for (let q = 0; q < nq; q++) bessel[i * nq + q] = weight[q]! * rho[q]! * besselJ0(k * p.na * r * rho[q]!);
  }
  const out = new Float64Array(nz * ny * nx);
  const cosW = new Float64Array(nq),
    sinW = new Float64Array(nq),
    radial = new Float64Array(keys.length);
  const plane = ny * nx,
    inv = 1 / (os * os * os);
  for (let iz = 0; iz < nz; iz++) {
    for (let c = 0; c < os; c++) {
      const z = (sub(iz, cz, c) * p.dz) / (2 * os);
      for (let q = 0; q < nq; q++) {
        const ph = pupilPhase(p.model, optics, rho[q]!, z);
        cosW[q] = Math.cos(ph);
        sinW[q] = Math.sin(ph);
      }
      for (let i = 0; i < keys.length; i++) {
        let sr = 0,
          si = 0;
        const base = i * nq;
        for (let q = 0; q < nq; q++) {
          const w = bessel[base + q]!;
          sr += w * cosW[q]!;
          si += w * sinW[q]!;
        }
        radial[i] = sr * sr + si * si;
      }
      const off = iz * plane;
      for (let pix = 0; pix < plane; pix++) {
        let acc = 0;
        for (let s = 0; s < os * os; s++) acc += radial[pixelKeys[pix * os * os + s]!]!;
        out[off + pix]! += acc * inv;
      }
    }
  }
  return out;
}

/** A theoretical PSF volume, float32, sum 1, voxel size in µm. */
export function generatePsf(p: PsfParams): Volume {
  validate(p);
  let grid = widefieldGrid(p, p.wavelength);
  if (p.confocal) {
    const exc = widefieldGrid(p, p.excitationWavelength ?? p.wavelength);
    grid = grid.map((v, i) => v * exc[i]!);
  }
  let sum = 0;
  for (const v of grid) sum += v;
  const data = new Float32Array(grid.length);
  for (let i = 0; i < grid.length; i++) data[i] = grid[i]! / sum;
  const vol = makeVolume(data, p.size, { x: p.dxy, y: p.dxy, z: p.dz, unit: 'µm' }, 'synthetic');
  vol.metadata.intensityScale = 'PSF, sum 1';
  vol.metadata.extra = {
    psfModel: p.model + (p.confocal ? ' confocal (pinhole ignored)' : ' widefield'),
    na: String(p.na),
    wavelength: String(p.wavelength),
    ni: String(p.ni),
    ns: String(p.ns),
    ...(p.confocal ? { excitationWavelength: String(p.excitationWavelength ?? p.wavelength) } : {}),
    oversampling: String(p.oversampling ?? 1),
  };
  return vol;
}
