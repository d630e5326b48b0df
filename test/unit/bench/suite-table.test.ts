// The suite's table (bench/suite-table.ts): one row per case and seed, targets missed are marked, real stacks
// (no truth) print dashes and compare high frequencies with the input.
import { describe, expect, it } from 'vitest';
import { rowTargets, suiteTable, type SuiteRow } from '../../../bench/suite-table';

const good: SuiteRow = {
  case: 'puncta',
  seed: 1,
  steps: 400,
  seconds: 321,
  ssim: { cycledecon: 0.81, rl: 0.75, rlIterations: 50, raw: 0.6 },
  lateral: [0.1, 0.09, 0.12],
  axial: [0.05, 0.04, 0.09],
  below3Sigma: 0,
  reblur: [0.05, 0.08],
  fwhmError: { x: -0.1, y: -0.1, z: 0.15 },
  flags: [],
};
const checkerboard: SuiteRow = {
  ...good,
  case: 'filaments',
  ssim: { cycledecon: 0.62, rl: 0.71, rlIterations: 20, raw: 0.56 },
  lateral: [0.116, 0.002, 0.008],
  below3Sigma: 0.03,
  fwhmError: { x: -0.11, y: -0.11, z: -0.3 },
  flags: ['high-frequency-lateral', 'negative-light'],
};
const real: SuiteRow = { ...good, case: 'pollen', ssim: null, lateral: [0.3, 0.1, NaN], fwhmError: null };

describe('science suite table', () => {
  it('targets: a checkerboard, light below −3σ, SSIM under RL and a PSF off by > 20 % all miss', () => {
    expect(rowTargets(good)).toEqual({ hf: true, negative: true, ssim: true, psf: true });
    expect(rowTargets(checkerboard)).toEqual({ hf: false, negative: false, ssim: false, psf: false });
    // No truth: the input is the reference (0.3 > 2 × 0.1).
    expect(rowTargets(real)).toEqual({ hf: false, negative: true, ssim: null, psf: null });
  });
  it('prints one row per case, marks misses, dashes where nothing is known', () => {
    const lines = suiteTable([good, checkerboard, real]).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]!.split('|').length).toBe(lines[1]!.split('|').length);
    expect(lines[2]).toMatch(
      /^\| puncta \| 1 \| 400 \| 0\.810 \| 0\.750 \(50\) \| 0\.600 \| 10\.0 % \/ 9\.0 % \/ 12\.0 % \|.*\| −10 % \/ −10 % \/ \+15 % \| 321 \| passed \|$/,
    );
    expect(lines[3]).toMatch(
      /\| 0\.620 ✗ \|.*11\.6 % \/ 0\.2 % \/ 0\.8 % ✗ \|.*3\.0 % ✗ \|.*−30 % ✗ \|.*high-frequency-lateral, negative-light \|$/,
    );
    expect(lines[4]).toMatch(
      /^\| pollen \| 1 \| 400 \| – \| – \| – \| 30\.0 % \/ 10\.0 % \/ – ✗ \|.*\| – \| 321 \| passed \|$/,
    );
  });
});
