// SSIM as scikit-image computes it with gaussian_weights=True, sigma=1.5, use_sample_covariance=False:
// Gaussian-weighted local means/variances (truncate 3.5 → 11-tap window, scipy 'reflect' boundary),
// then the SSIM map averaged after cropping 5 voxels from every filtered edge.
import { InvalidVolumeError } from '../errors';

type Shape3 = readonly [number, number, number];
const SIGMA = 1.5,
  RADIUS = Math.floor(3.5 * SIGMA + 0.5);

function gaussianKernel(): Float64Array {
  const k = new Float64Array(2 * RADIUS + 1);
  let s = 0;
  for (let i = -RADIUS; i <= RADIUS; i++) {
    k[i + RADIUS] = Math.exp((-0.5 * i * i) / (SIGMA * SIGMA));
    s += k[i + RADIUS]!;
  }
  return k.map((v) => v / s);
}

/** scipy.ndimage 'reflect' (d c b a | a b c d). */
function reflect(i: number, n: number): number {
  const period = 2 * n;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - 1 - j;
  return j;
}

/** Separable Gaussian filter along the given axes (0 = z, 1 = y, 2 = x), in place. */
function gaussianFilter(data: Float64Array, shape: Shape3, axes: number[]): void {
  const k = gaussianKernel();
  const strides = [shape[1] * shape[2], shape[2], 1];
  for (const axis of axes) {
    const n = shape[axis]!,
      stride = strides[axis]!;
    const line = new Float64Array(n);
    const others = [0, 1, 2].filter((a) => a !== axis);
    for (let a = 0; a < shape[others[0]!]!; a++)
      for (let b = 0; b < shape[others[1]!]!; b++) {
        const base = a * strides[others[0]!]! + b * strides[others[1]!]!;
        for (let i = 0; i < n; i++) line[i] = data[base + i * stride]!;
        for (let i = 0; i < n; i++) {
          let acc = 0;
          for (let t = -RADIUS; t <= RADIUS; t++) acc += k[t + RADIUS]! * line[reflect(i + t, n)]!;
          data[base + i * stride] = acc;
        }
      }
  }
}

/** Mean SSIM of two same-shape arrays; `axes` are the filtered (and cropped) axes. */
function ssimOver(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  shape: Shape3,
  axes: number[],
  dataRange: number,
): number {
  const n = shape[0] * shape[1] * shape[2];
  const ux = Float64Array.from(x),
    uy = Float64Array.from(y);
  const uxx = new Float64Array(n),
    uyy = new Float64Array(n),
    uxy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    uxx[i] = x[i]! * x[i]!;
    uyy[i] = y[i]! * y[i]!;
    uxy[i] = x[i]! * y[i]!;
  }
  for (const a of [ux, uy, uxx, uyy, uxy]) gaussianFilter(a, shape, axes);
  const c1 = (0.01 * dataRange) ** 2,
    c2 = (0.03 * dataRange) ** 2;
  const lo = [0, 1, 2].map((a) => (axes.includes(a) ? RADIUS : 0));
  const hi = [0, 1, 2].map((a) => (axes.includes(a) ? shape[a]! - RADIUS : shape[a]));
  let sum = 0,
    count = 0;
  for (let z = lo[0]!; z < hi[0]!; z++)
    for (let yy = lo[1]!; yy < hi[1]!; yy++)
      for (let xx = lo[2]!; xx < hi[2]!; xx++) {
        const i = (z * shape[1] + yy) * shape[2] + xx;
        const mx = ux[i]!,
          my = uy[i]!;
        const vx = uxx[i]! - mx * mx,
          vy = uyy[i]! - my * my,
          vxy = uxy[i]! - mx * my;
        sum += ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        count++;
      }
  return sum / count;
}

function checkSize(shape: Shape3, axes: number[]): void {
  for (const a of axes) {
    if (shape[a]! < 2 * RADIUS + 1)
      throw new InvalidVolumeError(
        `SSIM needs at least ${2 * RADIUS + 1} voxels along each compared axis; shape is ${shape.join('×')}`,
        'Use a larger volume or the per-slice 2D SSIM.',
      );
  }
}

/** 3D SSIM (skimage structural_similarity on the whole volume). */
export function ssim3d(x: ArrayLike<number>, y: ArrayLike<number>, shape: Shape3, dataRange = 1): number {
  checkSize(shape, [0, 1, 2]);
  return ssimOver(x, y, shape, [0, 1, 2], dataRange);
}

/** Mean over z of 2D SSIM per slice (skimage structural_similarity on each slice). */
export function ssim2dMean(x: ArrayLike<number>, y: ArrayLike<number>, shape: Shape3, dataRange = 1): number {
  checkSize(shape, [1, 2]);
  const plane = shape[1] * shape[2];
  let s = 0;
  for (let z = 0; z < shape[0]; z++) {
    const a = Array.prototype.slice.call(x, z * plane, (z + 1) * plane) as number[];
    const b = Array.prototype.slice.call(y, z * plane, (z + 1) * plane) as number[];
    s += ssimOver(a, b, [1, shape[1], shape[2]], [1, 2], dataRange);
  }
  return s / shape[0];
}
