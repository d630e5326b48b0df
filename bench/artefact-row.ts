// The artefact measures of one benchmark row (metrics/artefacts.ts): high-frequency power against the input's and
// the truth's, negative light in noise σ, the re-blur residual with the true PSF, and the output verdict — so a
// method with a good SSIM but a checkerboard or negative light is visible in the table.
import type { Volume } from '../src-main/core/io/volume';
import { measureArtefacts } from '../src-main/core/metrics/artefacts';
import { ncc } from '../src-main/core/metrics/index';
import { outputVerdict } from '../src-main/core/metrics/output-verdict';
import { reblurCheck } from '../src-main/core/report/reblur';
import { toolkitMeasures } from '../src-main/core/report/measures';

export interface ArtefactRow {
  /** Share of power above 0.4 cycles/voxel: result, input, truth. */
  lateral: [number, number, number];
  axial: [number, number, number];
  negativeFraction: number;
  /** 0.1 % quantile in units of the input's noise σ. */
  p001InNoise: number;
  reblur: number;
  inputReblur: number;
  passed: boolean;
  flags: string[];
}

/** `truth` absent (real stacks): the truth's shares are NaN. */
export function artefactRow(input: Volume, pred: Volume, truth: Volume | undefined, psf: Volume): ArtefactRow {
  const a = measureArtefacts(input.shape, input.data, pred.data, truth?.data);
  const rb = reblurCheck(input.data, pred.data, input.shape, (d) => toolkitMeasures.convolve(d, input.shape, psf));
  const v = outputVerdict({
    correlation: ncc(pred.data, input.data),
    artefacts: a,
    reblur: { result: rb.overall, input: rb.inputOverall },
  });
  const trio = (k: 'lateral' | 'axial'): [number, number, number] => [
    a.result.highFrequency[k] ?? NaN,
    a.input.highFrequency[k] ?? NaN,
    a.truth?.highFrequency[k] ?? NaN,
  ];
  return {
    lateral: trio('lateral'),
    axial: trio('axial'),
    negativeFraction: a.result.negative.fraction,
    p001InNoise: a.result.negative.p001InNoise,
    reblur: rb.overall,
    inputReblur: rb.inputOverall,
    passed: v.passed,
    flags: v.flags.map((f) => f.code),
  };
}
