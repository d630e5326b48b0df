// Before/after orthoviews of Richardson–Lucy on the real stacks in test/fixtures/shared-data (issue #30): the input, the old
// default (mirror padding, no background) and the new default (Bertero–Boccacci boundary, estimated background),
// 50 iterations each, with each panel's edge-slice ratio (mean of the first and last 3 slices / middle slices).
// Writes docs/figures/rl-widefield-<name>.png and prints one line per panel.
// Run: npx tsx bench/rl-figures.ts   (about 2–4 min on 2 cores)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readVolume } from '../src-main/core/io/index';
import { generatePsf } from '../src-main/core/psf/generate';
import { richardsonLucy, type RlOptions } from '../src-main/core/deconv/rl';
import { brightestCentre, renderOrthoview, sideBySide } from '../src-main/core/image/orthoviews';
import { displayRange } from '../src-main/core/image/colormap';
import { encodePng } from '../src-main/core/image/png';
import type { Volume } from '../src-main/core/io/volume';

const data = join(import.meta.dirname, '..', 'test', 'fixtures', 'shared-data');
const out = join(import.meta.dirname, '..', 'docs', 'figures');

function edgeRatio(v: Volume): number {
  const [nz, ny, nx] = v.shape,
    plane = ny * nx;
  const mean = (z0: number, z1: number) => {
    let s = 0;
    for (let i = z0 * plane; i < z1 * plane; i++) s += v.data[i]!;
    return s / ((z1 - z0) * plane);
  };
  const edge = (mean(0, 3) + mean(nz - 3, nz)) / 2;
  return edge / mean(Math.floor(nz / 2) - 2, Math.floor(nz / 2) + 2);
}

async function figure(name: string, image: Volume, psf: Volume): Promise<void> {
  const runs: [string, Volume][] = [['input', image]];
  const settings: [string, Partial<RlOptions>][] = [
    ['old default: mirror, b 0', { boundary: 'reflect', background: 0 }],
    ['new default: extend, b auto', {}],
  ];
  for (const [label, o] of settings) {
    const t0 = Date.now();
    runs.push([label, await richardsonLucy(image, psf, { iterations: 50, ...o })]);
    console.log(`${name}: ${label} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const centre = brightestCentre(image.data, image.shape);
  const panels = runs.map(([label, v]) => {
    console.log(`${name}: ${label}: edge/middle ${edgeRatio(v).toFixed(2)}`);
    return renderOrthoview(v, { range: displayRange([v.data], 0.001, 0.999), centre, gap: 4 });
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `rl-widefield-${name}.png`), encodePng(sideBySide(panels)));
}

// pyOTF's measured widefield bead (camera offset ≈ 217) and a Born–Wolf PSF of its optics (see its README).
const bead = await readVolume(join(data, 'pyotf_bead_psf', 'psf_wl520nm_z300nm_x130nm_na0.85_n1.0.tif'));
const beadVs = { z: 0.3, y: 0.13, x: 0.13, unit: 'µm' as const };
const beadPsf = generatePsf({
  model: 'born-wolf',
  na: 0.85,
  wavelength: 0.52,
  ni: 1.0,
  ns: 1.0,
  dxy: 0.13,
  dz: 0.3,
  size: [49, 63, 63],
});
await figure('bead', { ...bead, voxelSize: beadVs }, { ...beadPsf, voxelSize: beadVs });
// sdeconv's pollen (a clean, uncalibrated object; see its README) with its Gibson–Lanni PSF, both taken at 0.1/0.25 µm.
const pollenVs = { z: 0.25, y: 0.1, x: 0.1, unit: 'µm' as const };
const pollen = await readVolume(join(data, 'sdeconv_pollen', 'pollen.tif'));
const gl = await readVolume(join(data, 'sdeconv_pollen', 'gibsonlanni.tif'), { channelsAsZ: true });
await figure('pollen', { ...pollen, voxelSize: pollenVs }, { ...gl, voxelSize: pollenVs });
