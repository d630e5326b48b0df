// Issue #24's RL target for the BLIND PSFs: per true PSF (bench/psf-blind-truths.ts) × photons × seed, two
// blurred stacks (random structures, core/synth, blurred by the truth, Poisson over a background of 10) and two
// unmatched sharp stacks; the blind pupil fit (core/train/pupil-blind.ts, `psf-fit --model pupil`) and the blind
// Gaussian (core/psf/spectral-fit.ts, `psf-fit`) from them; then Richardson–Lucy (20 it., mirror boundary) on the
// first blurred stack with the true PSF, the blind pupil PSF and the blind Gaussian, SSIM 3D against its object.
// Target: RL with the learned PSF within 0.01 SSIM of RL with the true PSF.
// Run: npx tsx bench/psf-blind-rl.ts [--truths gl-oil,gl-air,bw,astig,measured|all] [--photons 2000,200] [--seeds 1,2]
import { makeVolume, type Shape3, type Volume } from '../src-main/core/io/volume';
import { richardsonLucy } from '../src-main/core/deconv/rl';
import { computeMetrics } from '../src-main/core/metrics/index';
import { analysePsf } from '../src-main/core/psf/analysis';
import { gaussianPsf } from '../src-main/core/psf/kernels';
import { fitPsfFromSpectra } from '../src-main/core/psf/spectral-fit';
import { fitBlindPupil } from '../src-main/core/train/pupil-blind';
import { blindTruths } from './psf-blind-truths';
import { BLIND_BACKGROUND, BLIND_SHAPE, blindStacks } from './psf-blind-stacks';

const arg = (n: string, d: string) => {
  const i = process.argv.indexOf(n);
  return i > 0 ? process.argv[i + 1]! : d;
};
const RL_ITERATIONS = 20;

const odd = (v: number) => Math.max(3, 2 * Math.ceil(v) + 1);
const pct = (a: number, b: number) => `${((100 * (a - b)) / b).toFixed(0)}`;

async function main(): Promise<void> {
  const truths = await blindTruths(arg('--truths', 'all').split(','));
  const photonsList = arg('--photons', '2000,200').split(',').map(Number);
  const seeds = arg('--seeds', '1,2').split(',').map(Number);
  console.log(
    `RL ${RL_ITERATIONS} it., mirror boundary, background ${BLIND_BACKGROUND}; stacks ${BLIND_SHAPE.join('×')}; SSIM 3D`,
  );
  console.log(
    '| true PSF | photons | seed | SSIM raw | RL true | RL blind pupil | Δ pupil | RL blind Gaussian | Δ Gauss | NCC pupil / Gauss | FWHM err xy/z % pupil | FWHM err xy/z % Gauss | pupil params | s |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const t of truths)
    for (const photons of photonsList)
      for (const seed of seeds) {
        const d = blindStacks(t, photons, seed);
        const t0 = performance.now();
        const pupil = fitBlindPupil(d.blurred, d.sharp, t.optics);
        const seconds = (performance.now() - t0) / 1000;
        const g = fitPsfFromSpectra(d.blurred, d.sharp);
        const gShape = g.sigmaVoxels.map((s) => Math.min(odd(3 * s), 41)) as Shape3;
        const gauss = makeVolume(gaussianPsf(gShape, g.sigmaVoxels), gShape, { ...t.psf.voxelSize }, 'computed');
        const rl = async (psf: Volume) =>
          computeMetrics(
            d.object,
            await richardsonLucy(d.blurred[0]!, psf, {
              iterations: RL_ITERATIONS,
              boundary: 'reflect',
              background: BLIND_BACKGROUND,
            }),
          ).ssim3d!;
        const raw = computeMetrics(d.object, d.blurred[0]!).ssim3d!;
        const [sTrue, sPupil, sGauss] = [await rl(t.psf), await rl(pupil.psf), await rl(gauss)];
        const tf = analysePsf(t.psf).fwhm;
        const err = (v: Volume) => {
          const f = analysePsf(v).fwhm;
          return `${pct(f.x, tf.x)} / ${pct(f.z, tf.z)}`;
        };
        const ncc = (v: Volume) => analysePsf(v, { reference: t.psf }).ncc!.toFixed(3);
        const p = Object.entries(pupil.params)
          .filter(([, v]) => Math.abs(v) > 1e-6)
          .map(([k, v]) => `${k} ${v.toFixed(2)}`)
          .join(', ');
        const f3 = (v: number) => v.toFixed(3);
        console.log(
          `| ${t.name} | ${photons} | ${seed} | ${f3(raw)} | ${f3(sTrue)} | ${f3(sPupil)} | ${(sPupil - sTrue).toFixed(3)} | ${f3(sGauss)} | ${(sGauss - sTrue).toFixed(3)} | ${ncc(pupil.psf)} / ${ncc(gauss)} | ${err(pupil.psf)} | ${err(gauss)} | ${p} (box ${pupil.box.join('×')}) | ${seconds.toFixed(0)} |`,
        );
      }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
