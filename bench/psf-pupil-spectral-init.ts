// Can the blind spectral fit start the pupil layer (issue #24 item 1)? The pupil layer's parameters fitted to the
// spectral term alone (train/spectral-loss.ts: the kernel's binned |OTF|² times the sharp stacks' power spectrum
// against the blurred stacks') by Adam, on the blind check's data (bench/pupil-blind-data.ts), printing the term and
// the PSF's NCC with the truth as it goes. Run: npx tsx bench/psf-pupil-spectral-init.ts [--iters 200] [--all].
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/core/nn/backend';
import { makeVolume } from '../src-main/core/io/volume';
import { analysePsf } from '../src-main/core/psf/analysis';
import { buildPupilPsfLayer, pupilPsfParams } from '../src-main/core/nn/models/psf-pupil';
import { disposeSpectralTarget, spectralLoss, spectralTarget } from '../src-main/core/train/spectral-loss';
import { DXY, DZ, OPTICS, stacks, truePsf } from './pupil-blind-data';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--iters');
  const iters = i > 0 ? Number(process.argv[i + 1]) : 200;
  await initBackend({ preferred: 'cpu', purpose: 'train' });
  const truth = truePsf();
  const data = stacks(truth, 1);
  const shape: [number, number, number] = [11, 11, 11];
  const layer = buildPupilPsfLayer({
    shape,
    optics: { ...OPTICS, dxy: DXY, dz: DZ },
    name: 'G_BA',
    aberrations: process.argv.includes('--all') ? 'all' : 'symmetric',
  });
  const target = spectralTarget(data.blurred, data.sharp, shape);
  const opt = tf.train.adam(0.05);
  const ncc = () =>
    tf.tidy(
      () =>
        analysePsf(makeVolume(layer.psf().dataSync() as Float32Array, shape, { ...truth.voxelSize }, 'computed'), {
          reference: truth,
        }).ncc!,
    );
  const rows: Record<string, unknown>[] = [];
  const t0 = performance.now();
  for (let it = 0; it <= iters; it++) {
    const loss = opt.minimize(() => spectralLoss(layer.psf(), target), true, layer.variables())!;
    if (it % 25 === 0) {
      rows.push({ it, spectral: loss.dataSync()[0], ncc: ncc(), ...pupilPsfParams(layer) });
      process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
    }
    loss.dispose();
  }
  console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, rows }));
  opt.dispose();
  disposeSpectralTarget(target);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
