// The two FFT convolutions of a Richardson–Lucy iteration on a fixed grid with a fixed PSF:
// est ⊛ PSF and ratio ⋆ PSF (correlation). Two implementations with one interface: the
// WebAssembly SIMD kernel (fast; float32) and the JavaScript FFT (float64 lines; the fallback
// where WebAssembly SIMD is missing or an axis length has a prime factor above 13).
import { halfSpectrumSize, irfft3d, rfft3d, type HalfSpectrum } from '../fft/fft3d';
import { WasmFftWorkspace, wasmFftAvailable } from '../fft/wasm-fft';
import { multiplySpectrum, otf, wrapPsf, type Shape3 } from './grid';

export interface BlurEngine {
  readonly kind: 'wasm-simd' | 'js';
  /** Current estimate on the grid (zero outside the box). */
  readonly est: Float32Array;
  /** Ratio image on the grid (zero outside the box). */
  readonly ratio: Float32Array;
  /** est ⊛ PSF (conjugate = false) or ratio ⋆ PSF (true); valid inside the box only. The array is reused by the next call. */
  blur(conjugate: boolean): Float32Array;
}

/** `box` [bz, by]: est and ratio are zero outside z < bz, y < by, and only that box of a result is read. */
export function createBlurEngine(psf: Float32Array, psfShape: Shape3, grid: Shape3, box: readonly [number, number]): BlurEngine {
  const n = grid[0] * grid[1] * grid[2], hs = halfSpectrumSize(grid);
  if (wasmFftAvailable(grid)) {
    const ws = new WasmFftWorkspace(grid, { est: n, ratio: n, work: n, sr: hs, si: hs, hr: hs, hi: hs });
    const spec = { re: 'sr', im: 'si' }, H = { re: 'hr', im: 'hi' };
    wrapPsf(psf, psfShape, grid, ws.view('work'));
    ws.rfft3d('work', H);
    const est = ws.view('est'), ratio = ws.view('ratio'), work = ws.view('work');
    return {
      kind: 'wasm-simd', est, ratio,
      blur(conjugate) {
        ws.rfft3d(conjugate ? 'ratio' : 'est', spec, box);
        ws.multiply(spec, H, conjugate);
        ws.irfft3d(spec, 'work', box);
        return work;
      },
    };
  }
  const H = otf(psf, psfShape, grid);
  const est = new Float32Array(n), ratio = new Float32Array(n), work = new Float32Array(n);
  const spec: HalfSpectrum<Float32Array> = { re: new Float32Array(hs), im: new Float32Array(hs), shape: [...grid], nxh: Math.floor(grid[2] / 2) + 1 };
  return {
    kind: 'js', est, ratio,
    blur(conjugate) {
      multiplySpectrum(rfft3d(conjugate ? ratio : est, grid, spec, box), H, conjugate);
      return irfft3d(spec, work, box) as Float32Array;
    },
  };
}
