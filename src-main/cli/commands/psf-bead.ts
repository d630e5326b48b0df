// `cycledecon psf-fit --bead bead.tif`: the non-blind pupil-model fit to a measured bead (core/psf/pupil-fit.ts):
// prints/writes the fitted parameters with uncertainties, NA_eff, FWHMs measured vs fitted, and the fitted PSF.
import type { CliContext, ParsedArgs } from '../command';
import { flag, num, requireStr, str } from '../args';
import { writeVolume } from '../../core/io/index';
import { fitPupilToBead } from '../../core/psf/pupil-fit';
import { beadPupilFile, writeBeadPupilFile } from '../../core/psf/bead-pupil-file';
import { unitToMicrons } from '../../core/io/metadata';
import { readOneVolume } from '../volumes';

export const BEAD_USAGE = `
  --bead bead.tif --na <NA> --wavelength <µm> [--ni 1.518] [--ns <ni>] [--out psf.tif] [--json]
  Fits a pupil-function PSF (scalar Gibson–Lanni optics: position, depth spherical aberration, apodisation,
  Zernike astigmatism, coma, trefoil and spherical; bead size) to a measured bead stack, as a PSF distiller does, and
  reports the parameters ± their Gauss–Newton standard deviation, NA_eff and the FWHMs measured vs fitted.
  The stack needs a voxel size in µm (from the file or --voxel-size).
  --out          write the fitted PSF (sum 1, the bead's voxel size) as an ImageJ TIFF, and its parameters with
                 their uncertainties to <out>.pupil.json beside it (psf.tif → psf.pupil.json; the PSF inspector shows them)
  --iterations   L-BFGS iterations (default 60)
  --light-sheet  also fit a light sheet's axial excitation profile (light-sheet / lattice PSFs)
  --paraxial     Born & Wolf's paraxial defocus (to match a PSF computed that way, e.g. \`psf --model born-wolf\`)`;

export const BEAD_OPTIONS = {
  bead: { type: 'string' },
  na: { type: 'string' },
  wavelength: { type: 'string' },
  ni: { type: 'string' },
  ns: { type: 'string' },
  iterations: { type: 'string' },
  'light-sheet': { type: 'boolean' },
  paraxial: { type: 'boolean' },
} as const;

export async function runBeadFit(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const path = requireStr(args, 'bead');
  requireStr(args, 'na');
  requireStr(args, 'wavelength');
  const ni = num(args, 'ni', { min: 1, max: 2, def: 1.518 })!;
  const optics = {
    na: num(args, 'na', { min: 0.05, max: 1.7 })!,
    wavelength: num(args, 'wavelength', { min: 0.2, max: 2 })!,
    ni,
    ns: num(args, 'ns', { min: 1, max: 2, def: ni })!,
  };
  const iterations = num(args, 'iterations', { min: 1, max: 1000, integer: true, def: 60 });
  const bead = await readOneVolume(path, args, ctx);
  const fit = fitPupilToBead(bead, optics, {
    iterations,
    lightSheet: flag(args, 'light-sheet'),
    defocus: flag(args, 'paraxial') ? 'paraxial' : 'exact',
  });
  const out = str(args, 'out');
  let pupilJson: string | undefined;
  if (out) {
    await writeVolume(out, fit.psf, { dtype: 'float32', force: flag(args, 'force') });
    const um = unitToMicrons(bead.voxelSize.unit)!; // the fit refused any other unit
    const voxel = { dxy: bead.voxelSize.x * um, dz: bead.voxelSize.z * um };
    pupilJson = await writeBeadPupilFile(out, beadPupilFile(fit, optics, voxel), flag(args, 'force'));
  }
  const { psf: _psf, ...summary } = fit;
  if (flag(args, 'json')) {
    ctx.out(JSON.stringify({ ...summary, optics, ...(out ? { out, pupilJson } : {}) }, null, 2));
    return 0;
  }
  const f = (o: { x: number; y: number; z: number }) => `${o.x.toFixed(3)} / ${o.y.toFixed(3)} / ${o.z.toFixed(3)}`;
  ctx.out(`fit         correlation ${fit.ncc.toFixed(4)} on ${fit.box.join('×')} voxels, ${fit.iterations} iterations`);
  ctx.out(
    `FWHM x/y/z  measured ${f(fit.fwhm.measured)}  fitted ${f(fit.fwhm.fitted)}  PSF (no bead) ${f(fit.fwhm.psf)} µm;  NA_eff ${fit.naEffective.toFixed(3)}`,
  );
  for (const [name, p] of Object.entries(fit.params))
    ctx.out(
      `${name.padEnd(12)}${p.value.toFixed(4)} ± ${Number.isNaN(p.sigma) ? 'n/a' : p.sigma.toPrecision(2)} ${p.unit}`,
    );
  if (out) ctx.out(`wrote       ${out}, ${pupilJson}`);
  return 0;
}
