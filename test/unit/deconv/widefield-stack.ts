// Builds a synthetic widefield acquisition of the kind that broke mirror-padded RL: a textured
// nucleus taller than the acquired z range, blurred with a Born–Wolf PSF (high-NA oil) far taller
// than the stack, the middle slices kept, a camera offset added, Poisson noise (seeded).
import { convolveArray } from '../../../src-main/core/deconv/convolve';
import { cropBox, type Shape3 } from '../../../src-main/core/deconv/grid';
import { generatePsf } from '../../../src-main/core/psf/generate';
import { mulberry32 } from '../../helpers';

export interface WidefieldStack {
  /** Acquired stack (offset + noise included). */
  image: Float32Array;
  shape: Shape3;
  /** Ground truth cropped to the acquired range, and its flux in detected units. */
  truth: Float32Array;
  psf: Float32Array;
  psfShape: Shape3;
  offset: number;
}

function poisson(lambda: number, rnd: () => number): number {
  if (lambda > 30)
    return Math.max(
      0,
      Math.round(lambda + Math.sqrt(lambda) * Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd())),
    );
  const l = Math.exp(-lambda);
  let k = 0,
    p = 1;
  do {
    k++;
    p *= rnd();
  } while (p > l);
  return k - 1;
}

/** `nz` acquired slices out of a 3·nz tall object; the PSF spans `psfZ` slices (odd). */
export function widefieldStack(
  opts: {
    nz?: number;
    nxy?: number;
    psfZ?: number;
    photons?: number;
    offset?: number;
    seed?: number;
    psfXY?: number;
  } = {},
): WidefieldStack {
  const nz = opts.nz ?? 12,
    nxy = opts.nxy ?? 40,
    psfZ = opts.psfZ ?? 31,
    photons = opts.photons ?? 200,
    offset = opts.offset ?? 100;
  const rnd = mulberry32(opts.seed ?? 3);
  const full: Shape3 = [3 * nz, nxy, nxy];
  const truthFull = new Float32Array(full[0] * full[1] * full[2]);
  const cz = full[0] / 2,
    c = nxy / 2,
    rz = 1.2 * nz,
    rxy = 0.3 * nxy;
  for (let z = 0; z < full[0]; z++)
    for (let y = 0; y < nxy; y++)
      for (let x = 0; x < nxy; x++) {
        const r = ((z - cz) / rz) ** 2 + ((y - c) / rxy) ** 2 + ((x - c) / rxy) ** 2;
        if (r <= 1) truthFull[(z * nxy + y) * nxy + x] = 0.5 + 0.5 * Math.sin(0.9 * x) * Math.sin(0.7 * y) ** 2;
      }
  const psfVol = generatePsf({
    model: 'born-wolf',
    na: 1.4,
    wavelength: 0.52,
    ni: 1.515,
    ns: 1.515,
    dxy: 0.13,
    dz: 0.3,
    size: [psfZ, opts.psfXY ?? 15, opts.psfXY ?? 15],
  });
  const blurred = convolveArray(truthFull, full, psfVol.data, psfVol.shape, 'zero');
  const shape: Shape3 = [nz, nxy, nxy],
    at: Shape3 = [nz, 0, 0];
  const clean = cropBox(blurred, full, at, shape);
  const image = clean.map((v) => offset + poisson(photons * Math.max(0, v), rnd));
  const truth = cropBox(truthFull, full, at, shape).map((v) => v * photons);
  return { image, shape, truth, psf: psfVol.data, psfShape: psfVol.shape, offset };
}

/** Mean of the first and last `k` slices over the mean of the middle slices (between them). */
export function edgeRatio(v: ArrayLike<number>, shape: Shape3, k = 3): number {
  const plane = shape[1] * shape[2];
  const sliceMean = (z: number) => {
    let s = 0;
    for (let i = z * plane; i < (z + 1) * plane; i++) s += v[i]!;
    return s / plane;
  };
  let edge = 0,
    mid = 0;
  for (let z = 0; z < k; z++) edge += sliceMean(z) + sliceMean(shape[0] - 1 - z);
  for (let z = k; z < shape[0] - k; z++) mid += sliceMean(z);
  return edge / (2 * k) / (mid / (shape[0] - 2 * k));
}

export function sum(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s;
}
