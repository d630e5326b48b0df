// Richardson–Lucy as a tile predictor, so `--method rl` shares tiling, streaming and batch handling
// with the network. With `--psf learned` it uses the PSF the run learned: a classical, quantitative
// deconvolution that still needs no measured PSF.
import type { Volume } from '../io/volume';
import { richardsonLucyArray } from '../deconv/rl';
import type { Predictor } from './predictor';

/** Bytes per tile voxel for RL on the FFT path: padded grid, a few float32 buffers and complex spectra. */
const RL_BYTES_PER_VOXEL = 64;

export function rlPredictor(psf: Volume, iterations: number, source: string): Predictor {
  const [pz, py, px] = psf.shape;
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
    details: { psf: source, iterations: String(iterations) },
    // RL needs non-negative data: normalised input is ≥ 0 by construction of the min–max map.
    predict: (tile, shape) => richardsonLucyArray(tile, shape, psf.data, psf.shape, { iterations }),
    dispose: () => undefined,
  };
}
