// Same-size FFT convolution with a centred PSF (centre voxel floor(size/2)), e.g. for re-blur checks.
import { irfft3d, rfft3d } from '../fft/fft3d';
import { nextSmoothSize } from '../fft/fft1d';
import { InvalidVolumeError } from '../errors';
import { volumeLike, type Volume } from '../io/volume';
import { cropBox, embedAtOrigin, multiplySpectrum, otf, padReflect, psfCentre, type Shape3 } from './grid';

export type Boundary = 'reflect' | 'zero' | 'periodic';

/** Convolves a typed-array volume with a PSF; output has the input's shape. */
export function convolveArray(
  data: Float32Array,
  shape: Shape3,
  psf: Float32Array,
  psfShape: Shape3,
  boundary: Boundary = 'reflect',
): Float32Array {
  if (boundary === 'periodic') {
    const spec = rfft3d(data, shape);
    multiplySpectrum(spec, otf(psf, psfShape, shape));
    return irfft3d(spec) as Float32Array;
  }
  const c = psfCentre(psfShape);
  const pad: Shape3 =
    boundary === 'reflect' ? ([0, 1, 2].map((a) => Math.min(c[a]!, shape[a]! - 1)) as Shape3) : [0, 0, 0];
  const padded = padReflect(data, shape, pad);
  const grid = [0, 1, 2].map((a) =>
    nextSmoothSize(padded.shape[a]! + Math.max(c[a]!, psfShape[a]! - 1 - c[a]!)),
  ) as Shape3;
  const spec = rfft3d(embedAtOrigin(padded.data, padded.shape, grid), grid);
  multiplySpectrum(spec, otf(psf, psfShape, grid));
  return cropBox(irfft3d(spec) as Float32Array, grid, pad, shape);
}

/** Same-size convolution of a volume with a centred PSF (mirror boundary by default). */
export function convolveFFT(volume: Volume, psf: Volume, boundary: Boundary = 'reflect'): Volume {
  if (psf.data.length === 0 || volume.data.length === 0)
    throw new InvalidVolumeError('cannot convolve an empty volume');
  return volumeLike(volume, convolveArray(volume.data, volume.shape, psf.data, psf.shape, boundary), {
    sourceFormat: 'computed',
  });
}
