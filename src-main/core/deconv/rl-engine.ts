// The work of one Richardson–Lucy iteration on a fixed grid with a fixed PSF: est ⊛ PSF, the ratio
// image / blurred, ratio ⋆ PSF (correlation) and the multiplicative update. Two implementations
// with one interface: the WebAssembly SIMD kernel (fast; float32) and the JavaScript FFT (float64
// lines; the fallback where WebAssembly SIMD is missing or an axis length has a prime factor above 13).
import { halfSpectrumSize, irfft3d, rfft3d, type HalfSpectrum } from '../fft/fft3d';
import { WasmFftWorkspace, wasmFftAvailable } from '../fft/wasm-fft';
import { multiplySpectrum, otf, wrapPsf, type Shape3 } from './grid';

export interface RlEngine {
  readonly kind: 'wasm-simd' | 'js';
  /** Current estimate on the grid (zero outside the box). */
  readonly est: Float32Array;
  /** The ratio buffer on the grid (zero outside the box); blur(true) correlates it with the PSF. */
  readonly ratioBuffer: Float32Array;
  /** est ⊛ PSF (conjugate = false) or ratio ⋆ PSF (true); valid inside the box only. The array is reused by the next call. */
  blur(conjugate: boolean): Float32Array;
  /** ratio = image / (last blur + add) inside the box. */
  ratio(add: number): void;
  /** est = max(0, est · last blur) inside the box. */
  update(): void;
  /** Threads the engine runs on. */
  readonly threads: number;
  /** Stops helper threads (the engine's arrays stay readable). */
  dispose(): void;
}

/** Calls fn(grid index, box index) over the box `box` of a grid of rows `gx` and planes `gy`·`gx`. */
export function forBox(box: Shape3, gy: number, gx: number, fn: (gi: number, mi: number) => void): void {
  for (let z = 0; z < box[0]; z++)
    for (let y = 0; y < box[1]; y++) {
      const g = (z * gy + y) * gx,
        m = (z * box[1] + y) * box[2];
      for (let x = 0; x < box[2]; x++) fn(g + x, m + x);
    }
}

/**
 * `image`: the (padded) image, dense, of shape `box`, which sits at the grid's origin. est and
 * ratio are zero outside the box, and only the box of each convolution is read.
 */
export function createRlEngine(
  psf: Float32Array,
  psfShape: Shape3,
  grid: Shape3,
  image: Float32Array,
  box: Shape3,
): RlEngine {
  const n = grid[0] * grid[1] * grid[2],
    hs = halfSpectrumSize(grid),
    support = [box[0], box[1]] as const;
  if (wasmFftAvailable(grid)) {
    const ws = new WasmFftWorkspace(grid, {
      est: n,
      ratio: n,
      work: n,
      sr: hs,
      si: hs,
      hr: hs,
      hi: hs,
      image: image.length,
    });
    const spec = { re: 'sr', im: 'si' },
      H = { re: 'hr', im: 'hi' };
    wrapPsf(psf, psfShape, grid, ws.view('work'));
    ws.rfft3d('work', H);
    ws.view('image').set(image);
    const work = ws.view('work');
    return {
      kind: 'wasm-simd',
      est: ws.view('est'),
      ratioBuffer: ws.view('ratio'),
      threads: ws.threadCount,
      dispose: () => ws.dispose(),
      blur(conjugate) {
        ws.rfft3d(conjugate ? 'ratio' : 'est', spec, support);
        ws.multiply(spec, H, conjugate);
        ws.irfft3d(spec, 'work', support);
        return work;
      },
      ratio: (add) => ws.rlRatio('ratio', 'work', 'image', box, add),
      update: () => ws.rlUpdate('est', 'work', box),
    };
  }
  const H = otf(psf, psfShape, grid);
  const est = new Float32Array(n),
    ratio = new Float32Array(n),
    work = new Float32Array(n);
  const spec: HalfSpectrum<Float32Array> = {
    re: new Float32Array(hs),
    im: new Float32Array(hs),
    shape: [...grid],
    nxh: Math.floor(grid[2] / 2) + 1,
  };
  return {
    kind: 'js',
    est,
    ratioBuffer: ratio,
    threads: 1,
    dispose: () => undefined,
    blur(conjugate) {
      multiplySpectrum(rfft3d(conjugate ? ratio : est, grid, spec, support), H, conjugate);
      return irfft3d(spec, work, support) as Float32Array;
    },
    ratio: (add) =>
      forBox(box, grid[1], grid[2], (gi, mi) => {
        ratio[gi] = image[mi]! / (work[gi]! + add);
      }),
    update: () =>
      forBox(box, grid[1], grid[2], (gi) => {
        est[gi] = Math.max(0, est[gi]! * work[gi]!);
      }),
  };
}
