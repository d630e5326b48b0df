// `cycledecon psf-fit --blurred … --sharp … --model pupil --na … --wavelength …`: the blind pupil PSF estimate
// (core/train/pupil-blind.ts): the pupil model's unknowns fitted to the power spectra of the blurred and unpaired
// sharp stacks, no network trained; prints the parameters and writes the PSF at the stacks' voxel size.
import type { CliContext, ParsedArgs } from '../command';
import { flag, num, oneOf, requireStr, str } from '../args';
import { parseShape } from './psf';
import { writeVolume } from '../../core/io/index';
import type { Volume } from '../../core/io/volume';
import { analysePsf } from '../../core/psf/analysis';
import { fitBlindPupil, type BlindPupilOptics } from '../../core/train/pupil-blind';
import { voxelSizeMicrons } from '../../core/train/theory';

export const BLIND_PUPIL_USAGE = `
  --model pupil --na <NA> --wavelength <µm> [--ni 1.518] [--ns <ni>] [--aberrations depth|symmetric|all]
  [--iterations N (Adam, default 100)]
  Blind pupil-model PSF instead of the Gaussian: the scalar Gibson–Lanni pupil with the given optics, its focus,
  emitter depth (the index mismatch's spherical aberration) and apodisation fitted to the same power spectra
  (Z11 instead of depth when ni = ns). The stacks need a voxel size in µm. --size sets the written PSF's box
  (default 41×31×31, at most the stacks'). The power spectra cannot tell a PSF from its mirror image in z.`;

/** The optics the blind pupil fit needs, checked before any stack is read. */
export function blindPupilOptics(args: ParsedArgs): BlindPupilOptics {
  requireStr(args, 'na');
  requireStr(args, 'wavelength');
  const ni = num(args, 'ni', { min: 1, max: 2, def: 1.518 })!;
  return {
    na: num(args, 'na', { min: 0.05, max: 1.7 })!,
    wavelength: num(args, 'wavelength', { min: 0.2, max: 2 })!,
    ni,
    ns: num(args, 'ns', { min: 1, max: 2, def: ni })!,
  };
}

export async function runBlindPupilFit(
  args: ParsedArgs,
  ctx: CliContext,
  optics: BlindPupilOptics,
  blurred: Volume[],
  sharp: Volume[],
): Promise<number> {
  voxelSizeMicrons(blurred[0]!); // the typed voxel-size error before anything else
  const size = str(args, 'size');
  const fit = fitBlindPupil(blurred, sharp, optics, {
    outputBox: size ? parseShape(size, [0, 0, 0], 'size') : undefined,
    aberrations: str(args, 'aberrations')
      ? oneOf(args, 'aberrations', ['depth', 'symmetric', 'all'] as const, 'depth')
      : undefined,
    iterations: num(args, 'iterations', { min: 1, max: 2000, integer: true }),
  });
  const fwhm = analysePsf(fit.psf).fwhm;
  const out = str(args, 'out');
  if (out) {
    fit.psf.metadata.extra = {
      psfModel: 'pupil (blind spectral fit)',
      ...Object.fromEntries(Object.entries(fit.params).map(([k, v]) => [k, String(v)])),
    };
    await writeVolume(out, fit.psf, { dtype: 'float32', force: flag(args, 'force') });
  }
  const { psf: _psf, ...summary } = fit;
  if (flag(args, 'json')) {
    ctx.out(JSON.stringify({ ...summary, optics, fwhm, ...(out ? { out } : {}) }, null, 2));
    return 0;
  }
  const u = fit.psf.voxelSize.unit;
  ctx.out(
    `pupil       spectral term ${fit.spectral.before.toPrecision(3)} → ${fit.spectral.after.toPrecision(3)}; ${fit.iterations} iterations on ${fit.box.join('×')} voxels (learned: ${fit.aberrations})`,
  );
  ctx.out(`FWHM x/y/z  ${fwhm.x.toFixed(3)} / ${fwhm.y.toFixed(3)} / ${fwhm.z.toFixed(3)} ${u}`);
  const unit = (n: string) => (n === 'z0' || n === 'depth' ? 'µm' : n === 'apodisation' ? '' : 'rad rms');
  for (const [name, v] of Object.entries(fit.params))
    ctx.out(`${name.padEnd(12)}${v.toFixed(4)} ${unit(name)}`.trimEnd());
  ctx.out(`from        ${blurred.length} blurred, ${sharp.length} sharp stack(s)`);
  if (out) ctx.out(`wrote       ${out}`);
  return 0;
}
