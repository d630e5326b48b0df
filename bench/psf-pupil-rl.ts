// `npx tsx bench/psf-pupil-rl.ts`: Richardson–Lucy with the PSF fitted to a bead (core/psf/pupil-fit.ts) against
// RL with the true PSF, on the benchmark's test object (bench/science-data.ts, 2000 photons) blurred by each
// true PSF: the benchmark's Born–Wolf PSF, Gibson–Lanni 6 µm deep into a mismatched sample (ni 1.515, ns 1.38),
// a pupil PSF with astigmatism and coma, and the two measured PSFs of test/fixtures/shared-data (the object is
// laid on the measured PSF's voxel grid). The "bead" is the true PSF at 2000 photons over a background of 10
// with Poisson noise (measured PSFs: as recorded). Issue #24's target: SSIM within 0.01 of RL with the truth.
import { readVolume } from '../src-main/core/io/index';
import { makeVolume, type Shape3, type Volume } from '../src-main/core/io/volume';
import { convolveArray } from '../src-main/core/deconv/convolve';
import { cropBox } from '../src-main/core/deconv/grid';
import { richardsonLucy } from '../src-main/core/deconv/rl';
import { computeMetrics } from '../src-main/core/metrics/index';
import { generatePsf } from '../src-main/core/psf/generate';
import { analysePsf, borderBackground } from '../src-main/core/psf/analysis';
import { BeadPsf } from '../src-main/core/psf/bead-model';
import { fitPupilToBead, type BeadOptics } from '../src-main/core/psf/pupil-fit';
import { createRng } from '../src-main/core/synth/index';
import { benchData } from './science-data';
import { MEASURED_PSFS, withVoxel } from './psf-measured';

const RL_ITERATIONS = 20,
  PHOTONS = 2000,
  BACKGROUND = 10;
const { test } = benchData();
const truthObject = test.groundTruth;
const rng = createRng(4242);

function noisy(clean: ArrayLike<number>, peakPhotons: number): Float32Array {
  let peak = 0;
  for (let i = 0; i < clean.length; i++) peak = Math.max(peak, clean[i]!);
  return Float32Array.from({ length: clean.length }, (_, i) =>
    rng.poisson((Math.max(0, clean[i]!) / peak) * peakPhotons + BACKGROUND),
  );
}

/** The PSF from a measured stack: background removed (default: the faces' median), clipped at 0, sum 1. */
function asPsf(v: Volume, background?: number): Volume {
  const bg = background ?? borderBackground(v);
  const d = Float32Array.from(v.data, (x) => Math.max(0, x - bg));
  const s = d.reduce((a, b) => a + b, 0);
  return makeVolume(
    d.map((x) => x / s),
    v.shape,
    { ...v.voxelSize },
    'computed',
  );
}

async function row(
  name: string,
  truePsf: Volume,
  bead: Volume,
  optics: BeadOptics,
  opts: { lightSheet?: boolean; object?: Volume; defocus?: 'paraxial' } = {},
): Promise<void> {
  const object = opts.object ?? truthObject;
  const blurred = makeVolume(
    noisy(convolveArray(object.data, object.shape, truePsf.data, truePsf.shape), PHOTONS),
    object.shape,
    { ...truePsf.voxelSize },
    'synthetic',
  );
  const t = performance.now();
  const fit = fitPupilToBead(bead, optics, {
    lightSheet: opts.lightSheet,
    defocus: opts.defocus,
    psfSize: truePsf.shape.map((k) => Math.min(k, 41)) as Shape3,
  });
  const seconds = (performance.now() - t) / 1000;
  const ssim = async (psf: Volume) =>
    computeMetrics(
      object,
      await richardsonLucy(blurred, psf, { iterations: RL_ITERATIONS, boundary: 'reflect', background: BACKGROUND }),
    ).ssim3d;
  const [sTrue, sFit, sRaw] = [(await ssim(truePsf))!, (await ssim(fit.psf))!, computeMetrics(object, blurred).ssim3d!];
  const nccTrue = analysePsf(fit.psf, { reference: truePsf }).ncc!;
  const f = (o: { x: number; y: number; z: number }) => `${o.x.toFixed(3)}/${o.z.toFixed(3)}`;
  console.log(
    `| ${name} | ${fit.ncc.toFixed(4)} | ${nccTrue.toFixed(3)} | ${f(analysePsf(truePsf).fwhm)} | ${f(fit.fwhm.psf)} | ${sRaw.toFixed(3)} | ${sTrue.toFixed(3)} | ${sFit.toFixed(3)} | ${(sFit - sTrue).toFixed(3)} | ${seconds.toFixed(1)} |`,
  );
}

/** A simulated bead measurement of a PSF volume (the bead is assumed point-like). */
const beadOf = (psf: Volume) => makeVolume(noisy(psf.data, PHOTONS), psf.shape, { ...psf.voxelSize }, 'synthetic');

console.log(
  `RL ${RL_ITERATIONS} it (mirror boundary, background ${BACKGROUND}); object: bench test object 32×64×64; SSIM 3D vs the object`,
);
console.log(
  '| true PSF | fit r (bead) | NCC fitted vs true PSF | true FWHM xy/z µm | fitted FWHM xy/z | SSIM raw | RL true PSF | RL fitted PSF | Δ | fit s |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
const bench = { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.33 };
await row('benchmark Born–Wolf NA 1.2 water (exact defocus)', test.psf, beadOf(test.psf), bench);
await row('benchmark Born–Wolf NA 1.2 water (paraxial defocus, as made)', test.psf, beadOf(test.psf), bench, {
  defocus: 'paraxial',
});
const deep = { na: 1.3, wavelength: 0.52, ni: 1.515, ns: 1.38 };
// generatePsf's z is the stage position from the coverslip's focus: a bead 6 µm deep is in focus near z = −6.6 µm,
// so the PSF is computed on a tall box and the 31 planes around its peak kept.
const glTall = generatePsf({
  ...deep,
  model: 'gibson-lanni',
  particleDepth: 6,
  dxy: 0.1,
  dz: 0.25,
  size: [101, 31, 31],
});
const glPeak = analysePsf(glTall).peak[0];
const glPsf = asPsf(
  makeVolume(
    cropBox(glTall.data, glTall.shape, [glPeak - 15, 0, 0], [31, 31, 31]),
    [31, 31, 31],
    { ...glTall.voxelSize },
    'computed',
  ),
  0,
);
await row('Gibson–Lanni NA 1.3 oil, 6 µm into ns 1.38', glPsf, beadOf(glPsf), deep);
const astig = [0, 0, 0, 0, 0, 0.5, 0.3, 0.4, 0, 0, 0, 0, 0, 0];
const astigData = new BeadPsf({ ...bench, dxy: 0.1, dz: 0.25, size: [31, 31, 31] }).forward(astig);
const astigSum = astigData.reduce((a, b) => a + b, 0);
const astigPsf = makeVolume(
  Float32Array.from(astigData, (v) => v / astigSum),
  [31, 31, 31],
  { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' },
  'synthetic',
);
await row('pupil NA 1.2, astigmatism 0.5/0.3 + coma 0.4 rad', astigPsf, beadOf(astigPsf), bench);
const root = new URL('../test/fixtures/shared-data/', import.meta.url).pathname;
for (const c of MEASURED_PSFS) {
  const measured = withVoxel(await readVolume(root + c.file), c.voxel);
  // The object on the measured PSF's grid; the PSF the bead box around its peak (the fit's box, ≤ 41 planes).
  const fitBox = fitPupilToBead(measured, c.optics, { lightSheet: c.lightSheet, iterations: 1 }).box;
  const peak = analysePsf(measured).peak;
  const at = fitBox.map((b, a) => Math.min(Math.max(0, peak[a]! - Math.floor(b / 2)), measured.shape[a]! - b));
  const box = new Float32Array(fitBox[0] * fitBox[1] * fitBox[2]);
  for (let z = 0; z < fitBox[0]; z++)
    for (let y = 0; y < fitBox[1]; y++)
      for (let x = 0; x < fitBox[2]; x++) {
        box[(z * fitBox[1] + y) * fitBox[2] + x] =
          measured.data[((z + at[0]!) * measured.shape[1] + y + at[1]!) * measured.shape[2] + x + at[2]!]!;
      }
  const truePsf = asPsf(makeVolume(box, fitBox, { ...measured.voxelSize }, 'computed'));
  const object = makeVolume(truthObject.data, truthObject.shape, { ...measured.voxelSize }, 'computed');
  await row(`measured: ${c.name}`, truePsf, measured, c.optics, { lightSheet: c.lightSheet, object });
}
