// The re-blur check: a faithful deconvolution, blurred again with the PSF, must give back the input.
// Structure the network invented (hallucinated) does not survive this test. Reported per z slice as
// the relative residual ‖PSF ⊛ result − input‖₂ / ‖input‖₂, next to the same number for the input
// itself (what "no deconvolution at all" scores) so the reader has a scale.
import type { Shape3 } from '../io/volume';
import { InvalidVolumeError } from '../errors';
import { affineFit } from '../metrics/affine';

export interface ReblurCheck {
  /** Relative residual of each z slice. */
  perSlice: number[];
  /** Relative residual over the whole volume. */
  overall: number;
  /** The same check with the input in place of the result (PSF ⊛ input − input). */
  inputPerSlice: number[];
  inputOverall: number;
  /** Least-squares gain applied to PSF ⊛ result before comparing (1 when the scales agree). */
  gain: number;
}

/**
 * `blur` convolves a z-major volume of `shape` with the (sum-one) PSF, same size, centred.
 * The result may be on another intensity scale than the input (a network's); a least-squares gain
 * and offset absorb that so only structure is judged.
 */
export function reblurCheck(
  input: Float32Array,
  result: Float32Array,
  shape: Shape3,
  blur: (v: Float32Array) => Float32Array,
): ReblurCheck {
  if (input.length !== result.length || input.length !== shape[0] * shape[1] * shape[2])
    throw new InvalidVolumeError('re-blur check: input and result must have the same shape');
  const rb = blur(result);
  const ib = blur(input);
  const fit = affineFit(rb, input);
  const fitIn = affineFit(ib, input);
  const a = perSliceResidual(rb, input, shape, fit);
  const b = perSliceResidual(ib, input, shape, fitIn);
  return {
    perSlice: a.perSlice,
    overall: a.overall,
    inputPerSlice: b.perSlice,
    inputOverall: b.overall,
    gain: fit.gain,
  };
}

export { affineFit } from '../metrics/affine';

function perSliceResidual(
  pred: Float32Array,
  input: Float32Array,
  shape: Shape3,
  fit: { gain: number; offset: number },
): { perSlice: number[]; overall: number } {
  const plane = shape[1] * shape[2];
  const perSlice: number[] = [];
  let num = 0,
    den = 0;
  for (let z = 0; z < shape[0]; z++) {
    let n = 0,
      d = 0;
    for (let i = z * plane; i < (z + 1) * plane; i++) {
      const r = fit.gain * pred[i]! + fit.offset - input[i]!;
      n += r * r;
      d += input[i]! * input[i]!;
    }
    perSlice.push(d > 0 ? Math.sqrt(n / d) : 0);
    num += n;
    den += d;
  }
  return { perSlice, overall: den > 0 ? Math.sqrt(num / den) : 0 };
}
