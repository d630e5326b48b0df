// Is this file a PSF? Checked wherever a PSF file is read (rl, deconvolve --psf, psf-info) before any work:
// a nucleus or pollen stack passed as the PSF makes Richardson–Lucy converge to garbage without complaint.
// A PSF is (after its background) non-negative, has one peak, sits near the middle of its box, and its
// light is concentrated around that peak: the in-focus spot is a few resolution elements wide, so in the
// maximum projection along z only a small part of the field is above half the peak. A PSF stack as large
// as the image passes; a structured object (a nucleus fills a large area at half its peak) does not.
import type { Volume } from '../io/volume';
import { InvalidVolumeError } from '../errors';
import { borderBackground } from './analysis';
import { countNonFinite } from '../metrics/finite';

export interface PsfCheckResult {
  background: number;
  /** Most negative voxel after background, as a fraction of the brightest voxel above background. */
  minRatio: number;
  /** Regions (3D, 26-connected) above half the peak, after a 3×3×3 mean against noise. */
  peaks: number;
  /** Offset of the peak from the box centre, as a fraction of the box size, per axis z, y, x. */
  offset: [number, number, number];
  /** Pixels of the z maximum projection above half its peak, as a fraction of the field. */
  halfMaxArea: number;
  halfMaxPixels: number;
}

/** Limits, chosen on the shared PSFs (flowdec, pycudadecon, pyotf beads and Gibson–Lanni) and objects (pollen, bars, bead fields). */
export const PSF_LIMITS = {
  minRatio: -0.2,
  maxPeaks: 1,
  maxOffset: 0.25,
  /** At most this fraction of the field above half max… */
  halfMaxArea: 0.05,
  /** …unless the spot is this small in pixels anyway (tiny, coarsely sampled PSF boxes). */
  halfMaxPixels: 30,
} as const;

function boxMean3(data: Float32Array, shape: [number, number, number]): Float32Array {
  const [, ny, nx] = shape;
  let a = Float32Array.from(data);
  const strides = [ny * nx, nx, 1];
  for (let axis = 0; axis < 3; axis++) {
    const b = new Float32Array(a.length),
      n = shape[axis]!,
      s = strides[axis]!;
    for (let i = 0; i < a.length; i++) {
      const pos = Math.floor(i / s) % n;
      // Zero outside the box (always divide by 3): averaging fewer voxels at the faces would favour them.
      let sum = a[i]!;
      if (pos > 0) sum += a[i - s]!;
      if (pos < n - 1) sum += a[i + s]!;
      b[i] = sum / 3;
    }
    a = b;
  }
  return a;
}

/** Connected regions (26-neighbourhood) of `mask`. */
function countRegions(mask: Uint8Array, shape: [number, number, number]): number {
  const [nz, ny, nx] = shape;
  const seen = new Uint8Array(mask.length);
  let regions = 0;
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    regions++;
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      const z = Math.floor(i / (ny * nx)),
        y = Math.floor(i / nx) % ny,
        x = i % nx;
      for (let dz = -1; dz <= 1; dz++)
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const zz = z + dz,
              yy = y + dy,
              xx = x + dx;
            if (zz < 0 || yy < 0 || xx < 0 || zz >= nz || yy >= ny || xx >= nx) continue;
            const j = (zz * ny + yy) * nx + xx;
            if (mask[j] && !seen[j]) {
              seen[j] = 1;
              stack.push(j);
            }
          }
    }
  }
  return regions;
}

export function measurePsf(psf: Volume): PsfCheckResult {
  const shape = psf.shape;
  const [nz, ny, nx] = shape;
  const background = borderBackground(psf);
  const smooth = boxMean3(psf.data, shape);
  // The peak's place from the data itself (a tiny PSF's spot is one voxel); the regions from the smoothed data.
  let peak = -Infinity,
    at = 0,
    min = Infinity,
    rawPeak = -Infinity;
  for (let i = 0; i < smooth.length; i++) {
    const v = smooth[i]! - background;
    if (v > peak) peak = v;
    const raw = psf.data[i]! - background;
    if (raw < min) min = raw;
    if (raw > rawPeak) {
      rawPeak = raw;
      at = i;
    }
  }
  const mask = new Uint8Array(smooth.length);
  const mip = new Float32Array(ny * nx).fill(-Infinity);
  for (let i = 0; i < smooth.length; i++) {
    const v = smooth[i]! - background;
    if (v >= peak / 2) mask[i] = 1;
    const p = i % (ny * nx);
    if (v > mip[p]!) mip[p] = v;
  }
  let halfMaxPixels = 0;
  for (const v of mip) if (v >= peak / 2) halfMaxPixels++;
  const pz = Math.floor(at / (ny * nx)),
    py = Math.floor(at / nx) % ny,
    px = at % nx;
  const off = (p: number, n: number) => (n > 1 ? Math.abs(p - (n - 1) / 2) / n : 0);
  return {
    background,
    minRatio: peak > 0 && rawPeak > 0 ? min / rawPeak : -Infinity,
    peaks: countRegions(mask, shape),
    offset: [off(pz, nz), off(py, ny), off(px, nx)],
    halfMaxArea: halfMaxPixels / (ny * nx),
    halfMaxPixels,
  };
}

/** Throws InvalidVolumeError naming the failed check when `psf` does not look like a PSF. */
export function checkPsf(psf: Volume, name: string): PsfCheckResult {
  // NaN compares false everywhere below and would slip through every check: count it first.
  const nonFinite = countNonFinite(psf.data);
  if (nonFinite > 0) {
    throw new InvalidVolumeError(
      `${name}: the PSF has ${nonFinite} NaN or infinite voxel${nonFinite === 1 ? '' : 's'} (of ${psf.data.length})`,
      'A PSF is an intensity: remove NaN/Inf voxels (and clip it at zero after background subtraction) before deconvolving.',
    );
  }
  const m = measurePsf(psf);
  const fail = (why: string) =>
    new InvalidVolumeError(
      `${name} does not look like a PSF: ${why}`,
      'A PSF is one bright spot (a bead image or a computed PSF) near the middle of its stack; check that --psf names the PSF and not an image.',
    );
  if (!(m.minRatio > -Infinity)) throw fail('it has no signal above its background');
  if (m.minRatio < PSF_LIMITS.minRatio)
    throw fail(
      `after its background (${m.background.toPrecision(4)}) it goes down to ${(100 * m.minRatio).toFixed(0)} % of its peak; a PSF is non-negative`,
    );
  if (m.peaks > PSF_LIMITS.maxPeaks)
    throw fail(`it has ${m.peaks} separate bright regions above half its peak; a PSF has one`);
  const axis = m.offset.findIndex((o) => o > PSF_LIMITS.maxOffset);
  if (axis >= 0)
    throw fail(
      `its peak is ${(100 * m.offset[axis]!).toFixed(0)} % of the box away from the centre along ${'zyx'[axis]}; a PSF is centred`,
    );
  if (m.halfMaxArea > PSF_LIMITS.halfMaxArea && m.halfMaxPixels > PSF_LIMITS.halfMaxPixels) {
    throw fail(
      `${(100 * m.halfMaxArea).toFixed(1)} % of its field (${m.halfMaxPixels} pixels) is above half its peak in the z projection; a PSF's light is concentrated in a small spot (a structured object such as a nucleus is not)`,
    );
  }
  return m;
}
