// The blind check of the pupil PSF layer (issue #24 item 2): train G_BA on synthetic data whose true PSF is
// Gibson–Lanni 6 µm deep into a mismatched sample (NA 1.3 oil, ni 1.515, ns 1.38: spherical aberration), from
// unmatched sharp stacks, with the `fast` preset for a few hundred steps, and compare the learned PSF with the
// truth (NCC after centring on the peaks, FWHM per axis), for one layer per process (run both side by side).
// Run: npx tsx bench/psf-pupil-blind.ts --model gaussian|pupil [--symmetric] [--steps 200] [--seed 1] [--out DIR];
// one JSON line. --symmetric learns only the pupil's rotationally symmetric terms (psf.pupilAberrations).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../src-main/core/nn/backend';
import { makeVolume, type Shape3 } from '../src-main/core/io/volume';
import { analysePsf } from '../src-main/core/psf/analysis';
import { OPTICS, stacks, truePsf } from './pupil-blind-data';
import { resolveTrainConfig } from '../src-main/core/train/config';
import { train } from '../src-main/core/train/trainer';
import { readPupilFile } from '../src-main/core/train/pupil-file';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function main(): Promise<void> {
  const model = arg('--model', 'pupil') as 'gaussian' | 'pupil';
  const steps = Number(arg('--steps', '200'));
  const seed = Number(arg('--seed', '1'));
  const out = arg('--out', mkdtempSync(join(tmpdir(), `pupil-blind-${model}-`)));
  await initBackend({ preferred: 'cpu', purpose: 'train' });
  const truth = truePsf();
  const data = stacks(truth, seed);
  const symmetric = process.argv.includes('--symmetric');
  const cfg = resolveTrainConfig('fast', {
    seed,
    maxSteps: steps,
    optics: OPTICS,
    psf: { model, ...(symmetric ? { pupilAberrations: 'symmetric' as const } : {}) },
  });
  const learned: { at: number; psf: Float32Array; shape: Shape3 }[] = [];
  const t0 = performance.now();
  const r = await train(cfg, {
    ...data,
    outDir: out,
    force: true,
    onProgress: (e) => {
      if (e.type === 'psf' && (e.step === cfg.psfSnapshotEvery || e.step === steps))
        learned.push({ at: e.step, psf: e.data, shape: e.shape });
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const ref = analysePsf(truth);
  const measure = (p: { psf: Float32Array; shape: Shape3 }) => {
    const a = analysePsf(makeVolume(p.psf, p.shape, { ...truth.voxelSize }, 'computed'), { reference: truth });
    return {
      ncc: a.ncc,
      fwhm: a.fwhm,
      fwhmError: { x: a.fwhm.x / ref.fwhm.x - 1, y: a.fwhm.y / ref.fwhm.y - 1, z: a.fwhm.z / ref.fwhm.z - 1 },
    };
  };
  const pupil = model === 'pupil' ? await readPupilFile(out) : null;
  console.log(
    JSON.stringify({
      model: symmetric ? `${model} (symmetric)` : model,
      init: cfg.psf.init,
      seed,
      steps: r.steps,
      seconds,
      msPerStep: (1000 * seconds) / r.steps,
      trueFwhm: ref.fwhm,
      early: learned[0] ? { step: learned[0].at, ...measure(learned[0]) } : null,
      final: measure({ psf: r.psf!.data, shape: r.psf!.shape }),
      pupilParams: pupil?.params ?? null,
      outDir: out,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
