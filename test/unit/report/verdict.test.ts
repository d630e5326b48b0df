import { describe, expect, it } from 'vitest';
import { reportVerdict, type VerdictData } from '../../../src-main/core/report/verdict';

const q = (psnr: number, ssim: number) => ({ psnr, ssim3d: ssim, ssim2d: ssim, nrmse: 0 });
const passed = { passed: true, flags: [] };

describe('report verdict', () => {
  it('says better on re-blur and metrics when the result improves on the input', () => {
    const v = reportVerdict({
      reblur: { overall: 0.02, inputOverall: 0.05 },
      metrics: { vsGroundTruth: { input: q(20, 0.5), result: q(25.04, 0.7) } },
      outputCheck: passed,
    });
    expect(v).toContain('explains the input better than the input itself (relative residual 0.02 vs 0.05)');
    expect(v).toContain(
      'Against the ground truth it is better than the input: PSNR 25.0 vs 20.0 dB, SSIM 0.700 vs 0.500.',
    );
    expect(v).toContain('The output check passed');
  });

  it('says worse, and mixed when PSNR and SSIM disagree', () => {
    expect(reportVerdict({ reblur: { overall: 0.09, inputOverall: 0.05 } })).toContain('explains the input worse');
    expect(reportVerdict({ metrics: { vsGroundTruth: { input: q(20, 0.5), result: q(18, 0.4) } } })).toContain(
      'it is worse than the input',
    );
    expect(reportVerdict({ metrics: { vsGroundTruth: { input: q(20, 0.5), result: q(22, 0.4) } } })).toBe(
      'Against the ground truth it is mixed: better than the input in PSNR 22.0 vs 20.0 dB, worse in SSIM 0.400 vs 0.500.',
    );
  });

  it('calls a difference below the printed precision no difference, not worse', () => {
    expect(reportVerdict({ metrics: { vsGroundTruth: { input: q(26.41, 0.5001), result: q(26.39, 0.4999) } } })).toBe(
      'Against the ground truth it is the same as the input at the precision shown: PSNR 26.4 dB, SSIM 0.500 for both.',
    );
    // One measure unchanged as printed, the other up: better (not "mixed").
    expect(reportVerdict({ metrics: { vsGroundTruth: { input: q(26.41, 0.5), result: q(26.39, 0.6) } } })).toBe(
      'Against the ground truth it is better than the input: PSNR 26.4 vs 26.4 dB, SSIM 0.600 vs 0.500.',
    );
  });

  it('falls back to 2D SSIM when a stack is too thin for 3D SSIM', () => {
    const thin = (psnr: number, s: number) => ({ psnr, ssim3d: null, ssim2d: s });
    expect(reportVerdict({ metrics: { vsGroundTruth: { input: thin(20, 0.5), result: thin(22, 0.6) } } })).toContain(
      'SSIM (2D) 0.600 vs 0.500',
    );
  });

  it('names the reasons of a flagged output check', () => {
    const v = reportVerdict({
      outputCheck: {
        passed: false,
        flags: [
          { code: 'high-frequency-axial', message: 'long' },
          { code: 'negative-light', message: 'long' },
        ],
      },
    });
    expect(v).toBe(
      'The output check flagged it: it has axial high frequencies the input lacks; it has negative light.',
    );
  });

  it('tells the domain check and where the model came from', () => {
    const run = {
      dir: 'runs/a',
      config: { preset: 'fast', mode: 'cycle', sharpSource: 'rl' },
      trainingSteps: 800,
      trainingData: {
        stacks: [
          { shape: [32, 64, 64], voxelSize: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' } },
          { shape: [32, 64, 64], voxelSize: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' } },
        ],
      },
    };
    const inside = reportVerdict({ run, domainWarnings: [] });
    expect(inside).toContain("The input lies within the model's training domain.");
    expect(inside).toContain(
      'The model comes from run runs/a (preset fast, cycle mode, sharp domain from Richardson–Lucy, 800 steps), trained on 2 blurred stacks of 32×64×64 voxels at 0.1×0.1×0.3 µm.',
    );
    expect(reportVerdict({ run, domainWarnings: ['voxel size differs', 'too bright'] })).toContain(
      "outside the model's training domain (2 warnings, below)",
    );
    const old: VerdictData = { run: { dir: 'old', config: { preset: 'paper' } }, domainNote: 'no domain.json' };
    expect(reportVerdict(old)).toBe(
      'The input was not checked against the training domain (the run has no domain record). The model comes from run old (preset paper), training data not recorded.',
    );
    expect(reportVerdict({ run: { dir: 'r', outputCheck: { collapsed: true } } })).toContain(
      'failed its output check after training',
    );
    // A run flagged for re-blur alone still follows its input: say what failed, not "no information".
    const reblur = reportVerdict({ run: { dir: 'r', outputCheck: { collapsed: true, flags: ['reblur-worse'] } } });
    expect(reblur).toContain(
      'The model failed its output check on training patches after training: it re-blurs worse than the input.',
    );
    expect(reblur).not.toContain('no information');
    expect(reportVerdict({ run: { dir: 'r', outputCheck: { collapsed: true, flags: ['unrelated'] } } })).toContain(
      'its output carries no information about its input',
    );
  });

  it('names the classic method when there is no run, and says nothing it has no data for', () => {
    expect(reportVerdict({ timing: { method: 'rl' } })).toBe(
      'The result comes from the Richardson–Lucy method, with no trained model.',
    );
    expect(reportVerdict({})).toBe('');
  });

  it("compares the learned PSF's FWHM with the theoretical one's on every axis, 20 % allowed", () => {
    const widths = (z: number, y: number, x: number, unit = 'µm') => ({ fwhm: { z, y, x }, voxelSize: { unit } });
    // 0.81 / 1.00 = −19 %, 0.23 / 0.25 = −8 %, 0.89 / 0.75 = +18.7 %: all within 20 %.
    expect(reportVerdict({ psf: { learned: widths(0.81, 0.23, 0.89), theoretical: widths(1, 0.25, 0.75) } })).toBe(
      "The learned PSF's width is within 20 % of the theoretical PSF's on every axis (FWHM z −19 %, y −8 %, x +19 %).",
    );
    // The demo bars' old figures: σ 0.43 / 0.63 voxel (FWHM 1.01 / 1.48) against 1.21 / 1.66 pass; a 0.8-voxel width does not.
    expect(
      reportVerdict({ psf: { learned: widths(1.26, 0.8, 0.8, 'px'), theoretical: widths(1.66, 1.21, 1.21, 'px') } }),
    ).toBe(
      "The learned PSF's width is more than 20 % off the theoretical PSF's on z, y, x (FWHM z −24 %, y −34 %, x −34 %).",
    );
    // The bundled bars model's 9³ kernel: the profile fit found no axial width (null in report.json).
    expect(
      reportVerdict({
        psf: {
          learned: { ...widths(1, 1.82, 2.97, 'px'), fwhm: { z: null, y: 1.82, x: 2.97 } },
          theoretical: widths(1.66, 1.21, 1.21, 'px'),
        },
      }),
    ).toBe(
      "The learned PSF's width is more than 20 % off the theoretical PSF's on z, y, x (FWHM z not measurable, y +50 %, x +145 %).",
    );
    // Different units, or only one PSF: nothing to compare, nothing said.
    expect(reportVerdict({ psf: { learned: widths(1, 1, 1, 'px'), theoretical: widths(1, 1, 1) } })).toBe('');
    expect(reportVerdict({ psf: { theoretical: widths(1, 1, 1) } })).toBe('');
  });
});
