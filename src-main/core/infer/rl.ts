// Richardson–Lucy as a tile predictor, so `--method rl` shares tiling, streaming and batch handling
// with the network. With `--psf learned` it uses the PSF the run learned: a classical, quantitative
// deconvolution that still needs no measured PSF.
import type { Volume } from '../io/volume';
import { richardsonLucyArray, type RlOptions } from '../deconv/rl';
import { checkPsfValues, clipLearnedPsf } from '../deconv/rl-inputs';
import type { Predictor } from './predictor';

/** Bytes per tile voxel for RL on the FFT path: padded grid, a few float32 buffers and complex spectra. */
const RL_BYTES_PER_VOXEL = 64;

/** The RL settings a caller may choose (the rest are the predictor's own). */
export type RlMethodOptions = Pick<RlOptions, 'boundary' | 'background' | 'acceleration'>;

/** `learned`: the PSF is a run's learned one (negative lobes clipped); otherwise a PSF file (refused if it has any). */
export function rlPredictor(
  psf: Volume,
  iterations: number,
  source: string,
  rl: RlMethodOptions = {},
  learned = false,
): Predictor {
  const [pz, py, px] = psf.shape;
  // Checked once here, before the first tile, rather than per tile by richardsonLucyArray.
  const kernel = learned ? clipLearnedPsf(psf.data) : { data: psf.data, clipped: 0 };
  if (!learned) checkPsfValues(psf.data);
  return {
    method: 'rl',
    multiple: 1,
    bytesPerVoxel: RL_BYTES_PER_VOXEL,
    // RL's influence spreads by the PSF radius per iteration, but decays fast: 3 PSF radii of overlap
    // keep seams below the noise in practice; the whole volume is one tile whenever it fits.
    overlap: 3 * Math.ceil(Math.max(pz, py, px) / 2),
    backend: 'js',
    // Min–max keeps the data non-negative, which RL requires.
    normalisation: { pLow: 0, pHigh: 100, clip: false },
    details: {
      psf: source,
      iterations: String(iterations),
      boundary: rl.boundary ?? 'extend',
      background: String(rl.background ?? 'auto'),
      acceleration: rl.acceleration ?? 'none',
      ...(kernel.clipped
        ? { psfNegativeClipped: `${kernel.clipped} negative voxels of the learned PSF set to 0` }
        : {}),
    },
    // RL needs non-negative data: normalised input is ≥ 0 by construction of the min–max map. The
    // min–max map moves the camera offset to about 0; 'auto' estimates what is left, per tile.
    predict: (tile, shape) => richardsonLucyArray(tile, shape, kernel.data, psf.shape, { iterations, ...rl }),
    withStackStats: (stack) => {
      const background = (rl.background ?? 'auto') === 'auto' ? stack.background : (rl.background as number);
      return (tile, shape) =>
        richardsonLucyArray(tile, shape, kernel.data, psf.shape, {
          iterations,
          ...rl,
          background,
          init: Math.max(stack.mean - background, 1e-6),
        });
    },
    dispose: () => undefined,
  };
}
