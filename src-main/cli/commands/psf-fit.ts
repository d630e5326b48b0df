// `cycledecon psf-fit`: the blind spectral PSF estimate (core/psf/spectral-fit.ts) from blurred stacks and
// unpaired sharp stacks of the same kind of sample; prints the FWHM and optionally writes the Gaussian PSF.
import type { Command } from '../command';
import { flag, oneOf, str } from '../args';
import { expandInputs } from '../inputs';
import { parseShape } from './psf';
import { InvalidParameterError, MissingArgumentError } from '../../core/errors';
import { makeVolume } from '../../core/io/volume';
import { writeVolume } from '../../core/io/index';
import { readOneVolume, VOLUME_OPTIONS } from '../volumes';
import { gaussianPsf } from '../../core/psf/kernels';
import { fitPsfFromSpectra } from '../../core/psf/spectral-fit';
import { BEAD_OPTIONS, BEAD_USAGE, runBeadFit } from './psf-bead';
import { BLIND_PUPIL_USAGE, blindPupilOptics, runBlindPupilFit } from './psf-blind-pupil';

const USAGE = `--blurred <dir|files…> --sharp <dir|files…> [--out psf.tif] [--size z,y,x] [--force] [--json]

  Fits a Gaussian PSF (lateral and axial FWHM) to the power spectra of the blurred stacks and of sharp stacks
  of the same kind of sample (not the same fields), without a network: an independent blind check of a
  learned PSF, and the start of the PSF layer with \`train --psf-init spectral\`. The FWHM is in the stacks'
  voxel-size unit. Needs at least 8 voxels per axis and Nyquist-sampled data (the noise floor is read beyond
  the lateral Nyquist circle). At low photon counts only the low frequencies rise above the noise and the
  fit comes out too wide.
  --out    write the fitted Gaussian as an ImageJ TIFF with the blurred stacks' voxel size
  --size   its box, odd z,y,x (default: ±3σ per axis)
  --voxel-size X,Y,Z[unit]  voxel size to use instead of the stacks' (e.g. 0.1,0.1,0.25um)
  --channel N / --frame N   the channel / time point to use in multichannel or time-lapse stacks
${BLIND_PUPIL_USAGE}
${BEAD_USAGE}`;

const odd = (v: number) => Math.max(3, 2 * Math.ceil(v) + 1);

export const psfFitCommand: Command = {
  name: 'psf-fit',
  summary: 'estimate a PSF blind from blurred and unpaired sharp stacks, or fit a pupil model to a bead',
  usage: USAGE,
  options: {
    blurred: { type: 'string', multiple: true },
    sharp: { type: 'string', multiple: true },
    out: { type: 'string' },
    size: { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
    ...VOLUME_OPTIONS,
    ...BEAD_OPTIONS,
    model: { type: 'string' },
    aberrations: { type: 'string' },
  },
  async run(args, ctx) {
    if (str(args, 'bead') !== undefined) return runBeadFit(args, ctx);
    const list = (name: string) => (args.values[name] as string[] | undefined) ?? [];
    if (list('blurred').length === 0) throw new MissingArgumentError('--blurred', 'is required');
    if (list('sharp').length === 0)
      throw new MissingArgumentError('--sharp', 'is required: sharp stacks of the same kind of sample');
    const pupilOptics =
      oneOf(args, 'model', ['gaussian', 'pupil'] as const, 'gaussian') === 'pupil' ? blindPupilOptics(args) : null;
    const read = async (patterns: string[]) =>
      Promise.all((await expandInputs(patterns)).map((p) => readOneVolume(p, args, ctx)));
    const blurred = await read(list('blurred')),
      sharp = await read(list('sharp'));
    if (pupilOptics) return runBlindPupilFit(args, ctx, pupilOptics, blurred, sharp);
    const fit = fitPsfFromSpectra(blurred, sharp);
    const out = str(args, 'out');
    if (out) {
      const shape = parseShape(
        str(args, 'size'),
        fit.sigmaVoxels.map((s) => odd(3 * s)) as [number, number, number],
        'size',
      );
      if (shape.some((k) => k % 2 === 0))
        throw new InvalidParameterError(
          '--size',
          `${shape.join(',')} must be odd on every axis (the PSF's centre on a voxel)`,
        );
      const v = makeVolume(gaussianPsf(shape, fit.sigmaVoxels), shape, { ...blurred[0]!.voxelSize }, 'computed');
      v.metadata.extra = {
        psfModel: 'gaussian (spectral fit)',
        fwhmXY: String(fit.fwhm.xy),
        fwhmZ: String(fit.fwhm.z),
      };
      await writeVolume(out, v, { dtype: 'float32', force: flag(args, 'force') });
    }
    for (const [axis, end] of Object.entries(fit.atRangeEnd)) {
      if (end)
        ctx.err(
          `warning: the ${axis === 'xy' ? 'lateral' : 'axial'} width is at the end of the search range: the data do not determine it (are the sharp stacks sharper than the blurred ones?)`,
        );
    }
    if (flag(args, 'json')) {
      ctx.out(JSON.stringify({ ...fit, ...(out ? { out } : {}) }, null, 2));
      return 0;
    }
    const f = (v: number) => v.toFixed(3);
    ctx.out(
      `FWHM        lateral ${f(fit.fwhm.xy)} axial ${f(fit.fwhm.z)} ${fit.unit} (σ ${fit.sigmaVoxels[1].toFixed(2)} / ${fit.sigmaVoxels[0].toFixed(2)} voxels)`,
    );
    ctx.out(
      `from        ${blurred.length} blurred, ${sharp.length} sharp stack(s); noise floor ${fit.noise.toPrecision(4)}`,
    );
    if (out) ctx.out(`wrote       ${out}`);
    return 0;
  },
};
