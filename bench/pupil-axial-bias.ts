// Why is the blind spectral pupil start short axially (issue #24)? The pupil layer's start (train/pupil-init.ts)
// fitted to the spectral term on data of known truth under conditions that remove one suspect at a time:
//   noisy       the blind check's data (2000 photons over 10, Poisson), unpaired sharp stacks;
//   inbox-noisy noisy, blurred by the truth cropped to the layer's box;
//   clean       no noise: the expected periodogram (clean spectrum + the Poisson floor of the same counts);
//   paired      clean, and the sharp stacks are the very objects that were blurred (S_B exact);
//   inbox       paired, blurred by the truth cropped to the layer's box (no truncation mismatch);
// and, per condition, the spectral term at the fit and at the truth's parameters (depth = the truth's, z0 at the
// best NCC), the fitted depth / Z11 / apodisation, NCC and axial FWHM error. Several seeds.
// Run: npx tsx bench/pupil-axial-bias.ts [--seeds 1,2] [--conds noisy,clean,paired,inbox] [--box 11,11,11] [--os 2]
// (--os: the pupil model's lateral sub-samples per pixel; 1 = point samples like generatePsf's truths)
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/core/nn/backend';
import { makeVolume, type Shape3, type Volume } from '../src-main/core/io/volume';
import { convolveArray } from '../src-main/core/deconv/convolve';
import { cropBox } from '../src-main/core/deconv/grid';
import { analysePsf } from '../src-main/core/psf/analysis';
import { createRng } from '../src-main/core/synth/index';
import { groundTruth } from '../src-main/core/synth/structures';
import { buildPupilPsfLayer, pupilPsfParams } from '../src-main/core/nn/models/psf-pupil';
import { spectralData } from '../src-main/core/psf/binned-spectrum';
import { disposeSpectralTarget, spectralLoss, spectralTarget } from '../src-main/core/train/spectral-loss';
import { fitPupilToSpectra } from '../src-main/core/train/pupil-init';
import { BACKGROUND, DEPTH, DXY, DZ, OPTICS, PHOTONS, truePsf } from './pupil-blind-data';

const arg = (n: string, d: string) => {
  const i = process.argv.indexOf(n);
  return i > 0 ? process.argv[i + 1]! : d;
};
const SEEDS = arg('--seeds', '1,2').split(',').map(Number);
const CONDS = arg('--conds', 'noisy,clean,paired,inbox').split(',');
const BOX = arg('--box', '11,11,11').split(',').map(Number) as Shape3;
const OS = Number(arg('--os', '2'));
const SHAPE: Shape3 = [32, 64, 64];
const COUNTS = { filaments: 12, beads: 20, nuclei: 2 };
const voxel = { x: DXY, y: DXY, z: DZ, unit: 'µm' };

function centreCrop(v: Volume, box: Shape3): Volume {
  const off = v.shape.map((n, a) => Math.floor(n / 2) - Math.floor(box[a]! / 2)) as Shape3;
  const d = cropBox(v.data, v.shape, off, box);
  const s = d.reduce((a, b) => a + b, 0);
  return makeVolume(
    d.map((x) => x / s),
    box,
    { ...v.voxelSize },
    'computed',
  );
}

function data(truth: Volume, seed: number, cond: string): { blurred: Volume[]; sharp: Volume[] } {
  const psf = cond.startsWith('inbox') ? centreCrop(truth, BOX) : truth;
  const noise = createRng(seed + 0x51ed);
  const gts = [0, 1].map((k) => groundTruth(SHAPE, COUNTS, createRng(seed * 10 + k), DZ / DXY));
  const blurred = gts.map((gt) => {
    const clean = convolveArray(gt, SHAPE, psf.data, psf.shape);
    let peak = 0;
    for (const v of gt) peak = Math.max(peak, v);
    const mean = (v: number) => (Math.max(0, v) / peak) * PHOTONS + BACKGROUND;
    return makeVolume(
      Float32Array.from(clean, (v) => (cond === 'noisy' || cond === 'inbox-noisy' ? noise.poisson(mean(v)) : mean(v))),
      SHAPE,
      voxel,
      'synthetic',
    );
  });
  const sharp =
    cond === 'noisy' || cond === 'clean' || cond === 'inbox-noisy'
      ? [0, 1].map((k) => groundTruth(SHAPE, COUNTS, createRng(seed * 10 + 5 + k), DZ / DXY))
      : gts;
  return { blurred, sharp: sharp.map((d) => makeVolume(d, SHAPE, voxel, 'synthetic')) };
}

let made = 0;
function layerAt(start: number[]) {
  return buildPupilPsfLayer({
    shape: BOX,
    optics: { ...OPTICS, dxy: DXY, dz: DZ, oversampling: OS },
    name: `G_BA${made++}`,
    aberrations: 'symmetric',
    start: [...start, 0, 0, 0, 0, 0, 0],
  });
}
const vol = (layer: ReturnType<typeof layerAt>) =>
  makeVolume(
    tf.tidy(() => layer.psf().dataSync() as Float32Array),
    BOX,
    { ...voxel },
    'computed',
  );

const mean = (d: Float32Array) => d.reduce((a, b) => a + b, 0) / d.length;

async function main(): Promise<void> {
  await initBackend({ preferred: 'cpu', purpose: 'train' });
  const truth = truePsf();
  const fz = analysePsf(truth).fwhm.z;
  // The truth's parameters: depth DEPTH, z0 at the best NCC (scan).
  let best = { z0: 0, ncc: -1 };
  for (let z0 = -3; z0 <= 3; z0 += 0.05) {
    const l = layerAt([z0, DEPTH, 0, 0]);
    const n = analysePsf(vol(l), { reference: truth }).ncc!;
    if (n > best.ncc) best = { z0, ncc: n };
    tf.dispose(l.variables());
  }
  const tl = layerAt([best.z0, DEPTH, 0, 0]);
  const tinfo = analysePsf(vol(tl), { reference: truth });
  console.log(
    `truth: FWHM z ${fz.toFixed(3)}; in-model at depth ${DEPTH}: z0 ${best.z0.toFixed(2)} NCC ${best.ncc.toFixed(4)} FWHM z ${tinfo.fwhm.z.toFixed(3)} (box ${BOX.join('×')}, os ${OS})`,
  );
  console.log(
    '| condition | seed | peak z − centre | L(truth) | L(fit) | depth | z0 | apod | Z11 | NCC | FWHM z err |',
  );
  for (const cond of CONDS)
    for (const seed of SEEDS) {
      const d = data(truth, seed, cond);
      // Without noise the floor from the corners is ~0 (a degenerate Whittle term): give the Poisson floor the
      // same counts would have (variance = mean, per voxel), i.e. the limit of averaging many noisy stacks.
      const floor = cond.endsWith('noisy')
        ? undefined
        : d.blurred.reduce((a, v) => a + mean(v.data), 0) / d.blurred.length;
      const sd = spectralData(d.blurred, d.sharp, floor);
      if (floor !== undefined) for (let b = 0; b < sd.sa.length; b++) sd.sa[b]! += floor; // the expected periodogram
      const target = spectralTarget(d.blurred, d.sharp, BOX, sd);
      const lt = tf.tidy(() => spectralLoss(tl.psf(), target).dataSync()[0]!);
      const layer = layerAt([0, 0, 0, 0]);
      const r = fitPupilToSpectra(layer, target);
      const p = pupilPsfParams(layer)!;
      const info = analysePsf(vol(layer), { reference: truth });
      const peakZ = info.peak[0] - Math.floor(BOX[0] / 2);
      console.log(
        `| ${cond} | ${seed} | ${peakZ} | ${lt.toFixed(5)} | ${r.after.toFixed(5)} | ${p.depth!.toFixed(2)} | ${p.z0!.toFixed(2)} | ${p.apodisation!.toFixed(2)} | ${p.Z11!.toFixed(2)} | ${info.ncc!.toFixed(3)} | ${((100 * (info.fwhm.z - fz)) / fz).toFixed(1)} % |`,
      );
      tf.dispose(layer.variables());
      disposeSpectralTarget(target);
    }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
