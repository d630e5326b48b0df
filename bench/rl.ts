// RL benchmark on `synth` data with the true PSF: time (ours), peak RSS and, at small sizes, the SSIM gain over
// the blurred input. Writes the volume, PSF and our result as raw float32 to $TMPDIR/cycledecon-bench-rl-<size>
// for bench/rl_skimage.py (which runs scikit-image on the same data and compares).
// Run: npx tsx bench/rl.ts [--shape Z,Y,X] [--iters N] [--psf Z,Y,X] [--boundary reflect|extend|zero] [--accel none|shb]
//        && /usr/bin/python3 bench/rl_skimage.py DIR
// Defaults: the demo size 32×64×64, 20 iterations, PSF ≤ 31³, boundary reflect and background 0 (= skimage's
// richardson_lucy on the mirror-padded stack, which bench/rl_skimage.py runs); a widefield row passes a PSF
// taller than the stack and --boundary extend. Prints a text line per fact, then one JSON line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DEFAULT_SYNTH, synthesize } from '../src-main/core/synth/index';
import { richardsonLucyArray, type RlBoundary, type RlAcceleration, type RlPlan } from '../src-main/core/deconv/rl';
import { computeMetrics } from '../src-main/core/metrics/index';
import { makeVolume, type Shape3 } from '../src-main/core/io/volume';
import { peakRssMiB } from './timing';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const triple = (s: string | undefined): Shape3 | undefined =>
  s ? (s.split(/[,x×]/).map(Number) as Shape3) : undefined;

const shape = triple(arg('--shape')) ?? DEFAULT_SYNTH.shape;
const iters = Number(arg('--iters') ?? 20);
const psfSize = triple(arg('--psf'));
const boundary = (arg('--boundary') ?? 'reflect') as RlBoundary;
const acceleration = (arg('--accel') ?? 'none') as RlAcceleration;
// Structures scale with the volume so a large stack is not nearly empty (FFT cost does not depend on content).
const scale = Math.max(1, Math.round((shape[0] * shape[1] * shape[2]) / (32 * 64 * 64) / 8));
const counts = {
  filaments: DEFAULT_SYNTH.counts.filaments * scale,
  beads: DEFAULT_SYNTH.counts.beads * scale,
  nuclei: DEFAULT_SYNTH.counts.nuclei * scale,
};
const r = synthesize({
  ...DEFAULT_SYNTH,
  seed: 7,
  shape,
  counts,
  psf: { ...DEFAULT_SYNTH.psf, ...(psfSize ? { size: psfSize } : {}) },
});
const dir = join(
  tmpdir(),
  `cycledecon-bench-rl-${shape.join('x')}-psf${r.psf.shape.join('x')}-${boundary}-${acceleration}`,
);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'image.f32'), Buffer.from(r.blurred.data.buffer));
writeFileSync(join(dir, 'psf.f32'), Buffer.from(r.psf.data.buffer));
if (r.groundTruth.data.length <= 2 ** 21) writeFileSync(join(dir, 'gt.f32'), Buffer.from(r.groundTruth.data.buffer));
writeFileSync(join(dir, 'meta.json'), JSON.stringify({ shape, psfShape: r.psf.shape, iterations: iters, boundary }));

const rssBefore = peakRssMiB();
const t0 = performance.now();
let plan: RlPlan | undefined;
const out = await richardsonLucyArray(r.blurred.data, shape, r.psf.data, r.psf.shape, {
  iterations: iters,
  init: 0.5,
  boundary,
  acceleration,
  background: boundary === 'reflect' ? 0 : 'auto',
  onPlan: (p) => {
    plan = p;
  },
});
const seconds = (performance.now() - t0) / 1000;
const gridVoxels = plan ? plan.grid[0] * plan.grid[1] * plan.grid[2] : 0;
writeFileSync(join(dir, 'ours.f32'), Buffer.from(out.buffer));
console.log(
  `volume ${shape.join('×')}, PSF ${r.psf.shape.join('×')}, ${iters} iterations (boundary ${boundary}, acceleration ${acceleration}, background ${plan?.background}; FFT grid ${plan?.grid.join('×')})`,
);
console.log(
  `ours: ${seconds.toFixed(2)} s (${((seconds / iters / gridVoxels) * 1e9).toFixed(1)} ns per grid voxel and iteration)`,
);
const result: Record<string, unknown> = {
  shape,
  psfShape: r.psf.shape,
  iterations: iters,
  boundary,
  acceleration,
  grid: plan?.grid,
  nsPerGridVoxelIteration: +((seconds / iters / gridVoxels) * 1e9).toFixed(2),
  dir,
  oursSeconds: +seconds.toFixed(3),
  peakRssMiB: Math.round(peakRssMiB()),
  rssBeforeRlMiB: Math.round(rssBefore),
};
if (out.length <= 2 ** 21) {
  // SSIM over a large stack costs more than RL itself; only at small sizes.
  const before = computeMetrics(r.groundTruth, r.blurred),
    after = computeMetrics(r.groundTruth, makeVolume(out, shape));
  console.log(
    `SSIM3D blurred ${before.ssim3d?.toFixed(4)} → RL ${after.ssim3d?.toFixed(4)}; SSIM2D ${before.ssim2d.toFixed(4)} → ${after.ssim2d.toFixed(4)}; PSNR ${before.psnr.toFixed(2)} → ${after.psnr.toFixed(2)} dB`,
  );
  result.ssim2d = { blurred: before.ssim2d, rl: after.ssim2d };
  result.ssim3d = { blurred: before.ssim3d, rl: after.ssim3d };
}
console.log(JSON.stringify(result));
