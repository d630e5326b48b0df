// Binds the report's measurements to the classic toolkit: FFT convolution, PSF analysis, metrics.
import { convolveArray } from '../deconv/convolve';
import { computeMetrics } from '../metrics/index';
import { analysePsf } from '../psf/analysis';
import type { Measures } from './build';

export const toolkitMeasures: Measures = {
  convolve: (data, shape, psf) => {
    // The re-blur check compares intensities, so the PSF must conserve them: normalise to sum one.
    const sum = psf.data.reduce((a, b) => a + b, 0);
    const k = sum > 0 ? psf.data.map((v) => v / sum) : psf.data;
    return convolveArray(data, shape, k, psf.shape, 'reflect');
  },
  psf: (psf, reference) => {
    const info = analysePsf(psf, reference ? { reference } : {});
    return { fwhm: info.fwhm, ncc: info.ncc };
  },
  metrics: (gt, pred) => {
    const m = computeMetrics(gt, pred);
    return { psnr: m.psnr, nrmse: m.nrmse, ssim3d: m.ssim3d, ssim2d: m.ssim2d };
  },
};
