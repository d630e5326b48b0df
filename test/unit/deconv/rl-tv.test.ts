// Richardson–Lucy–TV (Dey et al., Microsc. Res. Tech. 69:260, 2006) against an independent NumPy float64
// implementation of the same definitions (test/fixtures/reference/rl_tv_reference.py): padding, start, the
// 1/(1 − λ div) update and the gradient/divergence stencils must all agree. The options are explicit (mirror
// padding, background 0, mean start) so a change of defaults elsewhere does not move the comparison.
import { describe, expect, it } from 'vitest';
import { readF32, readJson, relativeL2 } from './read-f32';
import { richardsonLucyArray } from '../../../src-main/core/deconv/rl';
import { resetFlags } from '../../../src-main/core/flags';

type S3 = [number, number, number];
const meta = readJson<{
  image_shape: S3;
  psf_shape: S3;
  iterations: number;
  tv: number;
  background: number;
  rel_l2_axial_gradient_zeroed: number;
}>('rl_tv_reference.json');
const image = readF32('rl_tv_image.f32'),
  psf = readF32('rl_tv_psf.f32'),
  expected = readF32('rl_tv_result.f32');

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('Richardson–Lucy with total variation', { timeout: 60_000 }, () => {
  // Both FFT engines: WebAssembly SIMD (float32) where available, and the JavaScript fallback (float64 lines).
  for (const fft of ['default', 'js'] as const) {
    it(`matches the NumPy RL-TV reference voxel by voxel (12×16×16, λ 0.01, 10 iterations; ${fft} FFT)`, async () => {
      const saved = process.env.CYCLEDECON_FFT;
      if (fft === 'js') process.env.CYCLEDECON_FFT = 'js';
      resetFlags(); // flags are read once (core/flags.ts)
      let engine = '';
      try {
        const out = await richardsonLucyArray(image, meta.image_shape, psf, meta.psf_shape, {
          iterations: meta.iterations,
          tv: meta.tv,
          background: meta.background,
          padding: 'reflect',
          init: 'mean',
          onEngine: (kind) => {
            engine = kind;
          },
        });
        const rel = relativeL2(out, expected),
          abs = maxAbsDiff(out, expected);
        console.log(
          `RL-TV (${engine}) vs NumPy: rel. L2 ${rel.toExponential(2)}, max |diff| ${abs.toExponential(2)} (zeroing the axial gradient moves the reference by ${meta.rel_l2_axial_gradient_zeroed.toFixed(3)})`,
        );
        if (fft === 'js') expect(engine).toBe('js');
        // Measured 2e-7 / 6e-7 (float32 storage); 50× margin, 4000× below the axial-gradient effect.
        expect(rel).toBeLessThan(1e-5);
        expect(abs).toBeLessThan(1e-5);
      } finally {
        if (saved === undefined) delete process.env.CYCLEDECON_FFT;
        else process.env.CYCLEDECON_FFT = saved;
        resetFlags();
      }
    });
  }
});
