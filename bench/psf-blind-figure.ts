// Learned vs true PSF orthoviews for issue #24 (docs/results.md): per true PSF (bench/psf-blind-truths.ts), the
// same stacks as bench/psf-blind-rl.ts (photons, seed), the blind pupil fit and the blind Gaussian; one PNG with
// true | blind pupil | blind Gaussian, each on the same box around its peak, square-root scale (so the axial lobes
// show), each normalised to its own peak, z stretched by the voxel aspect.
// Run: npx tsx bench/psf-blind-figure.ts [--truths gl-oil,bw] [--photons 2000] [--seed 1] [--out docs/figures]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeVolume, type Shape3, type Volume } from '../src-main/core/io/volume';
import { cropBox } from '../src-main/core/deconv/grid';
import { gaussianPsf } from '../src-main/core/psf/kernels';
import { fitPsfFromSpectra } from '../src-main/core/psf/spectral-fit';
import { analysePsf } from '../src-main/core/psf/analysis';
import { fitBlindPupil } from '../src-main/core/train/pupil-blind';
import { brightestCentre, renderOrthoview, sideBySide } from '../src-main/core/image/orthoviews';
import { encodePng } from '../src-main/core/image/png';
import { blindTruths } from './psf-blind-truths';
import { blindStacks } from './psf-blind-stacks';

const arg = (n: string, d: string) => {
  const i = process.argv.indexOf(n);
  return i > 0 ? process.argv[i + 1]! : d;
};
const odd = (v: number) => Math.max(3, 2 * Math.ceil(v) + 1);

/** The box of `shape` around the brightest voxel of `v` (zero outside `v`), square-rooted and scaled to peak 1. */
function shown(v: Volume, shape: Shape3): Volume {
  const c = brightestCentre(v.data, v.shape);
  const at = [c.z, c.y, c.x];
  const out = new Float32Array(shape[0] * shape[1] * shape[2]);
  const off = shape.map((n, a) => at[a]! - Math.floor(n / 2));
  const lo = off.map((o) => Math.max(0, o));
  const hi = off.map((o, a) => Math.min(v.shape[a]!, o + shape[a]!));
  const inner = hi.map((h, a) => h - lo[a]!) as Shape3;
  const part = cropBox(v.data, v.shape, lo as Shape3, inner);
  for (let z = 0; z < inner[0]; z++)
    for (let y = 0; y < inner[1]; y++)
      for (let x = 0; x < inner[2]; x++) {
        const o = ((z + lo[0]! - off[0]!) * shape[1] + y + lo[1]! - off[1]!) * shape[2] + x + lo[2]! - off[2]!;
        out[o] = part[(z * inner[1] + y) * inner[2] + x]!;
      }
  let peak = 0;
  for (const x of out) peak = Math.max(peak, x);
  return makeVolume(
    out.map((x) => Math.sqrt(Math.max(0, x) / peak)),
    shape,
    { ...v.voxelSize },
    'computed',
  );
}

async function main(): Promise<void> {
  const truths = await blindTruths(arg('--truths', 'gl-oil,bw').split(','));
  const photons = Number(arg('--photons', '2000')),
    seed = Number(arg('--seed', '1')),
    outDir = arg('--out', 'docs/figures');
  for (const t of truths) {
    const d = blindStacks(t, photons, seed);
    const pupil = fitBlindPupil(d.blurred, d.sharp, t.optics);
    const g = fitPsfFromSpectra(d.blurred, d.sharp);
    const gShape = g.sigmaVoxels.map((s) => Math.min(odd(3 * s), 41)) as Shape3;
    const gauss = makeVolume(gaussianPsf(gShape, g.sigmaVoxels), gShape, { ...t.psf.voxelSize }, 'computed');
    const box = pupil.psf.shape;
    const views = [t.psf, pupil.psf, gauss].map((v) =>
      renderOrthoview(shown(v, box), { range: { lo: 0, hi: 1 }, colormap: 'magma', zoom: 4 }),
    );
    const slug = t.name
      .toLowerCase()
      .replace(/[^a-z0-9.]+/g, '-')
      .replace(/^-|-$/g, '');
    const file = join(outDir, `blind-psf-${slug}.png`);
    writeFileSync(file, encodePng(sideBySide(views, 24)));
    const ncc = (v: Volume) => analysePsf(v, { reference: t.psf }).ncc!.toFixed(3);
    console.log(
      `${file}: true | blind pupil (NCC ${ncc(pupil.psf)}) | blind Gaussian (NCC ${ncc(gauss)}); box ${box.join('×')}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
