// Image-quality metrics against a ground truth: PSNR, NRMSE, SSIM (3D and mean per-slice 2D),
// after CARE-style normalisation (data range 1).
import { InvalidVolumeError } from '../errors';
import type { Volume } from '../io/volume';
import { careNormalise } from './normalise';
import { ssim2dMean, ssim3d } from './ssim';

export { percentile, careNormalise } from './normalise';
export { ssim3d, ssim2dMean } from './ssim';

export interface Metrics {
  psnr: number;
  /** RMSE of the normalised volumes (the normalised ground truth spans ~[0, 1]). */
  nrmse: number;
  /** null when the volume has fewer than 11 slices. */
  ssim3d: number | null;
  ssim2d: number;
  normalisation: { gtLow: number; gtHigh: number; scale: number; offset: number };
}

export function psnr(gt: ArrayLike<number>, pred: ArrayLike<number>, dataRange = 1): number {
  return 10 * Math.log10((dataRange * dataRange) / mse(gt, pred));
}

function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s / a.length;
}

export function computeMetrics(gt: Volume, pred: Volume): Metrics {
  if (gt.shape.join() !== pred.shape.join()) {
    throw new InvalidVolumeError(
      `ground truth ${gt.shape.join('×')} and prediction ${pred.shape.join('×')} differ in shape`,
      'Compare volumes of the same size.',
    );
  }
  const n = careNormalise(gt.data, pred.data);
  return {
    psnr: psnr(n.gt, n.pred),
    nrmse: Math.sqrt(mse(n.gt, n.pred)),
    ssim3d: gt.shape[0] >= 11 ? ssim3d(n.gt, n.pred, gt.shape) : null,
    ssim2d: ssim2dMean(n.gt, n.pred, gt.shape),
    normalisation: { gtLow: n.gtLow, gtHigh: n.gtHigh, scale: n.scale, offset: n.offset },
  };
}

/** Pearson correlation (normalised cross-correlation) of two equally sized arrays; 0 when either is constant. */
export function ncc(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0,
    mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma,
      db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}
