// `npx tsx bench/psf-pupil-fit.ts [--json]`: the direct pupil-model fit (core/psf/pupil-fit.ts) on the measured
// PSFs in test/fixtures/shared-data, with the optics their provenance READMEs give. Prints, per PSF, the
// correlation of the fit with the measured box (target ≥ 0.95, issue #24), the FWHMs measured vs fitted, the
// fitted parameters ± Gauss–Newton σ, and the time.
import { readVolume } from '../src-main/core/io/index';
import { fitPupilToBead } from '../src-main/core/psf/pupil-fit';
import { MEASURED_PSFS, withVoxel } from './psf-measured';

const root = new URL('../test/fixtures/shared-data/', import.meta.url).pathname;

const json = process.argv.includes('--json');
const rows = [];
for (const c of MEASURED_PSFS) {
  const v = withVoxel(await readVolume(root + c.file), c.voxel);
  const t = performance.now();
  const fit = fitPupilToBead(v, c.optics, {
    iterations: Number(process.env.PUPIL_ITER ?? 60),
    lightSheet: c.lightSheet,
  });
  const seconds = (performance.now() - t) / 1000;
  const { psf: _psf, ...rest } = fit;
  rows.push({ name: c.name, seconds, ...rest });
  if (json) continue;
  const f = (o: { x: number; y: number; z: number }) => `${o.x.toFixed(3)}/${o.y.toFixed(3)}/${o.z.toFixed(3)}`;
  console.log(
    `${c.name}: NCC ${fit.ncc.toFixed(4)}, box ${fit.box.join('×')}, ${fit.iterations} it, ${seconds.toFixed(1)} s`,
  );
  console.log(
    `  FWHM x/y/z µm measured ${f(fit.fwhm.measured)} fitted ${f(fit.fwhm.fitted)}; PSF without the bead ${f(fit.fwhm.psf)}, NA_eff ${fit.naEffective.toFixed(3)}`,
  );
  console.log(
    '  ' +
      Object.entries(fit.params)
        .map(([k, p]) => `${k} ${p.value.toFixed(3)}±${p.sigma.toPrecision(2)}${p.unit}`)
        .join(', '),
  );
}
if (json) console.log(JSON.stringify(rows, null, 2));
