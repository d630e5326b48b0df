// After training: does G_AB's output depend on its input at all? On sparse, noisy data a generator can collapse
// into an output unrelated to its input (a texture; L1 to a sparse target is minimised by ≈ 0 wherever a structure
// cannot be located): the result then looks like an image but carries no information (docs/decisions/0004-output-check-information.md,
// measured on bench:science's data: r 0.001–0.03 for collapsed runs, 0.38–0.44 for a run that learned). The check
// applies G_AB to a few training patches and reports the Pearson correlation of output and input; below
// MIN_INPUT_CORRELATION the run is flagged, in output-check.json beside the weights and by the CLI.
// A generator can also follow its input and still invent structure: each patch's output also goes through the
// result verdict (metrics/output-verdict.ts): re-blurred with the learned PSF it must explain the patch at least as
// well as the patch itself, and carry no excess power above 0.4 cycles/voxel (a checkerboard). Negative light is
// judged by the report in input units, not here: below 0 on the network scale is only below the input's low percentile.
import * as tf from '@tensorflow/tfjs';
import { writeBytesAtomic } from '../io/atomic';
import { ncc } from '../metrics/index';
import { convolveArray } from '../deconv/convolve';
import { measureArtefacts } from '../metrics/artefacts';
import { outputVerdict, type OutputFlag } from '../metrics/output-verdict';
import { affineFit } from '../metrics/affine';
import type { Module } from '../nn/models/types';
import { join } from 'node:path';
import { OUTPUT_CHECK_FILE } from './output-check-file';

export { OUTPUT_CHECK_FILE };
/** Median correlation below which G_AB's output is taken as unrelated to its input. */
export const MIN_INPUT_CORRELATION = 0.1;

export interface OutputCheck {
  /** Pearson correlation of G_AB(patch) with the patch, per patch. */
  perPatch: number[];
  /** Their median. */
  correlation: number;
  threshold: number;
  /** Flagged: collapsed (unrelated output), or most patches failing the re-blur or high-frequency check. */
  collapsed: boolean;
  /** What flagged it, by code (absent in runs written before these checks). */
  flags?: OutputFlag['code'][];
  /** Median relative re-blur residuals of G_AB(patch) and of the patch itself (only with a learned PSF). */
  reblur?: { result: number; input: number };
  message: string;
}

/** ‖a·(PSF ⊛ x) + b − patch‖ / ‖patch‖ with the least-squares a, b (as report/reblur.ts, on one patch). */
function reblurResidual(
  x: Float32Array,
  patch: Float32Array,
  n: number,
  psf: { data: Float32Array; shape: [number, number, number] },
): number {
  const sum = psf.data.reduce((a, b) => a + b, 0);
  const rb = convolveArray(x, [n, n, n], sum > 0 ? psf.data.map((v) => v / sum) : psf.data, psf.shape, 'reflect');
  const { gain, offset } = affineFit(rb, patch);
  let num = 0,
    den = 0;
  for (let i = 0; i < patch.length; i++) {
    num += (gain * rb[i]! + offset - patch[i]!) ** 2;
    den += patch[i]! ** 2;
  }
  return den > 0 ? Math.sqrt(num / den) : 0;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length;
  return m === 0 ? NaN : m % 2 ? s[(m - 1) / 2]! : (s[m / 2 - 1]! + s[m / 2]!) / 2;
}

/** The result verdict on each patch (without negative light); flags raised by at least half the patches. */
function patchVerdicts(
  outs: Float32Array[],
  patches: Float32Array[],
  n: number,
  psf: PatchPsf,
): { flags: OutputFlag[]; reblur?: { result: number; input: number } } {
  const counts = new Map<OutputFlag['code'], { k: number; first: OutputFlag }>();
  const rr: number[] = [],
    ri: number[] = [];
  outs.forEach((out, i) => {
    const p = patches[i]!;
    const reblur = psf ? { result: reblurResidual(out, p, n, psf), input: reblurResidual(p, p, n, psf) } : undefined;
    if (reblur) {
      rr.push(reblur.result);
      ri.push(reblur.input);
    }
    const v = outputVerdict({
      correlation: 1,
      artefacts: measureArtefacts([n, n, n], p, out),
      ...(reblur ? { reblur } : {}),
    });
    for (const f of v.flags)
      if (f.code !== 'negative-light')
        counts.set(f.code, { k: (counts.get(f.code)?.k ?? 0) + 1, first: counts.get(f.code)?.first ?? f });
  });
  const flags = [...counts.values()].filter((c) => 2 * c.k >= outs.length).map((c) => c.first);
  return { flags, ...(rr.length ? { reblur: { result: median(rr), input: median(ri) } } : {}) };
}

type PatchPsf = { data: Float32Array; shape: [number, number, number] } | null | undefined;

/** G_AB on each patch (edge n, network scale), read back asynchronously (works on GPU backends too). */
export async function checkGeneratorOutput(
  gAB: Module,
  patches: Float32Array[],
  n: number,
  psf?: PatchPsf,
): Promise<OutputCheck> {
  const perPatch: number[] = [];
  const outs: Float32Array[] = [];
  for (const p of patches) {
    const out = tf.tidy(() => gAB.apply(tf.tensor5d(p, [1, n, n, n, 1])));
    try {
      const d = (await out.data()) as Float32Array;
      outs.push(d);
      perPatch.push(ncc(d, p));
    } finally {
      out.dispose();
    }
  }
  const m = perPatch.length;
  const correlation = median(perPatch);
  const unrelated = !(correlation >= MIN_INPUT_CORRELATION);
  const { flags, reblur } = unrelated ? { flags: [], reblur: undefined } : patchVerdicts(outs, patches, n, psf);
  const r = correlation.toFixed(3);
  const rb = reblur
    ? `, re-blurs to it with the learned PSF (median residual ${reblur.result.toPrecision(3)} vs ${reblur.input.toPrecision(3)} for the patches themselves)`
    : '';
  const message = unrelated
    ? `G_AB's output is nearly unrelated to its input (median correlation ${r} over ${m} training patches, below ${MIN_INPUT_CORRELATION}): the model has not learned to deconvolve these data and its output should not be used as a result. Typical causes: very sparse or very noisy stacks, too short a schedule. Richardson–Lucy with a theoretical PSF is the fallback.`
    : flags.length
      ? `G_AB's output failed the output check on training patches: ${flags.map((f) => f.message).join(' ')} Its results should not be trusted; Richardson–Lucy with the learned or a theoretical PSF is the fallback.`
      : `G_AB's output follows its input (median correlation ${r} over ${m} training patches)${rb}, with no excess high frequencies.`;
  return {
    perPatch,
    correlation,
    threshold: MIN_INPUT_CORRELATION,
    collapsed: unrelated || flags.length > 0,
    flags: unrelated ? ['unrelated'] : flags.map((f) => f.code),
    ...(reblur ? { reblur } : {}),
    message,
  };
}

export async function writeOutputCheck(runDir: string, check: OutputCheck): Promise<void> {
  await writeBytesAtomic(join(runDir, OUTPUT_CHECK_FILE), JSON.stringify(check, null, 2) + '\n', { force: true });
}
