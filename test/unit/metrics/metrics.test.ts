import { describe, expect, it } from 'vitest';
import { readF32, readJson } from '../deconv/read-f32';
import { computeMetrics, percentile, ssim3d } from '../../../src-main/core/metrics/index';
import { makeVolume } from '../../../src-main/core/io/volume';

type S3 = [number, number, number];
/** What metrics_reference.py writes (scikit-image's values on the committed volumes). */
interface Reference {
  shape: S3;
  p_lo: number;
  p_hi: number;
  scale: number;
  offset: number;
  psnr: number;
  nrmse: number;
  ssim3d: number;
  ssim2d: number;
  ssim3d_raw: number;
}
const ref = readJson<Reference>('metrics_reference.json');
const gt = readF32('metrics_gt.f32'),
  pred = readF32('metrics_pred.f32');

describe('metrics agree with scikit-image (metrics_reference.py)', { timeout: 30_000 }, () => {
  const m = computeMetrics(makeVolume(gt, ref.shape), makeVolume(pred, ref.shape));
  it('CARE normalisation: percentiles and affine least-squares fit', () => {
    expect(m.normalisation.gtLow).toBeCloseTo(ref.p_lo, 6);
    expect(m.normalisation.gtHigh).toBeCloseTo(ref.p_hi, 3);
    expect(m.normalisation.scale / ref.scale).toBeCloseTo(1, 6);
    expect(m.normalisation.offset).toBeCloseTo(ref.offset, 6);
  });
  it('PSNR, NRMSE, SSIM 3D and mean per-slice SSIM within 1e-3', () => {
    expect(Math.abs(m.psnr - ref.psnr)).toBeLessThan(1e-3);
    expect(Math.abs(m.nrmse - ref.nrmse)).toBeLessThan(1e-3);
    expect(Math.abs((m.ssim3d ?? NaN) - ref.ssim3d)).toBeLessThan(1e-3);
    expect(Math.abs(m.ssim2d - ref.ssim2d)).toBeLessThan(1e-3);
  });
  it('plain 3D SSIM without normalisation', () => {
    const a = Float64Array.from(gt, (v) => v / 65535),
      b = Float64Array.from(pred, (v) => v / 65535);
    expect(Math.abs(ssim3d(a, b, ref.shape) - ref.ssim3d_raw)).toBeLessThan(1e-3);
  });
  it('identical volumes score SSIM 1 and infinite PSNR; intensity scale does not matter', () => {
    const same = computeMetrics(
      makeVolume(gt, ref.shape),
      makeVolume(
        gt.map((v) => 3 * v + 7),
        ref.shape,
      ),
    );
    expect(same.ssim3d).toBeCloseTo(1, 6);
    expect(same.psnr).toBeGreaterThan(100);
  });
  it('percentile interpolates linearly like numpy', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBeCloseTo(5.5, 10);
    expect(percentile([10, 0, 20], 25)).toBeCloseTo(5, 10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99.9)).toBeCloseTo(9.991, 10);
  });
  it('rejects shape mismatch', () => {
    expect(() =>
      computeMetrics(makeVolume(new Float32Array(8), [2, 2, 2]), makeVolume(new Float32Array(4), [1, 2, 2])),
    ).toThrow(/shape/);
  });
});
