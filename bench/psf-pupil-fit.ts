// `npx tsx bench/psf-pupil-fit.ts [--json]`: the direct pupil-model fit (core/psf/pupil-fit.ts) on the measured
// PSFs in test/fixtures/shared-data, with the optics their provenance READMEs give. Prints, per PSF, the
// correlation of the fit with the measured box (target ≥ 0.95, issue #24), the FWHMs measured vs fitted, the
// fitted parameters ± Gauss–Newton σ, and the time.
import { readVolume } from '../src-main/core/io/index';
import type { Volume } from '../src-main/core/io/volume';
import { fitPupilToBead, type BeadOptics } from '../src-main/core/psf/pupil-fit';

const root = new URL('../test/fixtures/shared-data/', import.meta.url).pathname;

interface Case { name: string; file: string; optics: BeadOptics; voxel: { x: number; z: number }; lightSheet?: boolean; why: string }
export const MEASURED_PSFS: Case[] = [
  { name: 'pyotf bead (NA 0.85 air)', file: 'pyotf_bead_psf/psf_wl520nm_z300nm_x130nm_na0.85_n1.0.tif', optics: { na: 0.85, wavelength: 0.52, ni: 1.0, ns: 1.0 }, voxel: { x: 0.13, z: 0.3 }, why: 'file name and pyOTF README' },
  { name: 'pycudadecon PSF (LLS)', file: 'pycudadecon_psf/psf.tif', optics: { na: 1.1, wavelength: 0.52, ni: 1.33, ns: 1.33 }, voxel: { x: 0.101, z: 0.1 }, lightSheet: true, why: 'IMAQ bounding box; 1.1 NA water detection of a lattice light sheet' },
];

export function withVoxel(v: Volume, voxel: { x: number; z: number }): Volume {
  return { ...v, voxelSize: { x: voxel.x, y: voxel.x, z: voxel.z, unit: 'µm' } };
}

const json = process.argv.includes('--json');
const rows = [];
for (const c of MEASURED_PSFS) {
  const v = withVoxel(await readVolume(root + c.file), c.voxel);
  const t = performance.now();
  const fit = fitPupilToBead(v, c.optics, { iterations: Number(process.env.PUPIL_ITER ?? 60), lightSheet: c.lightSheet });
  const seconds = (performance.now() - t) / 1000;
  const { psf: _psf, ...rest } = fit;
  rows.push({ name: c.name, seconds, ...rest });
  if (json) continue;
  const f = (o: { x: number; y: number; z: number }) => `${o.x.toFixed(3)}/${o.y.toFixed(3)}/${o.z.toFixed(3)}`;
  console.log(`${c.name}: NCC ${fit.ncc.toFixed(4)}, box ${fit.box.join('×')}, ${fit.iterations} it, ${seconds.toFixed(1)} s`);
  console.log(`  FWHM x/y/z µm measured ${f(fit.fwhm.measured)} fitted ${f(fit.fwhm.fitted)}; NA_eff ${fit.naEffective.toFixed(3)}`);
  console.log('  ' + Object.entries(fit.params).map(([k, p]) => `${k} ${p.value.toFixed(3)}±${p.sigma.toPrecision(2)}${p.unit}`).join(', '));
}
if (json) console.log(JSON.stringify(rows, null, 2));
