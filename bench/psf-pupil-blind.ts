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
import { makeVolume, type Shape3, type Volume } from '../src-main/core/io/volume';
import { convolveArray } from '../src-main/core/deconv/convolve';
import { cropBox } from '../src-main/core/deconv/grid';
import { generatePsf } from '../src-main/core/psf/generate';
import { analysePsf } from '../src-main/core/psf/analysis';
import { createRng } from '../src-main/core/synth/index';
import { groundTruth } from '../src-main/core/synth/structures';
import { resolveTrainConfig } from '../src-main/core/train/config';
import { train } from '../src-main/core/train/trainer';
import { readPupilFile } from '../src-main/core/train/pupil-file';

const OPTICS = { na: 1.3, wavelength: 0.52, ni: 1.515, ns: 1.38 };
const DEPTH = 6, DXY = 0.1, DZ = 0.25, PHOTONS = 2000, BACKGROUND = 10;
const SHAPE: Shape3 = [32, 64, 64];
const COUNTS = { filaments: 12, beads: 20, nuclei: 2 };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** Gibson–Lanni at DEPTH µm: computed on a tall box (z is the stage position) and the 31 planes around its peak kept. */
function truePsf(): Volume {
  const tall = generatePsf({ ...OPTICS, model: 'gibson-lanni', particleDepth: DEPTH, dxy: DXY, dz: DZ, size: [101, 31, 31] });
  const peak = analysePsf(tall).peak[0];
  const d = cropBox(tall.data, tall.shape, [peak - 15, 0, 0], [31, 31, 31]);
  const s = d.reduce((a, b) => a + b, 0);
  return makeVolume(d.map((v) => v / s), [31, 31, 31], { ...tall.voxelSize }, 'computed');
}

function stacks(psf: Volume, seed: number): { blurred: Volume[]; sharp: Volume[] } {
  const voxel = { x: DXY, y: DXY, z: DZ, unit: 'µm' };
  const noise = createRng(seed + 0x51ed);
  const blurred = [0, 1].map((k) => {
    const gt = groundTruth(SHAPE, COUNTS, createRng(seed * 10 + k), DZ / DXY);
    const clean = convolveArray(gt, SHAPE, psf.data, psf.shape);
    let peak = 0; for (const v of gt) peak = Math.max(peak, v);
    return makeVolume(Float32Array.from(clean, (v) => noise.poisson(Math.max(0, v) / peak * PHOTONS + BACKGROUND)), SHAPE, voxel, 'synthetic');
  });
  const sharp = [0, 1].map((k) => makeVolume(groundTruth(SHAPE, COUNTS, createRng(seed * 10 + 5 + k), DZ / DXY), SHAPE, voxel, 'synthetic'));
  return { blurred, sharp };
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
  const cfg = resolveTrainConfig('fast', { seed, maxSteps: steps, optics: OPTICS, psf: { model, ...(symmetric ? { pupilAberrations: 'symmetric' as const } : {}) } });
  const learned: { at: number; psf: Float32Array; shape: Shape3 }[] = [];
  const t0 = performance.now();
  const r = await train(cfg, { ...data, outDir: out, force: true, onProgress: (e) => { if (e.type === 'psf' && (e.step === cfg.psfSnapshotEvery || e.step === steps)) learned.push({ at: e.step, psf: e.data, shape: e.shape }); } });
  const seconds = (performance.now() - t0) / 1000;
  const ref = analysePsf(truth);
  const measure = (p: { psf: Float32Array; shape: Shape3 }) => {
    const a = analysePsf(makeVolume(p.psf, p.shape, { ...truth.voxelSize }, 'computed'), { reference: truth });
    return { ncc: a.ncc, fwhm: a.fwhm, fwhmError: { x: a.fwhm.x / ref.fwhm.x - 1, y: a.fwhm.y / ref.fwhm.y - 1, z: a.fwhm.z / ref.fwhm.z - 1 } };
  };
  const pupil = model === 'pupil' ? await readPupilFile(out) : null;
  console.log(JSON.stringify({
    model: symmetric ? `${model} (symmetric)` : model, seed, steps: r.steps, seconds, msPerStep: (1000 * seconds) / r.steps, trueFwhm: ref.fwhm,
    early: learned[0] ? { step: learned[0].at, ...measure(learned[0]) } : null, final: measure({ psf: r.psf!.data, shape: r.psf!.shape }),
    pupilParams: pupil?.params ?? null, outDir: out,
  }));
}

main().catch((e) => { console.error(e); process.exit(1); });
