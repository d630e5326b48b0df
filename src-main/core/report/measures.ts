// Binds the report's measurements to the classic toolkit: FFT convolution, PSF analysis, metrics.
import { convolveArray } from '../deconv/convolve';
import { computeMetrics } from '../metrics/index';
import { analysePsf } from '../psf/analysis';
import type { Measures } from './build';

export const toolkitMeasures: Measures = {
  convolve: (data, shape, psf) => convolveArray(data, shape, psf.data, psf.shape, 'reflect'),
  psf: (psf, reference) => {
    const info = analysePsf(psf, reference ? { reference } : {});
    return { fwhm: info.fwhm, ncc: info.ncc };
  },
  metrics: (gt, pred) => {
    const m = computeMetrics(gt, pred);
    return { psnr: m.psnr, nrmse: m.nrmse, ssim3d: m.ssim3d, ssim2d: m.ssim2d };
  },
};
