// After training: does G_AB's output depend on its input at all? On sparse, noisy data a generator can collapse
// into an output unrelated to its input (a texture; L1 to a sparse target is minimised by ≈ 0 wherever a structure
// cannot be located): the result then looks like an image but carries no information (docs/results.md, session 8,
// measured on bench:science's data: r 0.001–0.03 for collapsed runs, 0.38–0.44 for a run that learned). The check
// applies G_AB to a few training patches and reports the Pearson correlation of output and input; below
// MIN_INPUT_CORRELATION the run is flagged, in output-check.json beside the weights and by the CLI.
import * as tf from '@tensorflow/tfjs';
import { writeBytesAtomic } from '../../io/atomic';
import { ncc } from '../../metrics/index';
import type { Module } from '../models/types';
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
  collapsed: boolean;
  message: string;
}

/** G_AB on each patch (edge n, network scale), read back asynchronously (works on GPU backends too). */
export async function checkGeneratorOutput(gAB: Module, patches: Float32Array[], n: number): Promise<OutputCheck> {
  const perPatch: number[] = [];
  for (const p of patches) {
    const out = tf.tidy(() => gAB.apply(tf.tensor5d(p, [1, n, n, n, 1])));
    try {
      perPatch.push(ncc(await out.data(), p));
    } finally {
      out.dispose();
    }
  }
  const sorted = [...perPatch].sort((a, b) => a - b);
  const m = sorted.length;
  const correlation = m === 0 ? NaN : m % 2 ? sorted[(m - 1) / 2]! : (sorted[m / 2 - 1]! + sorted[m / 2]!) / 2;
  const collapsed = !(correlation >= MIN_INPUT_CORRELATION);
  const r = correlation.toFixed(3);
  const message = collapsed
    ? `G_AB's output is nearly unrelated to its input (median correlation ${r} over ${m} training patches, below ${MIN_INPUT_CORRELATION}): the model has not learned to deconvolve these data and its output should not be used as a result. Typical causes: very sparse or very noisy stacks, too short a schedule. Richardson–Lucy with a theoretical PSF is the fallback.`
    : `G_AB's output follows its input (median correlation ${r} over ${m} training patches).`;
  return { perPatch, correlation, threshold: MIN_INPUT_CORRELATION, collapsed, message };
}

export async function writeOutputCheck(runDir: string, check: OutputCheck): Promise<void> {
  await writeBytesAtomic(join(runDir, OUTPUT_CHECK_FILE), JSON.stringify(check, null, 2) + '\n', { force: true });
}
